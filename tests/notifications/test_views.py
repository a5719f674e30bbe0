"""The header's bell, the notifications page and the preferences page."""

import pytest
from django.urls import reverse

from apps.notifications import services
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification, NotificationPreference


def _tell(user, number: int, url: str = "/departments/catalog/EDU-00001/"):
    return services.notification_send(
        kind=Kind.ENTRY_RETURNED, recipients=[user], url=url,
        params={"identifier": f"EDU-{number:05d}", "title": "学校名录", "reason": "补充"},
    )  # fmt: skip


def test_the_bell_counts_unread_with_the_same_queries_for_1_or_40(
    client, department_member, django_assert_max_num_queries
):
    client.force_login(department_member)
    client.get(reverse("home"))  # the key figures are cached for a few minutes
    _tell(department_member, 1)
    # The home page's budget (tests/core/test_home.py) and the bell's count.
    with django_assert_max_num_queries(9) as one:
        response = client.get(reverse("home"))
    assert '<span class="bell-count" id="notification-count">1<' in response.text
    for number in range(2, 41):
        _tell(department_member, number)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("home"))
    assert '<span class="bell-count" id="notification-count">40<' in response.text


def test_no_badge_without_unread(client, department_member):
    client.force_login(department_member)
    response = client.get(reverse("home"))
    assert 'id="notification-bell"' in response.text
    assert "notification-count" not in response.text


def test_the_page_lists_newest_first_filters_unread_and_shows_only_ones_own(
    client, department_member, other_department_member, django_assert_max_num_queries
):
    for number in (1, 2, 3):
        _tell(department_member, number)
    _tell(other_department_member, 9)
    Notification.objects.filter(params__identifier="EDU-00001").update(read_at="2026-01-01T00:00Z")
    client.force_login(department_member)
    with django_assert_max_num_queries(10):
        text = client.get(reverse("notifications:list")).text
    assert text.index("EDU-00003") < text.index("EDU-00002") < text.index("EDU-00001")
    assert "EDU-00009" not in text
    unread = client.get(reverse("notifications:list") + "?unread=1").text
    assert "EDU-00002" in unread and "EDU-00001" not in unread


def test_opening_marks_read_and_lands_on_the_object(client, department_member):
    [notification] = _tell(department_member, 1)
    client.force_login(department_member)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/departments/catalog/EDU-00001/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_another_persons_notification(client, department_member, outsider):
    [notification] = _tell(department_member, 1)
    client.force_login(outsider)
    assert client.post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_outside_link_is_not_followed(client, department_member):
    [notification] = _tell(department_member, 1, url="https://evil.example/")
    client.force_login(department_member)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(client, department_member):
    _tell(department_member, 1)
    _tell(department_member, 2)
    client.force_login(department_member)
    client.post(reverse("notifications:read-all"))
    assert not Notification.objects.unread().filter(recipient=department_member).exists()


@pytest.mark.parametrize("name", ["notifications:list", "notifications:preferences"])
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_preferences_offer_the_users_kinds_and_save_them(client, operator_member):
    client.force_login(operator_member)
    response = client.get(reverse("notifications:preferences"))
    page = response.text
    assert 'name="application_approved"' in page
    assert 'name="entry_returned"' not in page  # a department's kind
    assert 'name="api_key_created"' not in page  # security: shown, never offered
    form = response.context["form"]
    data = {name: form[name].initial for name in form.kinds}
    data |= {"language": "en", "application_approved": "digest", "authorization_revoked": "off"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    chosen = {p.kind: (p.email, p.digest) for p in NotificationPreference.objects.all()}
    assert chosen[Kind.APPLICATION_APPROVED] == (True, True)
    assert chosen[Kind.AUTHORIZATION_REVOKED] == (False, False)
    assert operator_member.language_preference.language == "en"


def test_a_bad_choice_is_a_field_error(client, operator_member):
    client.force_login(operator_member)
    response = client.post(
        reverse("notifications:preferences"), {"language": "fr", "application_approved": "loud"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"language", "application_approved"}
