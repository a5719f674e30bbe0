"""Demo CDOs: most departments have one; the water group has a past and a current term and
needs its CDO to confirm catalog submissions; the civil affairs bureau has none."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.demo import DemoOrganisations, department_user
from apps.organisations.models import Department

from .models import CdoAssignment
from .services import cdo_appoint

WITHOUT_CDO = {"CIVIL"}
TITLES = {"soe": "首席数据官（副总经理）", "government": "首席数据官（副局长）"}


def _former_cdo(department: Department) -> User:
    user, created = User.objects.get_or_create(
        username=f"{department.code.lower()}_former_cdo",
        defaults={"first_name": "前任首席数据官", "department": department,
                  "organisation_role": "admin"},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_cdos(organisations: DemoOrganisations) -> int:
    bureau_admin = User.objects.get(username="admin")
    now = timezone.now()
    for code, department in organisations.departments.items():
        if code in WITHOUT_CDO or CdoAssignment.objects.filter(department=department).exists():
            continue
        title = TITLES.get(department.kind, "首席数据官")
        if code == "WATER":
            cdo_appoint(
                department=department, user=_former_cdo(department),
                actor=bureau_admin, title=title, document_number="水务司〔2024〕12号",
                term_start=now - timedelta(days=700),
            )  # fmt: skip
            department.submissions_need_cdo_confirmation = True
            department.save(update_fields=["submissions_need_cdo_confirmation"])
        cdo_appoint(
            department=department,
            user=department_user(department, "admin"),
            actor=bureau_admin, title=title,
            document_number=f"{department.code}〔{now:%Y}〕{department.pk:02d}号",
            term_start=now - timedelta(days=90), phone="0851-8000" + f"{department.pk:04d}",
        )  # fmt: skip
    return CdoAssignment.objects.active().count()
