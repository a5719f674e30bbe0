"""Numbers as people read them, in both languages: money as ¥ with 2 decimals grouped by
thousands, ratios as percentages, prices with their unit, counts grouped."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from apps.authorizations.models import Authorization
from apps.core.templatetags.numbers import count, percent, price_with_unit, yuan
from apps.registration.models import YearArrangement
from apps.revenue.models import RevenueShareRecord


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


# Django's localization: every number a template shows is grouped; identifiers and years are not.


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_templates_group_numbers_by_thousands_in_both_languages(language):
    template = Template("{% load l10n %}{{ rows }} · {{ amount }} · {{ pk|unlocalize }}")
    with translation.override(language):
        shown = template.render(
            Context({"rows": 400000, "amount": Decimal("105159.95"), "pk": 2934})
        )
    assert shown == "400,000 · 105,159.95 · 2934"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_admin_shows_ratios_as_percent_money_in_yuan_prices_with_their_unit(language):
    authorization_admin = admin.site._registry[Authorization]
    record_admin = admin.site._registry[RevenueShareRecord]
    authorization = Authorization(
        pk=1234, fee_basis="per_row", price=Decimal("0.0020"), revenue_share_ratio=Decimal("0.3")
    )
    record = RevenueShareRecord(pk=5678, amount=Decimal("105159.95"), ratio=Decimal("0.3000"))
    unit = {"zh-hans": "元/行", "en": "yuan per row"}[language]
    with translation.override(language):
        assert "30%" in authorization_admin.revenue_share_ratio_shown(authorization)
        assert f"0.002 {unit}" in authorization_admin.price_shown(authorization)
        assert "¥105,159.95" in record_admin.amount_shown(record)
        assert "30%" in record_admin.ratio_shown(record)
        assert record_admin.id_shown(record) == "#5678"


def test_the_revenue_ledger_offers_years_unseparated(client, approver):
    client.force_login(approver)
    page = client.get(reverse("bureau_revenue:index")).text
    year = timezone.localdate().year
    assert f'<option value="{year}">{year}</option>' in page
    assert f"{year:,}" not in page


def test_the_admin_lists_a_years_holiday_arrangement_as_a_year(client, reviewer):
    YearArrangement.objects.create(year=2031, announcement="国办发明电〔2030〕7号")
    client.force_login(reviewer)
    page = client.get(reverse("admin:registration_yeararrangement_changelist")).text
    assert "2031" in page
    assert "2,031" not in page
