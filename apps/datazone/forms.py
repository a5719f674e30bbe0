from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import EncodingChoice

# Multipart framing and the other form fields on top of the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV only)"),
        choices=EncodingChoice.choices,
        initial=EncodingChoice.AUTO,
    )

    def __init__(self, *args: Any, refused_size: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_size = refused_size
        self.fields["file"].required = not refused_size
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or GB18030) or Excel .xlsx, with a header row naming the fields; "
            "at most %(limit)s."
        ) % {"limit": filesizeformat(settings.DATAZONE_MAX_UPLOAD_BYTES)}

    def clean_file(self) -> Any:
        if self.refused_size:
            # The upload handler dropped the file before any of it was stored.
            raise ValidationError(
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(settings.DATAZONE_MAX_UPLOAD_BYTES)},
                code="too_large",
            )
        upload = self.cleaned_data["file"]
        services.check_upload_size(upload.size)
        services.check_file_name(upload.name)
        return upload


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses an over-size upload before it is written anywhere: the request's declared length
    is checked first, then the bytes as they arrive (for requests without a length)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = settings.DATAZONE_MAX_UPLOAD_BYTES
        self.refused = False
        self.request_length = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, *args: Any, **kwargs: Any
    ) -> None:
        self.request_length = content_length or 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.request_length > self.limit + FORM_OVERHEAD_BYTES:
            self.refused = True
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.refused = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
