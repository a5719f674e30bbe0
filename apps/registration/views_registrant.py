"""The registrant's pages, shared by both kinds of registrant: a providing department registers
its catalog entries, an operator its offered data products (数据产品登记). Each applies, answers a
materials notice and follows each step with its deadline, on the same templates; ``Registrant``
says what differs (who may, which subjects, which URL namespace)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.authorizations.forms import show_service_error
from apps.core.errors import DomainError

from . import clock, services
from .choices import ApplicationStatus
from .forms import ResubmitForm
from .models import RegistrationApplication

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Registrant:
    namespace: str  # the URL namespace the shared templates link in
    member: Callable[[HttpRequest], User]  # the signed-in member, or 403
    subject: str  # "entry" or "product": the form field and the service's keyword
    form: Callable[..., Any]  # (data, files, initial=, subjects=) -> the application form
    subjects: Callable[..., QuerySet[Any]]  # (user=) -> what the member may register
    applications: Callable[..., QuerySet[RegistrationApplication]]  # (user=) -> its own
    application: Callable[..., RegistrationApplication]  # (user=, pk=) -> one of its own


def registrant_views(registrant: Registrant) -> tuple[View, View, View]:
    """The list, the new application and an application's page for ``registrant``."""
    ns = registrant.namespace

    @login_required
    def application_list(request: HttpRequest) -> HttpResponse:
        user = registrant.member(request)
        context = {
            "applications": registrant.applications(user=user), "today": clock.today(), "ns": ns,
        }  # fmt: skip
        return render(request, "resource_registration/registrant/list.html", context)

    @login_required
    def application_create(request: HttpRequest) -> HttpResponse:
        user = registrant.member(request)
        data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        chosen = request.GET.get(registrant.subject)
        form = registrant.form(
            data, files, initial={registrant.subject: chosen} if chosen else None,
            subjects=registrant.subjects(user=user),
        )  # fmt: skip
        if form.is_valid():
            try:
                application = services.registration_apply(
                    **{registrant.subject: form.cleaned_data[registrant.subject]},
                    actor=user, kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"], documents=form.uploaded(),
                    changes=form.cleaned_data["changes"],
                    change_reason=form.cleaned_data["change_reason"],
                )  # fmt: skip
            except (ValidationError, DomainError) as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The application was submitted."))
                return redirect(f"{ns}:detail", pk=application.pk)
        context = {"form": form, "ns": ns}
        return render(request, "resource_registration/registrant/form.html", context)

    @login_required
    def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
        user = registrant.member(request)
        try:
            application = registrant.application(user=user, pk=pk)
        except RegistrationApplication.DoesNotExist:
            raise Http404 from None
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
                return redirect(f"{ns}:detail", pk=application.pk)
        context = {
            "application": application, "today": clock.today(), "resubmit": form,
            "can_resubmit": application.status == ApplicationStatus.INCOMPLETE,
            "result": getattr(application, "result", None), "ns": ns,
        }  # fmt: skip
        return render(request, "resource_registration/registrant/detail.html", context)

    return application_list, application_create, application_detail
