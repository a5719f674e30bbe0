"""The API's JSON parser: a body that is too large, not UTF-8, not JSON or nested too deeply is a
client's mistake and answers 400 in the API's error shape (and so is metered like every call),
never a server error. DRF's own parser lets ``RecursionError`` escape and reads any size."""

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit: int = settings.API_MAX_JSON_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The JSON body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError(_("The body is not valid UTF-8.")) from error
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
        except ValueError as error:
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from error


def _refuse_constant(name: str) -> None:
    # NaN and Infinity are not JSON (RFC 8259); Python's parser would accept them.
    raise ValueError(f"{name} is not allowed")
