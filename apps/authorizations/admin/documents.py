"""What the bureau's admin pages share: serving an uploaded document as a download."""

from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def attachment(document: FieldFile) -> FileResponse:
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=PurePath(document.name or "").name)
