"""Demo catalog entries from fixtures/, moved through the real services. Safe to run again."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.cdo.selectors import active_cdo_assignment
from apps.organisations.demo import DemoOrganisations, department_user
from apps.organisations.models import Department

from . import services
from .models import CatalogEntry

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_catalog.json"
# The moves that bring a new draft to the fixture's status, each with the demo comment.
PATHS: dict[str, list[tuple[str, str]]] = {
    "draft": [],
    "awaiting_confirmation": [("submitted", "")],
    "submitted": [("submitted", "")],
    "returned": [("submitted", ""), ("returned", "请补充各字段的取值说明和更新时间。")],
    "published": [("submitted", ""), ("published", "")],
    "rejected": [("submitted", ""), ("rejected", "含个人违法信息，不宜纳入授权运营目录。")],
    "retired": [("submitted", ""), ("published", ""), ("retired", "已由新版地名数据替代。")],
}


@transaction.atomic
def seed_catalog(organisations: DemoOrganisations) -> int:
    reviewer = User.objects.get(username="reviewer")
    for spec in json.loads(FIXTURE.read_text(encoding="utf-8")):
        department = organisations.departments[spec["department"]]
        if CatalogEntry.objects.filter(department=department, title=spec["title"]).exists():
            continue
        _create(spec, department=department, reviewer=reviewer)
    return CatalogEntry.objects.count()


def _create(spec: dict[str, Any], *, department: Department, reviewer: User) -> None:
    clerk = department_user(department, "member")
    data = {
        key: spec[key] for key in services.ENTRY_FIELDS if key in spec and spec[key] is not None
    }
    data.setdefault("contact_name", clerk.get_full_name() or clerk.username)
    data.setdefault("contact_email", f"data@{department.code.lower()}.example.cn")
    entry = services.catalog_entry_create(
        department=department, actor=clerk, data=data, fields=spec["fields"]
    )
    for status, comment in PATHS[spec["status"]]:
        if status == "submitted":
            entry = services.catalog_entry_submit(entry=entry, actor=clerk)
            if entry.status == "awaiting_confirmation" and spec["status"] != entry.status:
                cdo = active_cdo_assignment(department=department)
                entry = services.catalog_entry_confirm(entry=entry, actor=cdo.user)  # type: ignore[union-attr]
            continue
        entry = services.catalog_entry_transition(
            entry=entry, actor=reviewer, to_status=status, comment=comment
        )
