"""Demo registrations, moved through the real services: every entry the demo authorizes is
registered first (the gate, ``REGISTRATION_REQUIRED_FOR_AUTHORIZATION``), one entry is in its
public notice, one awaits acceptance and one waits for missing materials. Safe to run again."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.organisations.demo import department_user

from . import clock, services
from .choices import Kind
from .models import RegistrationApplication

# The entries the demo's authorizations rest on (approved, or awaiting the approver).
REGISTERED = ["公交车辆实时到站数据", "中小学生学籍信息", "居民用水量统计", "法定传染病月报统计",
              "公交IC卡刷卡客流统计"]  # fmt: skip
IN_NOTICE = "社区卫生服务中心门诊量统计"
SUBMITTED = "医师执业注册信息"
INCOMPLETE = "出租车运营轨迹"
MISSING = "请补充：1. 数据来源说明；2. 数据安全评估报告；3. 授权运营实施方案中的数据范围页。"


def _material() -> SimpleUploadedFile:
    return SimpleUploadedFile("登记材料.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf")


def _apply(entry: CatalogEntry) -> RegistrationApplication:
    clerk = department_user(entry.department, "member")
    summary = f"{entry.title}：{entry.description[:120]}"
    return services.registration_apply(
        entry=entry, actor=clerk, kind=Kind.FIRST, summary=summary, documents=[_material()]
    )


@transaction.atomic
def seed_registrations() -> int:
    reviewer = User.objects.get(username="reviewer")
    for title in [*REGISTERED, IN_NOTICE, SUBMITTED, INCOMPLETE]:
        entry = CatalogEntry.objects.filter(title=title).first()
        if entry is None or entry.registration_applications.exists():
            continue
        application = _apply(entry)
        if title == SUBMITTED:
            continue
        if title == INCOMPLETE:
            services.registration_request_materials(
                application=application, actor=reviewer, reason=MISSING
            )
            continue
        services.registration_accept(application=application, actor=reviewer)
        services.registration_open_notice(application=application, actor=reviewer)
        if title == IN_NOTICE:
            continue
        # The demo steps over the 10 working days of the notice, which ended without objection.
        today = clock.today()
        RegistrationApplication.objects.filter(pk=application.pk).update(
            notice_starts=today - timedelta(days=20), notice_ends=today - timedelta(days=1)
        )
        services.registration_conclude(application=application, actor=reviewer)
    return RegistrationApplication.objects.count()
