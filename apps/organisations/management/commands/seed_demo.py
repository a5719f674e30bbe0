"""Load the demo organisations and one user per role from fixtures/. Safe to run again."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.organisations.models import Bureau, Department, Operator
from apps.organisations.services import operator_create

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_organisations.json"


class Command(BaseCommand):
    help = "Load demo organisations and demo users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        with transaction.atomic():
            bureau, _ = Bureau.objects.update_or_create(
                code=data["bureau"]["code"], defaults={"name": data["bureau"]["name"]}
            )
            departments = self._departments(data["departments"])
            operators = self._operators(data["operators"])
            for spec in data["users"]:
                self._user(spec, bureau=bureau, departments=departments, operators=operators)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data: {len(departments)} departments, {len(operators)} operators, "
                f"{len(data['users'])} users"
            )
        )
        self.stdout.write("demo logins (username / password):")
        for spec in data["users"]:
            self.stdout.write(f"  {spec['username']:<14} {spec['password']}")

    def _departments(self, specs: list[dict[str, Any]]) -> dict[str, Department]:
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

    def _operators(self, specs: list[dict[str, Any]]) -> dict[str, Operator]:
        operators: dict[str, Operator] = {}
        for spec in specs:
            operator = Operator.objects.filter(credit_code=spec["credit_code"]).first()
            if operator is None:
                operator = operator_create(**spec)
            operators[spec["credit_code"]] = operator
        return operators

    def _user(
        self,
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
