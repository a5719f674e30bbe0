"""The demo data leaves notifications on every role's page (seed_demo goes through the services).
One test for all roles: seeding takes a while."""

import io

from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import User
from apps.notifications.models import Notification


def test_each_role_has_notifications_to_see(db, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    for username in ("edu_member", "water_cdo", "op_member", "reviewer"):
        user = User.objects.get(username=username)
        assert Notification.objects.filter(recipient=user).exists(), username
        client.force_login(user)
        response = client.get(reverse("notifications:list"))
        assert response.status_code == 200
        assert 'class="notification' in response.text
