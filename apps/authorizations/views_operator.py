"""Operator pages: qualifications, scenarios, applications and the authorizations they produce.

Only members of an operator may use them, and each sees its own operator's objects only: another
operator's object answers 404.
"""

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.core.access import operator_member as _operator_member
from apps.core.errors import DomainError

from . import selectors, services
from .choices import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    AuthorizationStatus,
    FilterOperator,
)
from .forms import (
    ApplicationForm,
    EntryPickForm,
    QualificationForm,
    ScenarioForm,
    WithdrawForm,
    error_text,
    show_service_error,
)
from .models import Application, Authorization

ROWS_PER_PAGE = 50
# A revoked authorization is over for good; any other may be continued by a renewal.
RENEWABLE_STATUSES = {
    AuthorizationStatus.ACTIVE,
    AuthorizationStatus.SUSPENDED,
    AuthorizationStatus.EXPIRED,
}


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))


# Qualifications --------------------------------------------------------------------------------


@login_required
def qualification_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    context = {
        "qualifications": selectors.qualifications_of_operator(user=user),
        "is_qualified": selectors.operator_is_qualified(operator=user.operator),  # type: ignore[arg-type]
        "gaps": selectors.qualification_gaps(operator=user.operator),  # type: ignore[arg-type]
    }
    return render(request, "authorizations/operator/qualification_list.html", context)


@login_required
def qualification_create(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    posted = request.method == "POST"
    form = QualificationForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.qualification_submit(operator=user.operator, actor=user, **form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The qualification was submitted for review."))
            return redirect("operator_authorizations:qualifications")
    return render(
        request,
        "authorizations/operator/qualification_form.html",
        {"form": form, "max_bytes": settings.DOCUMENT_MAX_BYTES},
    )


@login_required
def qualification_document(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is never served from MEDIA_URL: only the operator's own members download it here
    (bureau staff read it in the admin)."""
    user = _operator_member(request)
    qualification = selectors.qualification_of_operator(user=user, pk=pk)
    try:
        document = qualification.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        document, as_attachment=True, filename=PurePath(qualification.document.name or "").name
    )


# Scenarios -------------------------------------------------------------------------------------


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    page = _page(request, selectors.scenarios_of_operator(user=user))
    return render(
        request,
        "authorizations/operator/scenario_list.html",
        {"page": page, "scenarios": page.object_list},
    )


@login_required
def scenario_create(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    form = ScenarioForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_create(operator=user.operator, actor=user, data=form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The scenario was saved."))
            return redirect("operator_authorizations:scenarios")
    return render(request, "authorizations/operator/scenario_form.html", {"form": form})


# Applications ----------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    page = _page(request, selectors.applications_of_operator(user=user))
    return render(
        request,
        "authorizations/operator/application_list.html",
        {"page": page, "applications": page.object_list},
    )


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Two steps without JavaScript: GET ?entry= picks the catalog entry, then the form lists its
    fields and POSTs the application."""
    user = _operator_member(request)
    if request.method == "POST":
        return _application_submit(request, user)
    if "entry" in request.GET:
        pick = EntryPickForm(request.GET, user=user)
    else:
        pick = EntryPickForm(user=user, initial={"renewal_of": request.GET.get("renewal_of")})
    if not pick.is_bound or not pick.is_valid():
        return _application_form_page(request, user, None, pick)
    form = ApplicationForm(
        user=user,
        entry=pick.cleaned_data["entry"],
        initial=_application_initial(pick.cleaned_data["renewal_of"]),
    )
    return _application_form_page(request, user, form)


def _application_submit(request: HttpRequest, user: User) -> HttpResponse:
    form = ApplicationForm(request.POST, user=user)
    if form.is_valid():
        try:
            application = services.application_submit(
                operator=user.operator,  # type: ignore[arg-type]
                actor=user,
                **form.submission(),
            )
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The application was submitted."))
            return redirect("operator_authorizations:application-detail", pk=application.pk)
    return _application_form_page(request, user, form)


def _application_initial(renewal: Authorization | None) -> dict[str, Any]:
    """A renewal starts with what the authorization it continues allowed, from its end."""
    today = timezone.localdate()
    if renewal is None:
        return {"requested_from": today}
    return {
        "renewal_of": renewal.pk,
        "scenario": renewal.scenario_id,
        "requested_fields": renewal.allowed_fields,
        "requested_from": max(today, timezone.localdate(renewal.valid_until)),
    }


def _application_form_page(
    request: HttpRequest,
    user: User,
    form: ApplicationForm | None,
    pick: EntryPickForm | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "pick": pick,
        "is_qualified": selectors.operator_is_qualified(operator=user.operator),  # type: ignore[arg-type]
        "has_scenarios": selectors.scenarios_of_operator(user=user).exists(),
    }
    return render(request, "authorizations/operator/application_form.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator_member(request)
    application = selectors.application_of_operator(user=user, pk=pk)
    return render(
        request,
        "authorizations/operator/application_detail.html",
        {**_application_context(application), "withdraw_form": WithdrawForm()},
    )


def _application_context(application: Application) -> dict[str, Any]:
    authorization = _authorization_of(application)
    return {
        "application": application,
        "authorization": authorization,
        "row_filter": row_filter_text(authorization.row_filter) if authorization else [],
        "history": selectors.application_history(application=application),
        "authorization_history": (
            selectors.authorization_history(authorization=authorization) if authorization else []
        ),
        "can_withdraw": ApplicationStatus.WITHDRAWN in APPLICATION_TRANSITIONS[application.status],
    }


def row_filter_text(conditions: list[dict[str, Any]]) -> list[str]:
    """The row filter as the operator reads it: "district = 南明区"."""
    lines = []
    for condition in conditions:
        value = condition.get("value")
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        operator = FilterOperator(condition["op"]).label if condition.get("op") else ""
        lines.append(f"{condition.get('field', '')} {operator} {shown}")
    return lines


def _authorization_of(application: Application) -> Authorization | None:
    try:
        return application.authorization
    except Authorization.DoesNotExist:
        return None


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator_member(request)
    application = selectors.application_of_operator(user=user, pk=pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.application_withdraw(application=application, actor=user, reason=reason)
    except (ValidationError, DomainError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The application was withdrawn."))
    return redirect("operator_authorizations:application-detail", pk=application.pk)


# Authorizations --------------------------------------------------------------------------------


@login_required
def authorization_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    page = _page(request, selectors.authorizations_of_operator(user=user))
    return render(
        request,
        "authorizations/operator/authorization_list.html",
        {"page": page, "authorizations": page.object_list, "renewable": RENEWABLE_STATUSES},
    )
