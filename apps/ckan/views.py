"""CKAN's action API: ``/api/3/action/<name>`` and ``/api/action/<name>``, read-only.

GET takes the parameters in the query string, POST as a JSON object (what ``ckanapi`` sends).
Every answer is CKAN's envelope: ``{"help", "success": true, "result"}`` or
``{"help", "success": false, "error": {"__type", "message", …}}`` with CKAN's status code.
No login: the API shows only what the public catalog shows.
"""

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .actions import ACTIONS
from .errors import AuthorizationError, CkanError, UnknownAction, ValidationError
from .package import Site

# CKAN's writes, which this catalog never takes from the API: 403 Authorization Error.
WRITE_ACTION = re.compile(
    r"_(create|update|patch|delete|purge|revise|reorder|member_create|member_delete)$"
)


def _site(request: HttpRequest) -> Site:
    return Site(base_url=request.build_absolute_uri("/").rstrip("/"))


def _help(request: HttpRequest, name: str) -> str:
    url = request.build_absolute_uri(reverse("ckan:action", args=["help_show"]))
    return f"{url}?name={name}"


def _params(request: HttpRequest) -> dict[str, Any]:
    params: dict[str, Any] = {key: request.GET.get(key) for key in request.GET}
    if "fq" in request.GET:
        params["fq"] = " ".join(request.GET.getlist("fq"))
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            message = _("The body must be a JSON object.")
            raise ValidationError(message, body=[message])
        params.update(body)
    return params


def _answer(request: HttpRequest, name: str, body: dict[str, Any], status: int) -> JsonResponse:
    envelope = {"help": _help(request, name), **body}
    return JsonResponse(envelope, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # no session, no cookie: a client posts its JSON parameters like any CKAN client
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, name: str) -> JsonResponse:
    try:
        if WRITE_ACTION.search(name):
            raise AuthorizationError(_("Access denied: this catalog is read-only."))
        function = ACTIONS.get(name)
        if function is None:
            message = _("Bad request - Action name not known: %(name)s") % {"name": name}
            raise UnknownAction(message)
        result = function(_params(request), _site(request))
    except CkanError as error:
        return _answer(request, name, {"success": False, "error": error.body()}, error.status)
    return _answer(request, name, {"success": True, "result": result}, 200)


def api_root(request: HttpRequest) -> JsonResponse:
    """``/api/3`` answers the API version, as CKAN's does."""
    return JsonResponse({"version": 3})


def docs(request: HttpRequest) -> HttpResponse:
    """The page that documents the API and its mapping of the catalog's fields."""
    return render(request, "ckan/docs.html", {"actions": sorted(ACTIONS)})
