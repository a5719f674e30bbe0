"""Numbers as people read them, in both languages: money as ¥ with 2 decimals grouped by
thousands, ratios as percentages, prices with their unit, counts grouped."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from apps.core.templatetags.numbers import count, percent, price_with_unit, yuan


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_ratios_and_counts(language):
    with translation.override(language):
        assert yuan(Decimal("105159.95")) == "¥105,159.95"
        assert yuan(Decimal("0")) == "¥0.00"
        assert yuan(Decimal("-1200")) == "-¥1,200.00"
        assert yuan(None) == "—"
        assert percent(Decimal("0.3000")) == "30%"
        assert percent(Decimal("0.125")) == "12.5%"
        assert count(400000) == "400,000"


@pytest.mark.parametrize(
    ("language", "per_row", "flat", "free"),
    [("zh-hans", "0.002 元/行", "1,200.00 元/月", "免费"),
     ("en", "0.002 yuan per row", "1,200.00 yuan per month", "free of charge")],
)  # fmt: skip
def test_prices_carry_their_unit(language, per_row, flat, free):
    with translation.override(language):
        assert price_with_unit(SimpleNamespace(fee_basis="per_row", price=Decimal("0.0020"))) == (
            per_row
        )
        assert price_with_unit(SimpleNamespace(fee_basis="flat", price=Decimal("1200"))) == flat
        assert price_with_unit(SimpleNamespace(fee_basis="free", price=Decimal("0"))) == free
