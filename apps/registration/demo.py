"""Demo registrations, moved through the real services: every entry the demo authorizes is
registered first (the gate, ``REGISTRATION_REQUIRED_FOR_AUTHORIZATION``), one entry is in its
public notice, one awaits acceptance and one waits for missing materials; of the operator's offered
products, one is registered and one is in its public notice. Safe to run again."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.organisations.demo import department_user
from apps.products.models import Product

from . import clock, services
from .choices import Kind
from .models import RegistrationApplication

# The entries the demo's authorizations rest on (approved, or awaiting the approver).
REGISTERED = ["公交车辆实时到站数据", "中小学生学籍信息", "居民用水量统计", "法定传染病月报统计",
              "公交IC卡刷卡客流统计"]  # fmt: skip
IN_NOTICE = "社区卫生服务中心门诊量统计"
SUBMITTED = "医师执业注册信息"
INCOMPLETE = "出租车运营轨迹"
# Offered products of the demo operator (apps/products/demo.py), registered by it.
PRODUCT_REGISTERED = "公交到站实时查询服务"
PRODUCT_IN_NOTICE = "学区教育资源分析报告"
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
        _conclude(application, reviewer)
    return RegistrationApplication.objects.count()


def _conclude(application: RegistrationApplication, reviewer: User) -> None:
    # The demo steps over the 10 working days of the notice, which ended without objection.
    today = clock.today()
    RegistrationApplication.objects.filter(pk=application.pk).update(
        notice_starts=today - timedelta(days=20), notice_ends=today - timedelta(days=1)
    )
    services.registration_conclude(application=application, actor=reviewer)


@transaction.atomic
def seed_product_registrations() -> int:
    """After the products demo: the operator registers two of its offered products."""
    reviewer = User.objects.get(username="reviewer")
    for name in (PRODUCT_REGISTERED, PRODUCT_IN_NOTICE):
        product = Product.objects.offered().filter(name=name).first()
        if product is None or product.registration_applications.exists():
            continue
        # The operator's member (the demo login), as the products demo acts.
        member = product.operator.users.order_by("-organisation_role", "pk")[:1].get()
        application = services.registration_apply(
            product=product, actor=member, kind=Kind.FIRST, documents=[_material()],
            summary=f"{product.name}：{product.description[:120]}",
        )  # fmt: skip
        services.registration_accept(application=application, actor=reviewer)
        services.registration_open_notice(application=application, actor=reviewer)
        if name == PRODUCT_REGISTERED:
            _conclude(application, reviewer)
    return RegistrationApplication.objects.filter(product__isnull=False).count()
