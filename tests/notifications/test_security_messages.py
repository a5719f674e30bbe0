"""Security messages: a second factor changed and a login lockout tell the user concerned, by
email at once, whatever the preferences; nobody else."""

from django.urls import reverse

from apps.notifications.kinds import Kind
from apps.notifications.models import Notification, OutboxMessage
from apps.twofactor import services as twofactor_services
from apps.twofactor.demo import give_demo_authenticator


def test_new_recovery_codes_tell_the_staff_member_only(reviewer, approver):
    reviewer.email = "reviewer@bureau.example.cn"
    reviewer.save()
    give_demo_authenticator(reviewer)
    twofactor_services.recovery_codes_replace(user=reviewer)
    notification = Notification.objects.get(kind=Kind.TWO_FACTOR_CHANGED)
    assert notification.recipient == reviewer
    assert notification.params == {"change": "recovery_codes"}
    assert OutboxMessage.objects.get().digest is False


def test_a_lockout_tells_the_locked_user(client, settings, department_member, outsider):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "dept_member", "password": "wrong-password-1"})
    [notification] = Notification.objects.filter(kind=Kind.ACCOUNT_LOCKED)
    assert notification.recipient == department_member
    assert notification.params["minutes"] == "30"


def test_a_lockout_of_a_name_that_is_nobodys_tells_nobody(client, settings, outsider):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "no_such_user", "password": "wrong-password-1"})
    assert not Notification.objects.exists()
