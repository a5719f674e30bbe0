"""Demo qualifications, scenarios, applications in every state and authorizations in force.

Everything goes through the real services, so the demo's history reads like real use. Safe to
run again: an operator that already has scenarios is left as it is.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.cdo.selectors import active_cdo_assignment
from apps.organisations.demo import DemoOrganisations, department_user
from apps.organisations.models import Operator

from . import services
from .choices import RuleEffect
from .models import Application, CombinationRule, QualificationType, Scenario

PDF = b"%PDF-1.4\n% demo evidence document\n"
# (operator credit code, qualification days left or None for "pending review")
QUALIFICATIONS = {
    "91520100MA6DKR4Q1N": 400,  # 城市数据运营: qualified
    "91520115MA6H8G2L7M": 20,  # 黔智交通: qualified, expiring within 30 days
    "91520100MA6E3N8W5Y": None,  # 普惠金融: evidence awaiting review
    "91520102MA6J0T3K8F": -5,  # 康健医疗: expired
}
# operator, scenario, use, entry title, requested fields, final state
PLAN: list[tuple[str, str, str, str, list[str], str]] = [
    ("91520100MA6DKR4Q1N", "公交出行智能规划", "industry", "公交车辆实时到站数据",
     ["line_no", "stop_name", "arrived_at", "load_factor"], "active"),
    ("91520100MA6DKR4Q1N", "学区教育资源分析", "public_interest", "中小学生学籍信息",
     ["school_code", "grade_level", "enrolled_on"], "active"),
    ("91520100MA6DKR4Q1N", "居民用水需求预测", "industry", "居民用水量统计",
     ["community", "district", "month", "households", "volume_m3"], "active"),
    ("91520100MA6DKR4Q1N", "公交出行智能规划", "industry", "公交IC卡刷卡客流统计",
     ["line_no", "hour", "boardings"], "recommended"),
    ("91520100MA6DKR4Q1N", "居民用水需求预测", "industry", "用水户缴费记录",
     ["account_no", "period", "due", "paid"], "department_agreed"),
    ("91520100MA6DKR4Q1N", "传染病流行趋势预警", "public_interest", "法定传染病月报统计",
     ["month", "district", "disease", "cases"], "suspended"),
    ("91520115MA6H8G2L7M", "出租车运力调度", "industry", "出租车运营轨迹",
     ["recorded_at", "longitude", "latitude", "occupied"], "department_disagreed"),
    ("91520115MA6H8G2L7M", "社区健康服务评估", "public_interest", "社区卫生服务中心门诊量统计",
     ["center_code", "month", "visits"], "submitted"),
    ("91520115MA6H8G2L7M", "企业信用画像", "industry", "企业年报财务数据",
     ["credit_code", "year", "revenue"], "rejected"),
    ("91520115MA6H8G2L7M", "婚育服务统计", "public_interest", "婚姻登记信息",
     ["kind", "registered_on"], "withdrawn"),
    # Waits for the education bureau's opinion: its CDO's first work queue item.
    ("91520115MA6H8G2L7M", "学生通学交通规划", "public_interest", "中小学生学籍信息",
     ["school_code", "grade_level"], "submitted"),
]  # fmt: skip


def _operator_member(operator: Operator) -> User:
    user = operator.users.order_by("-organisation_role", "pk").first()
    if user is not None:
        return user
    user = User.objects.create(
        username=f"op_{operator.credit_code[-6:].lower()}", first_name=operator.name,
        operator=operator, organisation_role="admin",
    )  # fmt: skip
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _qualify(operator: Operator, days: int | None, reviewer: User) -> None:
    actor, today = _operator_member(operator), timezone.localdate()
    for kind in QualificationType.objects.filter(required=True):
        start = today - timedelta(days=700)
        qualification = services.qualification_submit(
            operator=operator, actor=actor, qualification_type=kind,
            number=f"{kind.code.upper()}-{operator.credit_code[-6:]}",
            document=ContentFile(PDF, name=f"{kind.code}.pdf"),
            valid_from=start, valid_until=today + timedelta(days=max(days or 365, 1)),
        )  # fmt: skip
        if days is not None:
            services.qualification_review(qualification=qualification, actor=reviewer, approve=True)
        if days is not None and days < 0:
            # Let it lapse: the evidence was valid once and has expired since.
            type(qualification).objects.filter(pk=qualification.pk).update(
                valid_until=today + timedelta(days=days)
            )


def _scenario(operator: Operator, title: str, use: str, entry: CatalogEntry) -> Scenario:
    existing = operator.scenarios.filter(title=title).first()
    if existing:
        return existing
    return services.scenario_create(
        operator=operator, actor=_operator_member(operator),
        data={"title": title, "sector": entry.sector, "use": use,
              "description": f"基于“{entry.title}”等数据，{title}。",
              "expected_product": f"{title}数据服务"},
    )  # fmt: skip


def application_advance(application: Application, state: str, people: dict[str, User]) -> None:
    """Take a demo application to ``state`` through the services (other demos use it too)."""
    department = application.entry.department
    cdo = active_cdo_assignment(department=department)
    department_admin = cdo.user if cdo else department_user(department, "admin")
    if state == "withdrawn":
        services.application_withdraw(application=application, actor=application.applicant)
        return
    if state == "submitted":
        return
    agree = state != "department_disagreed"
    services.application_department_opinion(
        application=application, actor=department_admin, agree=agree,
        comment="" if agree else "轨迹数据涉及个人出行信息，暂不同意提供。",
    )  # fmt: skip
    if state in ("department_agreed", "department_disagreed"):
        return
    if state == "rejected":
        services.application_recommend(
            application=application, actor=people["reviewer"], recommendation="reject",
            comment="应用场景与申请字段不匹配。",
        )  # fmt: skip
        services.application_reject(
            application=application, actor=people["approver"], reason="应用场景与申请字段不匹配。"
        )
        return
    services.application_recommend(
        application=application, actor=people["reviewer"], recommendation="approve"
    )
    if state == "recommended":
        return
    authorization = services.application_approve(
        application=application, actor=people["approver"], scope=_scope(application),
        agreement=_agreement(application),
    )  # fmt: skip
    if state == "suspended":
        services.authorization_suspend(
            authorization=authorization,
            actor=people["approver"],
            reason="年度安全评估整改期间暂停。",
        )


def _scope(application: Application) -> dict[str, Any]:
    now = timezone.now()
    free = application.scenario.use == "public_interest"
    return {
        "allowed_fields": application.requested_fields, "row_filter": [],
        "valid_from": now - timedelta(days=30), "valid_until": now + timedelta(days=3 * 365),
        "daily_row_quota": 100_000, "fee_basis": "free" if free else "per_row",
        "price": Decimal("0") if free else Decimal("0.002"),
    }  # fmt: skip


def _agreement(application: Application) -> dict[str, Any]:
    return {
        "number": f"SQ-{timezone.localdate():%Y}-{application.pk:04d}",
        "data_scope": f"{application.entry.identifier} {application.entry.title}",
        "product_list": application.scenario.expected_product,
        "security_review_done": True, "compliance_review_done": True,
        "revenue_distribution": "按授权收入的约定比例返还数据提供部门。",
        "disclosure_duties": "按季度公开数据使用情况。",
        "exit_and_renewal": "期满前60日内可申请续期；违约即终止授权。",
    }  # fmt: skip


# The bureau's combination rules (aggregation risk): name, description, tags, effect.
COMBINATION_RULES = [
    (
        "个人身份与精确时空信息",
        "同一运营主体不得同时持有可识别个人身份的字段与精确位置、精确时间字段，以防还原个人行踪。",
        ["personal_identifier", "exact_location", "exact_time"],
        RuleEffect.FORBIDDEN,
    ),
    (
        "车辆识别与精确轨迹",
        "车辆识别信息与精确位置、精确时间组合可还原车辆轨迹，须说明理由并经第二审批人同意。",
        ["vehicle", "exact_location", "exact_time"],
        RuleEffect.NEEDS_JUSTIFICATION,
    ),
    (
        "个人身份与金融信息",
        "可识别个人身份的字段与金融信息组合，须说明理由并经第二审批人同意。",
        ["personal_identifier", "financial"],
        RuleEffect.NEEDS_JUSTIFICATION,
    ),
]


def _seed_combination_rules(approver: User) -> None:
    for name, description, tags, effect in COMBINATION_RULES:
        if not CombinationRule.objects.filter(name=name).exists():
            rule = CombinationRule(name=name, description=description, tags=tags, effect=effect)
            services.combination_rule_save(rule=rule, actor=approver, reason="演示数据")


@transaction.atomic
def seed_authorizations(organisations: DemoOrganisations) -> int:
    people = {name: User.objects.get(username=name) for name in ("reviewer", "approver")}
    for code, days in QUALIFICATIONS.items():
        operator = organisations.operators[code]
        if not operator.qualifications.exists():
            _qualify(operator, days, people["reviewer"])
    for code, title, use, entry_title, fields, state in PLAN:
        operator = organisations.operators[code]
        entry = CatalogEntry.objects.get(title=entry_title)
        if Application.objects.filter(operator=operator, entry=entry).exists():
            continue
        scenario = _scenario(operator, title, use, entry)
        today = timezone.localdate()
        application = services.application_submit(
            operator=operator, actor=_operator_member(operator), entry=entry, scenario=scenario,
            requested_fields=fields, purpose=f"用于{title}。", requested_from=today,
            requested_until=today + timedelta(days=3 * 365), expected_daily_calls=5000,
        )  # fmt: skip
        application_advance(application, state, people)
    # After the approvals: a rule made later lists the operators that already breach it.
    _seed_combination_rules(people["approver"])
    return Application.objects.count()
