"""Demo organisations and one user per role, from fixtures/. Safe to run again."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.models import User
from apps.organisations.models import Bureau, Department, Operator
from apps.organisations.services import operator_create

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_organisations.json"


@dataclass
class DemoOrganisations:
    bureau: Bureau
    departments: dict[str, Department]
    operators: dict[str, Operator]
    logins: list[tuple[str, str]]


@transaction.atomic
def seed_organisations() -> DemoOrganisations:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    bureau, _ = Bureau.objects.update_or_create(
        code=data["bureau"]["code"], defaults={"name": data["bureau"]["name"]}
    )
    departments = _departments(data["departments"])
    operators = _operators(data["operators"])
    for spec in data["users"]:
        _user(spec, bureau=bureau, departments=departments, operators=operators)
    logins = [(spec["username"], spec["password"]) for spec in data["users"]]
    return DemoOrganisations(bureau, departments, operators, logins)


def _departments(specs: list[dict[str, Any]]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for spec in specs:  # the fixture lists parents before their children
        departments[spec["code"]], _ = Department.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "parent": departments.get(spec.get("parent", "")),
            },
        )
    return departments


def _operators(specs: list[dict[str, Any]]) -> dict[str, Operator]:
    operators: dict[str, Operator] = {}
    for spec in specs:
        operator = Operator.objects.filter(credit_code=spec["credit_code"]).first()
        if operator is None:
            operator = operator_create(**spec)
        operators[spec["credit_code"]] = operator
    return operators


def _user(
    spec: dict[str, Any],
    *,
    bureau: Bureau,
    departments: dict[str, Department],
    operators: dict[str, Operator],
) -> None:
    is_bureau = spec.get("bureau", False)
    user, _ = User.objects.update_or_create(
        username=spec["username"],
        defaults={
            "first_name": spec["name"],
            "email": f"{spec['username']}@portal.example.cn",
            "is_staff": is_bureau or spec.get("superuser", False),
            "is_superuser": spec.get("superuser", False),
            "bureau": bureau if is_bureau else None,
            "department": departments.get(spec.get("department", "")),
            "operator": operators.get(spec.get("operator", "")),
            "organisation_role": spec.get("role", "member" if is_bureau else ""),
        },
    )
    user.set_password(spec["password"])
    user.save(update_fields=["password"])
    user.groups.set(Group.objects.filter(name__in=spec.get("groups", [])))


def department_user(department: Department, role: str) -> User:
    """A member or administrator of the department to act in the demo: the demo login if the
    department has one, else a service account that cannot log in."""
    user = department.users.filter(organisation_role=role).order_by("pk").first()
    if user is not None:
        return user
    user, created = User.objects.get_or_create(
        username=f"{department.code.lower()}_{role}",
        defaults={
            "first_name": department.name,
            "department": department,
            "organisation_role": role,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
