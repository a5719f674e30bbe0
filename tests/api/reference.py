"""The test rows as Python values: what the API must answer, computed without the database."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.conftest import make_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


def reference_rows(count: int = 60) -> list[dict[str, Any]]:
    """Typed rows; ``_row`` is the position, as the data zone numbers rows."""
    rows = []
    for position, cells in enumerate(make_rows(count), start=1):
        code, district, quantity, amount, day, seen_at, is_open, _id_number = cells
        rows.append(
            {
                "_row": position,
                "code": code,
                "district": district or None,
                "quantity": int(quantity) if quantity else None,
                "amount": Decimal(amount) if amount else None,
                "day": date.fromisoformat(day) if day else None,
                "seen_at": _local(seen_at) if seen_at else None,
                "open": is_open == "是",
            }
        )
    return rows


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def ordered_codes(rows: list[dict[str, Any]], ordering: str) -> list[str]:
    """The API's order: by the field, then _row, the same direction; NULLs last either way."""
    descending = ordering.startswith("-")
    name = ordering.lstrip("-")
    present = sorted(
        (row for row in rows if row[name] is not None),
        key=lambda row: (row[name], row["_row"]),
        reverse=descending,
    )
    empty = sorted(
        (row for row in rows if row[name] is None), key=lambda row: row["_row"], reverse=descending
    )
    return [row["code"] for row in present + empty]
