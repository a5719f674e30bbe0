"""The demo data leaves notifications on every role's page (seed_demo goes through the services)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import User
from apps.notifications.models import Notification


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("username", ["edu_member", "water_cdo", "op_member", "reviewer"])
def test_each_role_has_notifications_to_see(seeded, client, username):
    user = User.objects.get(username=username)
    assert Notification.objects.filter(recipient=user).exists()
    client.force_login(user)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert 'class="notification' in response.text
