"""Cell text → the normalized text the database is given, per field type, or a refusal.

Accepted forms (anything else is refused with a reason code, see reports.py):
- empty (or only spaces) → NULL where the field may be empty, else refused as "required";
- text: kept exactly as written (no trimming); a NUL character is refused;
- integer: optional sign and digits, or digits grouped by commas in threes ("1,234,567", as
  spreadsheets export them; any other comma is refused); within the 64-bit range;
- decimal: optional sign, digits with an optional decimal point, optional exponent ("1.5E+07"),
  or comma-grouped thousands as for integers; at most 100 characters;
- date: YYYY-MM-DD, YYYY/MM/DD and YYYY年MM月DD日, month and day with one or two digits;
- date and time: a date with - or /, then T or a space, HH:MM, optional :SS and fraction, optional
  zone (Z, +08:00, +0800, +08); without a zone the portal's TIME_ZONE applies; stored in UTC;
  a date alone means its midnight (spreadsheets store midnight as a bare date);
- boolean: true/false, t/f, yes/no, y/n, 1/0, 是/否 (any letter case).
Values other than text are trimmed of surrounding spaces first.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from django.utils import timezone as django_timezone

from apps.catalog.choices import FieldType

Converter = Callable[[str], Any]

INTEGER_MIN, INTEGER_MAX = -(2**63), 2**63 - 1
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})[-/](\d{1,2})|年(\d{1,2})月(\d{1,2})日)", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII | re.IGNORECASE,
)
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否"})
_MISSING = object()


class Invalid(Exception):
    """The value cannot be stored in its field; ``reason`` is a code of reports.REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def converter_for(
    data_type: str, *, nullable: bool, boolean_values: tuple[Any, Any] = ("t", "f")
) -> Converter:
    """The function that checks and normalizes one cell of a field.

    Each is one call per cell with a fast path for the common spelling first: ingest calls them
    millions of times, and a function call costs as much as the check itself.
    """
    if data_type == FieldType.BOOLEAN:
        return _boolean(nullable, boolean_values)
    # Keyed by the choices, which are str: a field's stored data_type finds its converter.
    converters: dict[str, Callable[[bool], Converter]] = {
        FieldType.STRING: _text,
        FieldType.INTEGER: _integer,
        FieldType.DECIMAL: _decimal,
        FieldType.DATE: _date,
        FieldType.DATETIME: _datetime,
    }
    return converters[data_type](nullable)


def _trim(raw: str, nullable: bool) -> str | None:
    """The value without surrounding spaces; None for an empty value that may be empty."""
    text = raw.strip()
    if text:
        return text
    if nullable:
        return None
    raise Invalid("required")


def _text(nullable: bool) -> Converter:
    def convert(raw: str) -> str | None:
        if not raw or raw.isspace():
            return _trim(raw, nullable)
        if "\x00" in raw:
            raise Invalid("nul")
        return raw

    return convert


def _integer(nullable: bool) -> Converter:
    def convert(raw: str) -> str | None:
        # Plain digits that surely fit in 64 bits go through as written.
        if len(raw) < 19 and raw.isdecimal() and raw.isascii():
            return raw
        text = _trim(raw, nullable)
        if text is None:
            return None
        if _INTEGER.fullmatch(text) is None:
            if _GROUPED.fullmatch(text) is None or "." in text:
                raise Invalid("integer")
            text = text.replace(",", "")
        value = int(text)
        if not INTEGER_MIN <= value <= INTEGER_MAX:
            raise Invalid("integer_range")
        return str(value)

    return convert


def _decimal(nullable: bool) -> Converter:
    def convert(raw: str) -> str | None:
        if len(raw) <= 100 and raw.replace(".", "", 1).isdecimal() and raw.isascii():
            return raw
        text = _trim(raw, nullable)
        if text is None:
            return None
        if len(text) > 100:
            raise Invalid("decimal")
        if _DECIMAL.fullmatch(text) is not None:
            return text
        if _GROUPED.fullmatch(text) is not None:
            return text.replace(",", "")
        raise Invalid("decimal")

    return convert


def _date(nullable: bool) -> Converter:
    def convert(raw: str) -> str | None:
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
            try:
                date.fromisoformat(raw)
            except ValueError:
                pass  # maybe another accepted spelling; the general path decides
            else:
                return raw
        text = _trim(raw, nullable)
        if text is None:
            return None
        match = _DATE.fullmatch(text)
        if match is None:
            raise Invalid("date")
        year, month, day = (int(part) for part in match.groups() if part is not None)
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            raise Invalid("date") from None

    return convert


def _datetime(nullable: bool) -> Converter:
    default_zone = django_timezone.get_default_timezone()

    def convert(raw: str) -> str | None:
        text = _trim(raw, nullable)
        if text is None:
            return None
        match = _DATETIME.fullmatch(text)
        if match is None:
            raise Invalid("datetime")
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        try:
            value = datetime(  # noqa: DTZ001 - the zone is attached just below
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), int((fraction or "0").ljust(6, "0")),
            )  # fmt: skip
            value = value.replace(tzinfo=_zone(zone) if zone else default_zone)
        except ValueError:
            raise Invalid("datetime") from None
        return value.astimezone(UTC).isoformat(sep=" ")

    return convert


def _zone(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _boolean(nullable: bool, values: tuple[Any, Any]) -> Converter:
    true_value, false_value = values
    words = {word: true_value for word in _TRUE} | {word: false_value for word in _FALSE}
    # The spellings spreadsheets write, found without trimming or lowering.
    exact = words | {word.upper(): value for word, value in words.items()}
    exact |= {word.capitalize(): value for word, value in words.items()}

    def convert(raw: str) -> Any:
        value = exact.get(raw, _MISSING)
        if value is not _MISSING:
            return value
        text = _trim(raw, nullable)
        if text is None:
            return None
        value = words.get(text.lower(), _MISSING)
        if value is _MISSING:
            raise Invalid("boolean")
        return value

    return convert
