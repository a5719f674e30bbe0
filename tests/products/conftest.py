"""Shared set-up for product tests: the revenue world (a qualified operator holding an
authorization valid since 400 days ago, a rival operator, bureau personas) plus helpers that
list a product and take it through the bureau's two reviews."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.authorizations.models import Scenario
from apps.products import services
from apps.products.models import Product
from tests.revenue.conftest import (  # noqa: F401 - fixtures
    _media,
    authorization,
    entry,
    grant,
    qualified,
    rival,
)

TODAY = timezone.localdate


def review_document() -> SimpleUploadedFile:
    return SimpleUploadedFile("review.pdf", b"%PDF-1.4 review", "application/pdf")


def product_data(**overrides: Any) -> dict[str, Any]:
    return {"name": "学区查询服务", "description": "按地址查询所属学区", "kind": "data_service",
            "use": "industry", "fee_form": "per_call", "unit": "次", **overrides}  # fmt: skip


def submit_product(authorization, member, **overrides: Any) -> Product:  # noqa: F811
    scenario = overrides.pop("scenario", None) or authorization.scenario
    return services.product_submit(
        operator=authorization.operator, actor=member, data=product_data(**overrides),
        authorizations=[authorization], scenario=scenario,
    )  # fmt: skip


def review(product: Product, reviewer, kind: str, outcome: str = "passed") -> Any:
    return services.product_review_record(
        product=product, actor=reviewer, kind=kind, outcome=outcome, reason="符合要求",
        document=review_document(),
    )  # fmt: skip


def offer(product: Product, reviewer) -> Product:
    review(product, reviewer, "security")
    review(product, reviewer, "compliance")
    product.refresh_from_db()
    return product


@pytest.fixture
def product(authorization, operator_member) -> Product:  # noqa: F811
    return submit_product(authorization, operator_member)


@pytest.fixture
def offered(product, reviewer) -> Product:
    return offer(product, reviewer)


def set_cap(product: Product, approver, amount: str, on: date | None = None) -> Any:
    return services.cap_price_set(
        product=product, actor=approver, amount=Decimal(amount), effective_from=on or TODAY()
    )


def set_price(product: Product, member, amount: str, on: date | None = None) -> Any:
    return services.actual_price_set(
        product=product, actor=member, amount=Decimal(amount), effective_from=on or TODAY()
    )


__all__ = ["Scenario"]
