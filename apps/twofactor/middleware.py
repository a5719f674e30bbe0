"""Bureau staff must pass the second factor before they do anything while signed in.

Staff work in the admin, where every approval and grant is made, and on the bureau's revenue
pages; a password alone must not open them. Other users are never asked.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .selectors import authenticator_of

# Pages an unverified staff member may still reach: signing in and out, the language switch
# and the second-factor pages themselves.
EXEMPT_VIEWS = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "set_language",
    "twofactor:setup",
    "twofactor:verify",
}


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not settings.PORTAL_REQUIRE_STAFF_2FA:
            return None
        user = request.user
        # OTPMiddleware gives the request's user is_verified(); the User model does not declare it.
        if not (user.is_authenticated and user.is_staff) or user.is_verified():  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        target = "twofactor:verify" if authenticator_of(user=user) else "twofactor:setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
