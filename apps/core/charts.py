"""Horizontal bar charts drawn server-side as inline SVG: no script, no external library, and
the same numbers as the table beside them."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 110
ROW_HEIGHT = 24
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT

    @property
    def value_x(self) -> int:
        return self.width - VALUE_WIDTH + 8


def bar_chart(title: str, values: list[tuple[Any, Decimal]]) -> Chart:
    """One bar per (label, value), its length proportional to the largest value; a negative
    total (an adjustment bigger than the month's proceeds) draws no bar but keeps its figure."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    peak = max((value for _label, value in values), default=Decimal(0))
    bars = []
    for row, (label, value) in enumerate(values):
        width = int(room * value / peak) if peak > 0 and value > 0 else 0
        if value > 0 and width == 0:
            width = 1  # a small positive figure always shows
        top = row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(Bar(str(label), value, top, width, top + BAR_HEIGHT - 3))
    return Chart(title, bars)
