"""The public price list and a published annual disclosure as CSV, through the portal's one
export writer (apps/core/exports.py: no text cell is ever a formula). The rows are made from the
same querysets and content as the pages, so the files say what the pages say."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from apps.core.exports import csv_response

from .choices import FeeForm, ProductKind
from .models import AnnualDisclosure, Product


def price_list_header() -> list[str]:
    return [
        _("Product"), _("Operator"), _("Kind"), _("Fee form"), _("Unit"), _("Cap price (yuan)"),
        _("Actual price (yuan)"), _("Effective from"), _("Trial price"),
    ]  # fmt: skip


def price_list_rows(products: QuerySet[Product]) -> Iterable[list[Any]]:
    for product in products:
        yield [
            product.name, product.operator.name, product.get_kind_display(),
            product.get_fee_form_display(), product.unit,
            product.cap_amount, product.price_amount,  # type: ignore[attr-defined]
            product.price_from.isoformat() if product.price_from else "",  # type: ignore[attr-defined]
            _("yes") if product.price_trial else _("no"),  # type: ignore[attr-defined]
        ]  # fmt: skip


def price_list_csv(products: QuerySet[Product]) -> HttpResponse:
    return csv_response("prices", [price_list_header(), *price_list_rows(products)])


def _disclosure_table(disclosure: AnnualDisclosure) -> Iterator[list[Any]]:
    content = disclosure.content
    yield [_("Year"), disclosure.year]
    yield [_("Disclosed by"), disclosure.operator.name if disclosure.operator else _("data bureau")]
    yield [_("Statement"), disclosure.statement]
    for heading, key in ((_("Authorizations granted"), "authorizations"),
                         (_("Catalog entries held"), "resources")):  # fmt: skip
        if key in content:
            yield []
            yield [heading]
            yield [_("Authorization"), _("Operator"), _("Catalog entry"), _("Title"),
                   _("Scenario"), _("Valid from"), _("Valid until")]  # fmt: skip
            for row in content[key]:
                yield [row["id"], row["operator"], row["entry"], row["title"], row["scenario"],
                       row["valid_from"], row["valid_until"]]  # fmt: skip
    if "products" in content:
        yield []
        yield [_("Products and services")]
        yield [_("Product"), _("Kind"), _("Fee form")]
        for row in content["products"]:
            yield [row["name"], ProductKind(row["kind"]).label, FeeForm(row["fee_form"]).label]
    for heading, key in ((_("Cap prices"), "cap_prices"), (_("Actual prices"), "prices")):
        if key in content:
            yield []
            yield [heading]
            yield [_("Product"), _("Operator"), _("Fee form"), _("Unit"), _("Price (yuan)"),
                   _("Effective from")]  # fmt: skip
            for row in content[key]:
                yield [row["product"], row["operator"], FeeForm(row["fee_form"]).label,
                       row["unit"], row["amount"], row["effective_from"]]  # fmt: skip


def disclosure_csv(disclosure: AnnualDisclosure) -> HttpResponse:
    who = disclosure.operator.credit_code if disclosure.operator else "bureau"
    return csv_response(f"disclosure-{disclosure.year}-{who}", _disclosure_table(disclosure))
