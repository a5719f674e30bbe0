"""Money and period arithmetic of revenue sharing: pure functions, no database.

Rounding rule (one rule, used everywhere a yuan amount is derived):
    a derived amount is quantized to the fen (0.01 yuan) with ROUND_HALF_UP — halves round away
    from zero, so a negative adjustment rounds like its positive twin.
    department share = quantize(amount × ratio); retained = amount − share.
Because the retained amount is a subtraction, not a second rounding, share + retained equals the
reported amount exactly for every record, and so every sum of records balances too
(../shared/domain.md: "Money is exact (decimal yuan to the fen)").
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.authorizations.choices import FeeBasis

FEN = Decimal("0.01")
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Split:
    share: Decimal  # credited to the providing department
    retained: Decimal  # kept by the operator


def split_share(amount: Decimal, ratio: Decimal) -> Split:
    share = to_fen(amount * ratio)
    return Split(share=share, retained=amount - share)


def adjustment_split(
    *, corrected_amount: Decimal, ratio: Decimal, amount_so_far: Decimal, share_so_far: Decimal
) -> tuple[Decimal, Split]:
    """The difference an adjusting record carries: (amount, its share and retained part).

    Its share is what brings the original and its adjustments to exactly the share the rule gives
    for the corrected amount, so a correction credits what a correct first report would have.
    """
    difference = corrected_amount - amount_so_far
    share = split_share(corrected_amount, ratio).share - share_so_far
    return difference, Split(share=share, retained=difference - share)


class NoFeeRule(LookupError):
    """A fee basis with no pricing rule here: billing it 0.00 would hide the gap, so it fails."""


def metered_fee(
    *, fee_basis: str, price: Decimal, calls: int, rows: int, in_force_in_period: bool
) -> Decimal:
    """The fee the authorization's pricing gives for one month of successful use.

    Public-interest use is free (65号). A flat fee is the full price for every month the
    authorization overlaps, with no pro-rata share for a month it only partly covers (the pricing
    rules fix a price per period, 65号). Any other basis raises NoFeeRule.
    """
    match fee_basis:
        case FeeBasis.FREE:
            return Decimal("0.00")
        case FeeBasis.PER_CALL:
            return to_fen(price * calls)
        case FeeBasis.PER_ROW:
            return to_fen(price * rows)
        case FeeBasis.FLAT:
            return to_fen(price) if in_force_in_period else Decimal("0.00")
    raise NoFeeRule(f"No fee rule for the fee basis '{fee_basis!s}'.")


# Periods: a period is a calendar month, stored as the date of its first day. -----------------


class BadPeriod(ValueError):
    pass


def parse_period(text: str) -> date:
    """ "2026-10" → date(2026, 10, 1); anything else raises BadPeriod with a message to show."""
    match = PERIOD_PATTERN.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise BadPeriod(_("Give the period as a month, YYYY-MM (for example 2026-10)."))
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_label(period: date) -> str:
    return f"{period:%Y-%m}"


def next_period(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_period(period: date) -> date:
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def current_period() -> date:
    return timezone.localdate().replace(day=1)


def period_bounds(period: date) -> tuple[datetime, datetime]:
    """The month as [start, end) instants in the portal's time zone (Asia/Shanghai): usage at
    00:30 on the 1st belongs to the new month, whatever UTC says."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(period, time.min, tzinfo=zone)
    end = datetime.combine(next_period(period), time.min, tzinfo=zone)
    return start, end


def completed_periods(count: int) -> list[date]:
    """The ``count`` most recent months that are over, latest first."""
    periods, period = [], previous_period(current_period())
    for _index in range(count):
        periods.append(period)
        period = previous_period(period)
    return periods
