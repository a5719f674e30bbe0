"""Shared set-up for registration tests: a movable clock, a conditional published entry, and
helpers that move an application through the real services."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.registration import clock, services
from apps.registration.choices import Kind
from tests.authorizations.conftest import (  # noqa: F401 - fixtures shared with those tests
    qualified,
    recommended,
    scenario,
)
from tests.factories import make_entry
from tests.notifications.conftest import smtp_server  # noqa: F401 - fixture
from tests.products.conftest import (  # noqa: F401 - an operator's products, to register
    authorization,
    grant,
    offered,
    product,
    rival,
)

# A Monday with no holiday near it: deadlines from here are plain weekdays.
MONDAY = date(2026, 6, 1)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, day: date) -> None:
        self.day = day
        monkeypatch.setattr(clock, "today", lambda: self.day)

    def move(self, days: int) -> date:
        self.day += timedelta(days=days)
        return self.day

    def set(self, day: date) -> date:
        self.day = day
        return day


@pytest.fixture
def today(monkeypatch) -> Clock:
    return Clock(monkeypatch, MONDAY)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 registration", content_type="application/pdf")


@pytest.fixture
def entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )


def apply(entry, actor, *, kind: str = Kind.FIRST, **overrides):
    data = {"summary": "全市中小学校名称、地址和在校学生数。", "documents": [pdf()]}
    data.update(overrides)
    return services.registration_apply(entry=entry, actor=actor, kind=kind, **data)


def to_notice(application, reviewer):
    services.registration_accept(application=application, actor=reviewer)
    return services.registration_open_notice(application=application, actor=reviewer)


def register(entry, member, reviewer, today: Clock, *, kind: str = Kind.FIRST, **overrides):
    """Apply, accept, open the notice, let it run out, register: the application."""
    application = to_notice(apply(entry, member, kind=kind, **overrides), reviewer)
    today.set(application.notice_ends + timedelta(days=1))
    return services.registration_conclude(application=application, actor=reviewer)
