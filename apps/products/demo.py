"""Demo products and prices: the demo operator's products in every review state, caps and actual
prices, a second operator (黔智交通, in its first year) priced under a trial figure, maximum
allowed revenues (last year's approved, with revenue above it carried over as a deduction; this
year's awaiting the bureau's check), the disclosures of last year published and this year's
drafts. Everything goes through the services, as a person would.

Safe to run again: once the demo operator has products, only what is missing is added.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.authorizations import services as authorization_services
from apps.authorizations.demo import application_advance
from apps.authorizations.models import Authorization
from apps.catalog.models import CatalogEntry
from apps.organisations.models import Operator
from apps.revenue import services as revenue_services
from apps.revenue.models import RevenueReport

from . import services
from .choices import CeilingStatus
from .models import AnnualDisclosure, MaximumAllowedRevenue, Product

DEMO_OPERATOR = "91520100MA6DKR4Q1N"  # 城市数据运营有限公司
TRIAL_OPERATOR = "91520115MA6H8G2L7M"  # 黔智交通: its first year, a trial figure
PDF = b"%PDF-1.4 demo review"

# name, kind, entry title of the authorization, use, fee form, unit, state, cap, price
PRODUCTS: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("公交到站实时查询服务", "data_service", "公交车辆实时到站数据", "industry", "per_call",
     "千次调用", "offered", "5.0000", "4.5000"),
    ("学区教育资源分析报告", "report", "中小学生学籍信息", "public_interest", "free", "",
     "offered", "0", "0"),
    ("居民用水需求预测模型", "model", "居民用水量统计", "industry", "per_time", "月",
     "security_passed", "", ""),
    ("公交到站准点核验接口", "verification", "公交车辆实时到站数据", "industry", "per_call",
     "千次调用", "submitted", "", ""),
    ("社区用水画像数据包", "data_product", "居民用水量统计", "industry", "per_volume", "GB",
     "refused", "", ""),
    ("用水量月度统计报告", "report", "居民用水量统计", "industry", "per_quantity", "份",
     "withdrawn", "800.0000", "600.0000"),
]  # fmt: skip


def _document() -> SimpleUploadedFile:
    return SimpleUploadedFile("审查意见.pdf", PDF, "application/pdf")


def _people() -> dict[str, User]:
    return {name: User.objects.get(username=name) for name in ("reviewer", "approver")}


def _member(operator: Operator) -> User:
    # The organisations and authorizations demos gave every demo operator a member.
    return operator.users.order_by("-organisation_role", "pk")[:1].get()


@transaction.atomic
def seed_products() -> int:
    people = _people()
    operator = Operator.objects.get(credit_code=DEMO_OPERATOR)
    trial = Operator.objects.get(credit_code=TRIAL_OPERATOR)
    if not Product.objects.filter(operator=operator).exists():
        for spec in PRODUCTS:
            _product(operator, spec, people)
    if not Product.objects.filter(operator=trial).exists():
        _trial_operator(trial, people)
    _ceilings(operator, people)
    _disclosures(operator, people)
    return Product.objects.count()


def _authorization(operator: Operator, entry_title: str) -> Authorization:
    return (
        Authorization.objects.in_force().filter(operator=operator, entry__title=entry_title).get()
    )


def _review(
    product: Product, kind: str, outcome: str, people: dict[str, User], reason: str
) -> None:
    services.product_review_record(
        product=product, actor=people["reviewer"], kind=kind, outcome=outcome, reason=reason,
        document=_document(),
    )  # fmt: skip


def _product(operator: Operator, spec: tuple[str, ...], people: dict[str, User]) -> None:
    name, kind, entry_title, use, fee_form, unit, state, cap, price = spec
    member = _member(operator)
    authorization = _authorization(operator, entry_title)
    product = services.product_submit(
        operator=operator, actor=member, authorizations=[authorization],
        scenario=authorization.scenario,
        data={"name": name, "kind": kind, "use": use, "fee_form": fee_form, "unit": unit,
              "description": f"基于“{entry_title}”开发的{name}，数据不出域，仅提供加工结果。"},
    )  # fmt: skip
    if state == "submitted":
        return
    _review(product, "security", "passed", people, "数据处理在数据专区内完成，符合安全要求。")
    if state == "security_passed":
        return
    if state == "refused":
        _review(product, "compliance", "failed", people, "数据包含户级明细，不符合业务合规要求。")
        return
    _review(product, "compliance", "passed", people, "产品用途与授权应用场景一致。")
    today = timezone.localdate()
    services.cap_price_set(
        product=product, actor=people["approver"], amount=Decimal(cap), effective_from=today,
        reason="依据最高准许收入和成本监审结果核定。",
    )  # fmt: skip
    services.actual_price_set(
        product=product, actor=member, amount=Decimal(price), effective_from=today
    )
    if price and Decimal(price) > 0 and state == "offered":
        # A price cut announced for next month: the old price stays visible with its dates.
        services.actual_price_set(
            product=product, actor=member, amount=Decimal(price) * Decimal("0.9"),
            effective_from=today + timedelta(days=30), reason="下月起优惠。",
        )  # fmt: skip
    if state == "withdrawn":
        services.product_withdraw(product=product, actor=member, reason="市场需求不足，停止提供。")


def _trial_operator(operator: Operator, people: dict[str, User]) -> None:
    """黔智交通 in its first year: an authorization, a trial maximum allowed revenue, one
    product priced under it."""
    member = _member(operator)
    authorization = Authorization.objects.in_force().filter(operator=operator).first()
    if authorization is None:
        entry = CatalogEntry.objects.get(title="公交IC卡刷卡客流统计")
        scenario = authorization_services.scenario_create(
            operator=operator, actor=member,
            data={"title": "公交客流时段分析", "sector": entry.sector, "use": "industry",
                  "description": "基于公交刷卡客流统计，分析各线路分时段客流。",
                  "expected_product": "线路客流分析报告"},
        )  # fmt: skip
        today = timezone.localdate()
        application = authorization_services.application_submit(
            operator=operator, actor=member, entry=entry, scenario=scenario,
            requested_fields=["line_no", "hour", "boardings"], purpose="用于线路客流分析。",
            requested_from=today, requested_until=today + timedelta(days=3 * 365),
            expected_daily_calls=2000,
        )  # fmt: skip
        application_advance(application, "active", people)
        authorization = Authorization.objects.get(application=application)
    year = timezone.localdate().year
    _ceiling(operator, year, people, trial=True, approve=True, labour="260000.00")
    product = services.product_submit(
        operator=operator, actor=member, authorizations=[authorization],
        scenario=authorization.scenario,
        data={"name": "线路分时段客流分析报告", "kind": "report", "use": "industry",
              "fee_form": "per_quantity", "unit": "份",
              "description": "按线路、按小时统计的刷卡客流分析报告。"},
    )  # fmt: skip
    _review(product, "security", "passed", people, "仅含统计结果，符合安全要求。")
    _review(product, "compliance", "passed", people, "产品用途与授权应用场景一致。")
    today = timezone.localdate()
    services.cap_price_set(
        product=product, actor=people["approver"], amount=Decimal("1200.0000"),
        effective_from=today, reason="运营未满一年，按试行标准核定。",
    )  # fmt: skip
    services.actual_price_set(
        product=product, actor=member, amount=Decimal("980.0000"), effective_from=today
    )


def _figures(labour: str, **overrides: Any) -> dict[str, Any]:
    return {
        "cost_platform": Decimal("8000.00"), "cost_transmission": Decimal("1200.00"),
        "cost_processing": Decimal("3500.00"), "cost_labour": Decimal(labour),
        "cost_other": Decimal("800.00"), "subsidies": Decimal("2000.00"),
        "treasury_yield": Decimal("1.68"), "yield_date": date(timezone.localdate().year, 1, 2),
        "profit_rate": Decimal("7.50"), "tax": Decimal("900.00"), "trial": False, **overrides,
    }  # fmt: skip


def _ceiling(
    operator: Operator, year: int, people: dict[str, User], *, trial: bool, approve: bool,
    labour: str,
) -> MaximumAllowedRevenue:  # fmt: skip
    existing = MaximumAllowedRevenue.objects.filter(operator=operator, year=year).first()
    if existing is not None:
        return existing
    ceiling = services.ceiling_propose(
        operator=operator, actor=_member(operator), year=year,
        figures=_figures(labour, trial=trial),
    )  # fmt: skip
    if approve:
        services.ceiling_check(ceiling=ceiling, actor=people["reviewer"], reason="成本项目有据。")
        ceiling = services.ceiling_approve(ceiling=ceiling, actor=people["approver"])
    return ceiling


def _ceilings(operator: Operator, people: dict[str, User]) -> None:
    """Last year approved and exceeded (two months reported, verified), carried over into this
    year; this year's proposal waits for the bureau's check."""
    last_year = timezone.localdate().year - 1
    ceiling = _ceiling(operator, last_year, people, trial=False, approve=True, labour="9000.00")
    _last_year_revenue(operator, last_year, people)
    if ceiling.status == CeilingStatus.APPROVED:
        services.revenue_ceiling_carry_over(ceiling=ceiling, actor=people["approver"])
    _ceiling(operator, last_year + 1, people, trial=False, approve=False, labour="42000.00")


def _last_year_revenue(operator: Operator, year: int, people: dict[str, User]) -> None:
    authorization = _authorization(operator, "公交车辆实时到站数据")
    start = datetime.combine(date(year, 11, 1), time(0), tzinfo=timezone.get_current_timezone())
    if authorization.valid_from > start:
        # Demo only (as apps/revenue/demo.py does): the authorization covers last November so
        # that last year's proceeds can be reported.
        Authorization.objects.filter(pk=authorization.pk).update(valid_from=start)
        authorization.history.update(valid_from=start)
        authorization.valid_from = start
    member = _member(operator)
    for month, amount in ((11, "16800.00"), (12, "19450.50")):
        period = date(year, month, 1)
        if RevenueReport.objects.filter(authorization=authorization, period=period).exists():
            continue
        report = revenue_services.revenue_report_submit(
            operator=operator, actor=member, authorization=authorization, period=period,
            amount=Decimal(amount), reference=f"FP-{period:%Y%m}-BUS",
        )  # fmt: skip
        revenue_services.revenue_report_verify(report=report, actor=people["reviewer"])
        product = Product.objects.get(operator=operator, name="公交到站实时查询服务")
        services.product_revenue_record(
            report=report, product=product, actor=member,
            amount=(report.amount * Decimal("0.8")).quantize(Decimal("0.01")),
        )  # fmt: skip


def _disclosures(operator: Operator, people: dict[str, User]) -> None:
    """Last year's published by the bureau and the demo operator; this year's drafts."""
    last_year = timezone.localdate().year - 1
    for who, actor in ((None, people["approver"]), (operator, _member(operator))):
        disclosure = services.disclosure_prepare(year=last_year, operator=who, actor=actor)
        if disclosure.status == "draft":
            services.disclosure_publish(
                disclosure=disclosure, actor=actor,
                statement="按照公共数据资源授权运营价格形成机制要求，公开上一年度情况。",
            )  # fmt: skip
    if not AnnualDisclosure.objects.filter(year=last_year + 1).exists():
        services.disclosures_open(year=last_year + 1)
