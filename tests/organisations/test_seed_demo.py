from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from apps.accounts.models import Role, User
from apps.organisations.credit_code import validate_credit_code
from apps.organisations.models import Department, DepartmentKind, Operator


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int]:
    return Department.objects.count(), Operator.objects.count(), User.objects.count()


def test_seed_demo_is_idempotent_and_prints_the_logins(db):
    output = _seed()
    first = _counts()
    _seed()
    assert _counts() == first
    assert first[0] >= 6 and first[1] >= 4
    assert "reviewer-demo-2026" in output


def test_seed_demo_covers_every_kind_and_role(db):
    _seed()
    assert {d.kind for d in Department.objects.all()} == set(DepartmentKind.values)
    for operator in Operator.objects.all():
        validate_credit_code(operator.credit_code)
    roles = {u.role for u in User.objects.all()}
    assert {Role.BUREAU, Role.DEPARTMENT, Role.OPERATOR} <= roles
    reviewer = authenticate(username="reviewer", password="reviewer-demo-2026")
    assert reviewer is not None
    assert reviewer.groups.filter(name="reviewer").exists()


def test_readme_lists_the_demo_logins(db, settings):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    for line in _seed().splitlines():
        if line.startswith("  ") and "-demo-" in line:
            username, password = line.split()
            assert username in readme and password in readme
