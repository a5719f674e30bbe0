"""``{{ bars|peak_calls }}``: the day with most calls, the top of the usage chart's axis."""

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def peak_calls(bars: Iterable[Any]) -> int:
    return max((bar.calls for bar in bars), default=0)
