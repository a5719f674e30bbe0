"""Demo data carries public secrets: production refuses to seed it and its deploy check fails
while any of it is in the database."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.api.models import ApiKey
from apps.demo.checks import demo_secrets_check
from tests.core.test_settings import GOOD_SECRET, _run_prod


def test_it_refuses_to_seed_under_the_production_profile():
    result = _run_prod("seed_demo", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="portal.example.cn")
    assert result.returncode != 0
    assert "seed_demo refuses to run" in result.stderr


def test_it_refuses_to_seed_whenever_demo_data_is_not_allowed(db, settings):
    settings.PORTAL_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="public API key"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_it_names_every_demo_secret_found(seeded):
    messages = [m.msg for m in demo_secrets_check()]
    assert any("demo API key" in m for m in messages)
    assert any("demo TOTP secret" in m for m in messages)
    users = next(m for m in messages if "published passwords" in m)
    assert "op_admin" in users and "reviewer" in users


def test_it_fails_check_deploy_while_demo_secrets_exist(seeded):
    with pytest.raises(SystemCheckError, match=r"demo\.E001"):
        call_command("check", deploy=True, stdout=io.StringIO())


def test_it_is_quiet_once_every_demo_secret_is_gone(seeded):
    ApiKey.objects.all().delete()
    TOTPDevice.objects.all().delete()
    for user in User.objects.all():
        user.set_password(f"a-new-private-password-{user.pk}")
        user.save(update_fields=["password"])
    assert demo_secrets_check() == []


def test_it_only_warns_about_users_who_still_have_the_published_password(seeded):
    user = User.objects.get(username="reviewer")
    user.set_password("changed-after-the-demo-2026")
    user.save(update_fields=["password"])
    users = next(m.msg for m in demo_secrets_check() if "published passwords" in m.msg)
    assert "reviewer" not in users.split(": ", 1)[1].split(", ")
