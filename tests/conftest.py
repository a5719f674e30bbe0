"""Personas shared by every test module: who is asking matters more than what is asked."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.core.cache import cache
from django.db.models import Q
from django.utils import translation

from apps.accounts.models import User
from apps.catalog.listing_cache import GENERATION_KEY
from apps.organisations.models import Department, Operator
from tests.clients import PortalClient
from tests.factories import BureauFactory, DepartmentFactory, OperatorFactory, UserFactory

PASSWORD = "pw-for-tests-1"


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore the migrations' rows (serialized_rollback=True).

    Without it, its teardown flush re-creates content types through post_migrate, and the next
    test that does restore them fails on a duplicate key, far from the test at fault.
    """
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "transactional tests without serialized_rollback=True:\n  " + "\n  ".join(offenders)
        )


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the site's default language (zh-hans), whatever the test before it
    left active: a request's LocaleMiddleware leaves its language on the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def client() -> PortalClient:
    """Requests go through the middleware stack the server gives their path: the API's own for
    /api/v1/, the full one for pages (config/handlers.py)."""
    return PortalClient()


@pytest.fixture
def department(db) -> Department:
    return DepartmentFactory(code="EDU", name="市教育局")


@pytest.fixture
def other_department(db) -> Department:
    return DepartmentFactory(code="HEALTH", name="市卫生健康委员会")


@pytest.fixture
def operator(db) -> Operator:
    return OperatorFactory(name="城市数据运营有限公司")


BUREAU_GROUPS = ("reviewer", "approver", "auditor")


@pytest.fixture(scope="session")
def bureau_group_permissions(
    django_db_setup, django_db_blocker
) -> dict[str, list[tuple[str, str]]]:
    """The bureau groups as the migrations made them, captured once per test session.

    Transactional tests (browser journeys, concurrency) flush every table afterwards, groups
    included; the personas below put the groups back as the migrations define them.
    """
    with django_db_blocker.unblock():
        return {
            group.name: list(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.filter(name__in=BUREAU_GROUPS)
        }


def _ensure_group(name: str, permissions: list[tuple[str, str]]) -> None:
    group, _ = Group.objects.get_or_create(name=name)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    if held != set(permissions):
        # A flush may have taken permission rows too: recreate them as post_migrate does.
        for app_config in django_apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
        wanted = Q(pk__in=[])
        for app_label, codename in permissions:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))


def _bureau_user(username: str, group: str, permissions: dict[str, list[tuple[str, str]]]) -> User:
    _ensure_group(group, permissions[group])
    return UserFactory(
        username=username,
        bureau=BureauFactory(),
        is_staff=True,
        organisation_role="member",
        groups=[group],
    )


@pytest.fixture
def reviewer(db, bureau_group_permissions) -> User:
    return _bureau_user("reviewer", "reviewer", bureau_group_permissions)


@pytest.fixture
def approver(db, bureau_group_permissions) -> User:
    return _bureau_user("approver", "approver", bureau_group_permissions)


@pytest.fixture
def auditor(db, bureau_group_permissions) -> User:
    return _bureau_user("auditor", "auditor", bureau_group_permissions)


@pytest.fixture
def department_member(department) -> User:
    return UserFactory(username="dept_member", department=department, organisation_role="member")


@pytest.fixture
def department_admin(department) -> User:
    return UserFactory(username="dept_admin", department=department, organisation_role="admin")


@pytest.fixture
def other_department_member(other_department) -> User:
    return UserFactory(
        username="other_member", department=other_department, organisation_role="member"
    )


@pytest.fixture
def operator_admin(operator) -> User:
    return UserFactory(username="op_admin", operator=operator, organisation_role="admin")


@pytest.fixture
def operator_member(operator) -> User:
    return UserFactory(username="op_member", operator=operator, organisation_role="member")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(username="outsider")


@pytest.fixture(autouse=True)
def _catalog_listing_generation():
    """Each test's rows are rolled back, not changed, so no save announces it: every test starts
    a fresh generation of the public catalog's cached counts (apps/catalog/listing_cache.py)."""
    cache.delete(GENERATION_KEY)
