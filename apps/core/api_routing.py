"""One URL, one view per operation: a route hands each HTTP method to the view that serves it.

REST puts a collection's list (GET) and create (POST) on the same URL, while each operation is
its own view with its own serializers. Django resolves a URL to one callable, so ``MethodRoute``
is that callable; ``expand_method_routes`` (a drf-spectacular preprocessing hook) makes the
OpenAPI description show each operation as its own view describes it.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView

Endpoint = tuple[str, str, str, Any]  # path, path regex, method, callback


class MethodRoute:
    """``MethodRoute(get=ListApi, post=CreateApi)``: a method no view serves (PUT, OPTIONS…)
    goes to the first view, which answers it as DRF does (405 in the API's error shape); every
    answer's Allow header names all the route's methods, as one view serving them would."""

    # Each view checks CSRF itself (DRF's session authentication); key-authenticated calls have
    # no CSRF token to check.
    csrf_exempt = True

    def __init__(self, **views: type[APIView]) -> None:
        self.routes: dict[str, Callable[..., HttpResponseBase]] = {
            method.upper(): view.as_view() for method, view in views.items()
        }
        # Read by DRF's and drf-spectacular's endpoint enumeration: this is an API view.
        self.cls = next(iter(views.values()))
        self.initkwargs: dict[str, Any] = {}
        self.allow = ", ".join([*self.routes, "OPTIONS"])

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        fallback = next(iter(self.routes.values()))
        response = self.routes.get(request.method or "", fallback)(request, *args, **kwargs)
        if response.has_header("Allow"):
            response["Allow"] = self.allow
        return response


def expand_method_routes(*, endpoints: list[Endpoint], **_kwargs: Any) -> list[Endpoint]:
    """Describe a MethodRoute's URL by its views, one operation per method."""
    expanded: list[Endpoint] = []
    seen: set[int] = set()
    for path, path_regex, method, callback in endpoints:
        if not isinstance(callback, MethodRoute):
            expanded.append((path, path_regex, method, callback))
        elif id(callback) not in seen:  # enumerated by the first view's methods
            seen.add(id(callback))
            expanded.extend(
                (path, path_regex, routed, handler) for routed, handler in callback.routes.items()
            )
    return expanded
