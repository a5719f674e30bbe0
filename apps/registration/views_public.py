"""Public registration pages: the notices in progress with the objection form, the registrations
in force with filters and a CSV, the result lookup and each registration's certificate.
Nobody logs in here; objectors' contact details never appear (the bureau's admin only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.authorizations.forms import show_service_error
from apps.core.errors import DomainError
from apps.core.exports import csv_response

from . import clock, selectors, services
from .forms import LookupForm, ObjectionForm, RegistrationFilterForm
from .models import Registration, RegistrationApplication

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def registration_list(request: HttpRequest) -> HttpResponse:
    filters = RegistrationFilterForm(request.GET or None)
    include_ended = filters.is_valid() and filters.cleaned_data["ended"]
    registrations = filters.filter(selectors.registrations_public(include_ended=include_ended))
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    signed_in = _user(request) is not None
    notices = [
        (application, ObjectionForm(signed_in=signed_in, prefix=f"objection-{application.pk}"))
        for application in selectors.notices_in_progress()
    ]
    context = {
        "filters": filters, "page_obj": page, "notices": notices, "today": clock.today(),
        "csv_query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "resource_registration/public/list.html", context)


def registration_csv(request: HttpRequest) -> HttpResponse:
    filters = RegistrationFilterForm(request.GET or None)
    include_ended = filters.is_valid() and filters.cleaned_data["ended"]
    registrations = filters.filter(selectors.registrations_public(include_ended=include_ended))
    today = clock.today()
    header = [
        _("Registration code"), _("Registered subject"), _("Subject kind"), _("Registrant"),
        _("Kind"), _("Registered on"), _("Valid until"), _("Status"),
    ]  # fmt: skip
    rows = (
        [r.code, r.subject_name, r.subject_kind_label, str(r.registrant), r.get_kind_display(),
         r.registered_on, r.valid_until, r.status_label_on(today)]
        for r in registrations
    )  # fmt: skip
    return csv_response("registrations", [header, *rows])


@require_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(RegistrationApplication, pk=pk)
    user = _user(request)
    form = ObjectionForm(
        request.POST, request.FILES, signed_in=user is not None, prefix=f"objection-{pk}"
    )
    if form.is_valid():
        try:
            services.objection_file(
                application=application, actor=user, data=form.cleaned_data,
                evidence=form.cleaned_data.get("evidence"),
            )  # fmt: skip
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, _("Your objection was received: the registration is paused until the "
                           "data bureau decides on it.")
            )  # fmt: skip
            return redirect("registration:list")
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return render(
        request, "resource_registration/public/objection.html",
        {"application": application, "form": form}, status=400,
    )  # fmt: skip


def registration_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    registration, searched = None, False
    if form.is_valid():
        searched = True
        registration = selectors.registration_by_lookup_code(lookup_code=form.cleaned_data["code"])
    context = {"form": form, "registration": registration, "searched": searched,
               "today": clock.today()}  # fmt: skip
    return render(request, "resource_registration/public/lookup.html", context)


def registration_certificate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        registration = selectors.registration_by_code(code=code)
    except Registration.DoesNotExist:
        raise Http404 from None
    context = {"registration": registration, "today": clock.today()}
    return render(request, "resource_registration/public/certificate.html", context)
