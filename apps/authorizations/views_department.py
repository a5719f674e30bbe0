"""Department pages: the applications for a department's own entries and its opinion on them.

The providing unit's consent is needed before the bureau may authorize (发改数据规〔2025〕27号);
its administrator (the CDO) gives it, other members read along. Another department's
application answers 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.core.access import department_member as _department_member
from apps.core.errors import DomainError, IllegalTransition

from . import selectors, services
from .choices import ApplicationStatus
from .forms import ApplicationStatusFilterForm, OpinionForm, show_service_error
from .models import Application, Authorization
from .services.applications import may_give_department_opinion

ROWS_PER_PAGE = 50


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = _department_member(request)
    status_filter = ApplicationStatusFilterForm(request.GET)
    applications = status_filter.filter(selectors.applications_for_department(user=user))
    page = Paginator(applications, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "applications": page.object_list,
        "status_filter": status_filter,
        "may_give_opinion": may_give_department_opinion(user, user.department),  # type: ignore[arg-type]
    }
    return render(request, "authorizations/department/application_list.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _department_member(request)
    application = selectors.application_for_department(user=user, pk=pk)
    return _detail_page(request, user, application, OpinionForm())


@login_required
@require_POST
def application_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    user = _department_member(request)
    application = selectors.application_for_department(user=user, pk=pk)
    if not may_give_department_opinion(user, application.entry.department):
        raise PermissionDenied
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.application_department_opinion(
                application=application,
                actor=user,
                agree=form.agrees,
                comment=form.cleaned_data["comment"],
            )
        except IllegalTransition as error:
            messages.error(request, error.message)
            return redirect("department_authorizations:detail", pk=application.pk)
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The department's opinion was recorded."))
            return redirect("department_authorizations:detail", pk=application.pk)
    return _detail_page(request, user, application, form)


def _detail_page(
    request: HttpRequest, user: User, application: Application, form: OpinionForm
) -> HttpResponse:
    may_give_opinion = may_give_department_opinion(user, application.entry.department)
    context = {
        "application": application,
        "requested_fields": _requested_fields(application),
        "authorization": _authorization_of(application),
        "history": selectors.application_history(application=application),
        "awaiting_opinion": application.status == ApplicationStatus.SUBMITTED,
        "may_give_opinion": may_give_opinion,
        "opinion_form": form,
    }
    return render(request, "authorizations/department/application_detail.html", context)


def _requested_fields(application: Application) -> list[dict[str, Any]]:
    """Each requested name with its schema field; a name no longer in the schema shows as is."""
    schema = {
        field.name: field for field in selectors.catalog_entry_fields(entry=application.entry)
    }
    return [{"name": name, "field": schema.get(name)} for name in application.requested_fields]


def _authorization_of(application: Application) -> Authorization | None:
    try:
        return application.authorization
    except Authorization.DoesNotExist:
        return None


@login_required
def authorization_list(request: HttpRequest) -> HttpResponse:
    user = _department_member(request)
    authorizations = selectors.authorizations_for_department(user=user)
    page = Paginator(authorizations, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "authorizations/department/authorization_list.html",
        {"page": page, "authorizations": page.object_list},
    )
