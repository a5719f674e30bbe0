"""Record every file a signed-in user downloads (CSV/XLSX exports, error reports, documents)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import EventKind
from .services import audit_record

# The operator API meters every call in its own usage records (rows that left the zone
# included); an audit entry per API call would double that and queue each call on the chain.
API_PREFIX = "/api/"


class ExportAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if (
            response.status_code == 200
            and disposition.lower().startswith("attachment")
            # Anonymous downloads are public files by definition; logging them would let anyone
            # grow the log at will.
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and not request.path_info.startswith(API_PREFIX)
        ):
            # Written before the file leaves: if the entry cannot be written, neither is the file.
            audit_record(
                kind=EventKind.DATA_EXPORTED,
                request=request,
                details={
                    "path": request.path,
                    "query": dict(request.GET.items()),
                    "content_type": response.get("Content-Type", ""),
                    "disposition": disposition[:200],
                },
            )
        return response
