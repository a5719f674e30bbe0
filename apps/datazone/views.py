"""Department pages of the data zone: upload rows for an entry, follow the load, read the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.catalog.selectors import catalog_entry_of_department
from apps.core.errors import DomainError

from . import reports, selectors, services
from .choices import UPLOAD_ENTRY_STATUSES, VersionStatus
from .forms import SizeLimitUploadHandler, UploadForm

VERSIONS_PER_PAGE = 50


def _entry_of_member(request: HttpRequest, identifier: str) -> tuple[User, CatalogEntry]:
    """Only department members; another department's entry answers 404."""
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None:
        raise PermissionDenied
    return user, catalog_entry_of_department(user=user, identifier=identifier)


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so the check runs inside, after the handler is installed (Django's documented pattern).
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def versions(request: HttpRequest, identifier: str) -> HttpResponse:
    user, entry = _entry_of_member(request, identifier)  # before any byte of the body is read
    handler = SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return _versions(request, user, entry, handler)


@csrf_protect
def _versions(
    request: HttpRequest, user: User, entry: CatalogEntry, handler: SizeLimitUploadHandler
) -> HttpResponse:
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, refused_size=handler.refused)
        if form.is_valid():
            try:
                version = services.data_version_upload(
                    entry=entry, actor=user, file=form.cleaned_data["file"],
                    encoding=form.cleaned_data["encoding"],
                )  # fmt: skip
            except (ValidationError, DomainError) as error:
                form.add_error("file", error.message if isinstance(error, DomainError) else error)
            else:
                messages.success(
                    request,
                    _("Version %(number)s is queued for loading.") % {"number": version.number},
                )
                return redirect("datazone:versions", identifier=entry.identifier)
        status = 413 if handler.refused else 200
    return render(
        request, "datazone/versions.html", _page_context(request, entry, form), status=status
    )


def _page_context(request: HttpRequest, entry: CatalogEntry, form: UploadForm) -> dict[str, object]:
    page = Paginator(selectors.data_versions_of_entry(entry=entry), VERSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    newest = page.object_list[0] if page.number == 1 and page.object_list else None
    report = None
    if newest is not None and newest.status == VersionStatus.FAILED:
        report = reports.described(selectors.data_version_errors(version=newest))
    return {
        "entry": entry,
        "fields": entry.fields.all(),
        "page": page,
        "versions": page.object_list,
        "live": selectors.live_version_of(entry=entry),
        "held": selectors.held_version_of(entry=entry),
        "pending": newest if newest is not None and newest.is_pending else None,
        "newest": newest,
        "report": report,
        "form": form,
        "takes_data": entry.status in UPLOAD_ENTRY_STATUSES,
    }


@login_required
@require_POST
def confirm(request: HttpRequest, identifier: str, number: int) -> HttpResponse:
    """The department's answer to a held upload: confirm it goes live, or discard it."""
    user, entry = _entry_of_member(request, identifier)
    version = selectors.data_version_of_entry(entry=entry, number=number)
    discard = request.POST.get("decision") == "discard"
    try:
        if discard:
            services.data_version_discard(version=version, actor=user)
        else:
            services.data_version_confirm(version=version, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = (
            _("Version %(number)s was discarded; the live version stays live.")
            if discard
            else _("Version %(number)s is live.")
        )
        messages.success(request, done % {"number": version.number})
    return redirect("datazone:versions", identifier=entry.identifier)


@never_cache
@login_required
@require_GET
def progress(request: HttpRequest, identifier: str, number: int) -> JsonResponse:
    _user, entry = _entry_of_member(request, identifier)
    version = selectors.data_version_of_entry(entry=entry, number=number)
    return JsonResponse(
        {
            "status": version.status,
            "rows_processed": version.rows_processed,
            "rows_total_estimate": version.rows_total_estimate,
            "percent": version.percent,
            "error_count": version.error_count,
        }
    )


@login_required
@require_GET
def errors(request: HttpRequest, identifier: str, number: int) -> HttpResponse:
    _user, entry = _entry_of_member(request, identifier)
    version = selectors.data_version_of_entry(entry=entry, number=number)
    response = HttpResponse(
        "".join(reports.errors_csv(version.errors)), content_type="text/csv; charset=utf-8"
    )
    filename = f"{entry.identifier}-v{version.number}-errors.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
