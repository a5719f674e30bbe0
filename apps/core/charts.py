"""Horizontal bar charts drawn server-side as inline SVG: no script, no external library, and
the same numbers as the table beside them. Each chart has its axes (the categories on the left,
the scale below with 0, half and the largest value) and each bar its value, written as people
read it (¥12,345.67, 400,000)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apps.core.templatetags.numbers import count, yuan

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 110
ROW_HEIGHT = 24
BAR_HEIGHT = 16
AXIS_HEIGHT = 22  # the scale below the bars: its line, ticks and figures


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: int
    text_y: int
    shown: str = ""  # the value as people read it


@dataclass(frozen=True)
class Tick:
    x: int
    shown: str


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    ticks: list[Tick] = field(default_factory=list)

    @property
    def plot_height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT

    @property
    def height(self) -> int:
        return self.plot_height + AXIS_HEIGHT

    @property
    def plot_right(self) -> int:
        return self.width - VALUE_WIDTH

    @property
    def value_x(self) -> int:
        return self.width - VALUE_WIDTH + 8

    @property
    def tick_label_y(self) -> int:
        return self.plot_height + AXIS_HEIGHT - 4


def bar_chart(title: str, values: list[tuple[Any, Decimal]], *, money: bool = False) -> Chart:
    """One bar per (label, value), its length proportional to the largest value; a negative
    total (an adjustment bigger than the month's proceeds) draws no bar but keeps its figure."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    peak = max((value for _label, value in values), default=Decimal(0))
    shown = yuan if money else count
    bars = []
    for row, (label, value) in enumerate(values):
        width = int(room * value / peak) if peak > 0 and value > 0 else 0
        if value > 0 and width == 0:
            width = 1  # a small positive figure always shows
        top = row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(Bar(str(label), value, top, width, top + BAR_HEIGHT - 3, shown(value)))
    scale = [Decimal(0)] + ([peak / 2, peak] if peak > 0 else [])
    ticks = [
        Tick(LABEL_WIDTH + int(room * (tick / peak if peak > 0 else 0)), shown(tick))
        for tick in scale
    ]
    return Chart(title, bars, ticks=ticks)
