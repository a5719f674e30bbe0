"""Charts have axes and value labels, written as people read numbers, in both languages."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from apps.core.charts import bar_chart


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_bar_carries_its_value_and_the_scale_its_figures(language):
    with translation.override(language):
        chart = bar_chart(
            "shares", [("市教育局", Decimal("12345.68")), ("市卫健委", Decimal("100"))], money=True
        )
    assert [bar.shown for bar in chart.bars] == ["¥12,345.68", "¥100.00"]
    assert [tick.shown for tick in chart.ticks] == ["¥0.00", "¥6,172.84", "¥12,345.68"]
    assert chart.ticks[0].x == chart.label_width
    assert chart.ticks[-1].x == chart.plot_right


def test_counts_are_grouped_without_a_currency():
    chart = bar_chart("rows", [("市教育局", Decimal(400000))])
    assert chart.bars[0].shown == "400,000"


def test_the_chart_draws_both_axes_and_the_value_labels():
    chart = bar_chart("rows", [(f"部门{n}", Decimal(n * 1000)) for n in range(1, 46)])
    html = render_to_string("includes/bar_chart.html", {"chart": chart})
    assert html.count('class="axis"') == 2
    assert html.count('class="tick-label"') == 3
    assert html.count('class="value-label"') == 45
    assert ">45,000<" in html
    # Coordinates are numbers the browser reads: never grouped, even above 1,000.
    assert f'viewBox="0 0 640 {chart.height}"' in html
    assert chart.height > 1000


def test_an_empty_chart_says_so():
    html = render_to_string("includes/bar_chart.html", {"chart": bar_chart("rows", [])})
    assert "<svg" not in html
