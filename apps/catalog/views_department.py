"""Department pages: a providing department submits and maintains its catalog entries here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.cdo.selectors import is_active_cdo
from apps.core.access import department_member as _department_member
from apps.core.errors import DomainError

from . import selectors, services
from .choices import Status
from .forms import CatalogEntryEditor, StatusFilterForm, SubmissionForm, error_text
from .models import CatalogEntry

ENTRIES_PER_PAGE = 50


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user = _department_member(request)
    status_filter = StatusFilterForm(request.GET)
    entries = status_filter.filter(selectors.catalog_entries_of_department(user=user))
    page = Paginator(entries.order_by("-updated_at", "-pk"), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/department/list.html",
        {"page": page, "entries": page.object_list, "status_filter": status_filter},
    )


@login_required
def entry_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    user = _department_member(request)
    entry = selectors.catalog_entry_of_department(user=user, identifier=identifier)
    context = {
        "entry": entry,
        "fields": entry.fields.all(),
        "history": selectors.catalog_entry_history(entry=entry),
        "field_history": selectors.catalog_field_history(entry=entry),
        "can_submit": entry.status in (Status.DRAFT, Status.RETURNED),
        "can_confirm": entry.status == Status.AWAITING_CONFIRMATION
        and is_active_cdo(user=user, department=entry.department),
        "submission": SubmissionForm(),
    }
    return render(request, "catalog/department/detail.html", context)


@login_required
def entry_create(request: HttpRequest) -> HttpResponse:
    user = _department_member(request)
    editor = CatalogEntryEditor(request.POST if request.method == "POST" else None)
    if editor.is_valid():
        try:
            entry = services.catalog_entry_create(
                department=user.department,  # type: ignore[arg-type]
                actor=user,
                data=editor.entry_data(),
                fields=editor.field_specs(),
            )
        except (ValidationError, DomainError) as error:
            editor.show_error(error)
        else:
            return _after_save(request, entry, editor, user)
    return render(request, "catalog/department/form.html", {"editor": editor, "entry": None})


@login_required
def entry_edit(request: HttpRequest, identifier: str) -> HttpResponse:
    user = _department_member(request)
    entry = selectors.catalog_entry_of_department(user=user, identifier=identifier)
    if not entry.is_editable:
        messages.error(
            request,
            _("A %(status)s entry cannot be edited.") % {"status": entry.get_status_display()},
        )
        return redirect("department_catalog:detail", identifier=entry.identifier)
    editor = CatalogEntryEditor(request.POST if request.method == "POST" else None, entry=entry)
    if editor.is_valid():
        try:
            entry = services.catalog_entry_update(
                entry=entry, actor=user, data=editor.entry_data(), fields=editor.field_specs()
            )
        except (ValidationError, DomainError) as error:
            editor.show_error(error)
        else:
            return _after_save(request, entry, editor, user)
    return render(request, "catalog/department/form.html", {"editor": editor, "entry": entry})


def _after_save(
    request: HttpRequest, entry: CatalogEntry, editor: CatalogEntryEditor, actor: User
) -> HttpResponse:
    """Saved: submit too when asked. A refused submission leaves a saved draft to fix."""
    if not editor.wants_submission:
        messages.success(request, _("The entry was saved."))
        return redirect("department_catalog:detail", identifier=entry.identifier)
    try:
        services.catalog_entry_submit(entry=entry, actor=actor, comment=editor.comment())
    except (ValidationError, DomainError) as error:
        messages.error(
            request,
            _("The entry was saved but not submitted: %(reason)s") % {"reason": error_text(error)},
        )
        return redirect("department_catalog:edit", identifier=entry.identifier)
    messages.success(request, _("The entry was saved and submitted for review."))
    return redirect("department_catalog:detail", identifier=entry.identifier)


@login_required
@require_POST
def entry_submit(request: HttpRequest, identifier: str) -> HttpResponse:
    user = _department_member(request)
    entry = selectors.catalog_entry_of_department(user=user, identifier=identifier)
    submission = SubmissionForm(request.POST)
    if not submission.is_valid():
        # Iterating an ErrorList gives its messages as text; the stubs type its items as errors.
        messages.error(request, " ".join(submission.errors["comment"]))  # type: ignore[arg-type]
        return redirect("department_catalog:detail", identifier=entry.identifier)
    try:
        services.catalog_entry_submit(
            entry=entry, actor=user, comment=submission.cleaned_data["comment"]
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The entry was submitted for review."))
    return redirect("department_catalog:detail", identifier=entry.identifier)


@login_required
@require_POST
def entry_confirm(request: HttpRequest, identifier: str) -> HttpResponse:
    """The department's CDO confirms a submission (to the bureau) or returns it (with reason)."""
    user = _department_member(request)
    entry = selectors.catalog_entry_of_department(user=user, identifier=identifier)
    submission = SubmissionForm(request.POST)
    comment = submission.cleaned_data["comment"] if submission.is_valid() else ""
    confirm = request.POST.get("decision") == "confirm"
    service = services.catalog_entry_confirm if confirm else services.catalog_entry_cdo_return
    try:
        service(entry=entry, actor=user, comment=comment)
    except (ValidationError, DomainError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The entry was sent to the data bureau.")
            if confirm
            else _("The entry was returned."),
        )
    return redirect("department_catalog:detail", identifier=entry.identifier)
