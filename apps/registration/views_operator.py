"""Operator pages: an operator applies for the registration of its offered data products and
services (数据产品登记), answers a materials notice, and follows each step with its deadline; the
same templates as the department's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.authorizations.forms import show_service_error
from apps.core.access import operator_member
from apps.core.errors import DomainError

from . import clock, selectors, services
from .choices import ApplicationStatus
from .forms import ProductApplicationForm, ResubmitForm
from .models import RegistrationApplication

NS = "operator_registration"  # the URL namespace the shared templates link in


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    context = {
        "applications": selectors.applications_of_operator(user=user), "today": clock.today(),
        "ns": NS,
    }  # fmt: skip
    return render(request, "resource_registration/registrant/list.html", context)


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    initial = {"product": request.GET.get("product")} if request.GET.get("product") else None
    form = ProductApplicationForm(
        data, files, initial=initial, products=selectors.products_registrable(user=user)
    )
    if form.is_valid():
        try:
            application = services.registration_apply(
                product=form.cleaned_data["product"], actor=user, kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"], documents=form.uploaded(),
                changes=form.cleaned_data["changes"],
                change_reason=form.cleaned_data["change_reason"],
            )  # fmt: skip
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The application was submitted."))
            return redirect("operator_registration:detail", pk=application.pk)
    return render(request, "resource_registration/registrant/form.html", {"form": form, "ns": NS})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    application = _own(user, pk)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ResubmitForm(data, files)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_resubmit(
                application=application, actor=user, summary=form.cleaned_data["summary"],
                documents=form.uploaded(),
            )  # fmt: skip
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The materials were resubmitted."))
            return redirect("operator_registration:detail", pk=application.pk)
    context = {
        "application": application, "today": clock.today(), "resubmit": form,
        "can_resubmit": application.status == ApplicationStatus.INCOMPLETE,
        "result": getattr(application, "result", None), "ns": NS,
    }  # fmt: skip
    return render(request, "resource_registration/registrant/detail.html", context)


def _own(user: User, pk: int) -> RegistrationApplication:
    try:
        return selectors.application_of_operator(user=user, pk=pk)
    except RegistrationApplication.DoesNotExist:
        raise Http404 from None
