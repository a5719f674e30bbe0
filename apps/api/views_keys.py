"""API key pages of operators: every member sees the keys; administrators create and revoke them.

A new key is shown once, on the response to the form that created it: never in a URL, a flash
message, the session or a log, and the page is not cached (issue 6, "a key is shown once").
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from apps.accounts.models import OrganisationRole
from apps.authorizations.forms import show_service_error
from apps.core.access import operator_admin as _operator_admin
from apps.core.access import operator_member as _operator_member
from apps.core.errors import DomainError

from . import selectors, services
from .forms import ApiKeyForm
from .models import ApiKey

KEYS_PER_PAGE = 50


@login_required
def key_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    page = Paginator(selectors.api_keys_of_operator(user=user), KEYS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "keys": page.object_list,
        "can_manage": user.organisation_role == OrganisationRole.ADMIN,
        "statuses": selectors.KeyStatus,
    }
    return render(request, "api/key_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("raw")
def key_create(request: HttpRequest) -> HttpResponse:
    user = _operator_admin(request)
    form = ApiKeyForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            key, raw = services.api_key_create(actor=user, **form.cleaned_data)
        except DomainError as error:
            show_service_error(form, error)
        else:
            return _show_once(request, key, raw)
    return render(request, "api/key_form.html", {"form": form})


@sensitive_variables("raw")
def _show_once(request: HttpRequest, key: ApiKey, raw: str) -> HttpResponse:
    response = render(request, "api/key_created.html", {"key": key, "raw_key": raw})
    add_never_cache_headers(response)  # includes "no-store": no cache keeps the page
    return response


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (a revoked key cannot be restored); POST revokes."""
    user = _operator_admin(request)
    key = selectors.api_key_of_operator(user=user, pk=pk)
    if request.method == "GET":
        return render(request, "api/key_revoke.html", {"key": key})
    try:
        services.api_key_revoke(key=key, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The key “%(name)s” was revoked: requests with it are refused from now on.")
            % {"name": key.name},
        )
    return redirect("api_keys:list")
