"""API keys: the web pages (who may see, create, revoke), hashing, showing once, and the 401s."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.api.authentication import LAST_USED_RESOLUTION
from apps.api.models import ApiKey
from apps.api.selectors import KeyStatus
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import AUTHORIZATIONS_URL, bearer, key_list_url, make_key

KEY_PATTERN = re.compile(r'<code id="new-api-key" class="secret">(pdp_[a-z0-9]+_[\w-]+)</code>')


def _create(client, **data) -> tuple[object, str | None]:
    response = client.post(reverse("api_keys:create"), {"name": "路线规划生产环境", **data})
    found = KEY_PATTERN.search(response.text)
    return response, found.group(1) if found else None


def _database_text() -> str:
    """Every value of every table, as text: where a leaked key would be."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


# Creating and showing once -------------------------------------------------------------------


def test_it_shows_a_new_key_once_and_stores_only_its_prefix_and_hash(
    client, operator_admin, authorization
):
    client.force_login(operator_admin)
    response, raw = _create(client)

    assert response.status_code == 200
    assert raw is not None
    key = ApiKey.objects.get()
    _scheme, prefix, secret = raw.split("_", 2)
    assert key.prefix == prefix
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.created_by == operator_admin
    database = _database_text()
    assert secret not in database
    assert raw not in database
    history = list(key.history.values())
    assert history
    assert all(secret not in repr(row) for row in history)


def test_the_key_page_is_not_cached_and_the_key_goes_nowhere_else(client, operator_admin):
    client.force_login(operator_admin)
    response, raw = _create(client)
    secret = raw.split("_", 2)[2]

    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("Location")
    assert all(secret not in str(value) for value in client.session.values())
    assert all(secret not in str(message) for message in get_messages(response.wsgi_request))
    assert secret not in client.get(key_list_url()).text


def test_the_key_is_never_shown_again(client, operator_admin):
    client.force_login(operator_admin)
    _response, raw = _create(client)
    secret = raw.split("_", 2)[2]

    listing = client.get(key_list_url())
    assert f"pdp_{ApiKey.objects.get().prefix}_" in listing.text
    assert secret not in listing.text
    assert "new-api-key" not in listing.text


def test_a_new_key_works_at_once(client, operator_admin, authorization):
    client.force_login(operator_admin)
    _response, raw = _create(client)
    client.logout()

    response = client.get(AUTHORIZATIONS_URL, **bearer(raw))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [authorization.pk]


def test_it_records_the_expiry(client, operator_admin):
    client.force_login(operator_admin)
    _create(client, expires_at="2099-06-30T18:00")

    expires_at = timezone.localtime(ApiKey.objects.get().expires_at)
    assert (expires_at.year, expires_at.month, expires_at.day, expires_at.hour) == (2099, 6, 30, 18)


def test_it_refuses_an_expiry_in_the_past(client, operator_admin):
    client.force_login(operator_admin)
    response, raw = _create(client, expires_at="2020-01-01T00:00")

    assert raw is None
    assert response.context["form"].errors["expires_at"]
    assert not ApiKey.objects.exists()


def test_a_name_is_required(client, operator_admin):
    client.force_login(operator_admin)
    response = client.post(reverse("api_keys:create"), {"name": "  "})

    assert response.context["form"].errors["name"]
    assert not ApiKey.objects.exists()


def test_it_limits_a_key_to_chosen_authorizations(
    client, operator_admin, authorization, second_authorization
):
    client.force_login(operator_admin)
    form = client.get(reverse("api_keys:create")).context["form"]
    assert set(form.fields["authorizations"].queryset) == {authorization, second_authorization}

    _response, raw = _create(client, authorizations=[second_authorization.pk])

    assert set(ApiKey.objects.get().authorizations.all()) == {second_authorization}
    client.logout()
    results = client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()["results"]
    assert [row["id"] for row in results] == [second_authorization.pk]


def test_another_operators_authorization_cannot_be_chosen(
    client, operator_admin, authorization, other_operator_admin
):
    client.force_login(other_operator_admin)
    response, raw = _create(client, authorizations=[authorization.pk])

    assert raw is None
    assert response.context["form"].errors["authorizations"]
    assert not ApiKey.objects.exists()


# Who may ---------------------------------------------------------------------------------------


def test_members_see_the_keys_read_only(client, operator_admin, operator_member):
    key, _raw = make_key(operator_admin)
    client.force_login(operator_member)

    response = client.get(key_list_url())

    assert response.status_code == 200
    assert list(response.context["keys"]) == [key]
    assert response.context["can_manage"] is False
    assert reverse("api_keys:create") not in response.text
    assert reverse("api_keys:revoke", args=[key.pk]) not in response.text


def test_admins_get_new_key_and_revoke(client, operator_admin):
    key, _raw = make_key(operator_admin)
    client.force_login(operator_admin)

    response = client.get(key_list_url())

    assert response.context["can_manage"] is True
    assert reverse("api_keys:create") in response.text
    assert reverse("api_keys:revoke", args=[key.pk]) in response.text


def test_members_may_not_create_or_revoke(client, operator_admin, operator_member):
    key, _raw = make_key(operator_admin)
    client.force_login(operator_member)

    assert client.get(reverse("api_keys:create")).status_code == 403
    assert client.post(reverse("api_keys:create"), {"name": "x"}).status_code == 403
    assert client.get(reverse("api_keys:revoke", args=[key.pk])).status_code == 403
    assert client.post(reverse("api_keys:revoke", args=[key.pk])).status_code == 403
    assert ApiKey.objects.count() == 1
    key.refresh_from_db()
    assert key.revoked_at is None


@pytest.mark.parametrize("persona", ["department_member", "reviewer", "outsider"])
def test_users_without_an_operator_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(key_list_url()).status_code == 403
    assert client.get(reverse("api_keys:create")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(key_list_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_operators_key_answers_404(client, operator_admin, other_operator_admin):
    key, _raw = make_key(operator_admin)
    client.force_login(other_operator_admin)

    assert client.get(reverse("api_keys:revoke", args=[key.pk])).status_code == 404
    assert client.post(reverse("api_keys:revoke", args=[key.pk])).status_code == 404
    assert key not in client.get(key_list_url()).context["keys"]
    key.refresh_from_db()
    assert key.revoked_at is None


# Revoking --------------------------------------------------------------------------------------


def test_it_revokes_a_key_after_confirmation(client, operator_admin, authorization):
    key, raw = make_key(operator_admin)
    client.force_login(operator_admin)
    confirm = client.get(reverse("api_keys:revoke", args=[key.pk]))
    assert confirm.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is None

    response = client.post(reverse("api_keys:revoke", args=[key.pk]))

    assert response.status_code == 302
    assert response["Location"] == key_list_url()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.revoked_by == operator_admin
    assert key.history.first().history_user == operator_admin
    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 401


def test_revoking_twice_is_refused_with_a_message(client, operator_admin):
    key, _raw = make_key(operator_admin)
    client.force_login(operator_admin)
    client.post(reverse("api_keys:revoke", args=[key.pk]), follow=True)
    key.refresh_from_db()
    revoked_at = key.revoked_at

    response = client.post(reverse("api_keys:revoke", args=[key.pk]), follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    key.refresh_from_db()
    assert key.revoked_at == revoked_at


def test_the_list_shows_each_keys_status(client, operator_admin, authorization):
    make_key(operator_admin, name="active")
    expired, _ = make_key(operator_admin, name="expired", expires_at=timezone.now() + timedelta(1))
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, _ = make_key(operator_admin, name="revoked")
    client.force_login(operator_admin)
    client.post(reverse("api_keys:revoke", args=[revoked.pk]))

    keys = {key.name: key.status for key in client.get(key_list_url()).context["keys"]}

    assert keys == {
        "active": KeyStatus.ACTIVE,
        "expired": KeyStatus.EXPIRED,
        "revoked": KeyStatus.REVOKED,
    }


def test_the_list_runs_a_constant_number_of_queries(
    client, operator_admin, authorization, second_authorization
):
    client.force_login(operator_admin)
    make_key(operator_admin, authorizations=[authorization])
    client.get(key_list_url())  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        client.get(key_list_url())
    for number in range(5):
        make_key(
            operator_admin, name=f"k{number}", authorizations=[authorization, second_authorization]
        )
    with CaptureQueriesContext(connection) as six:
        response = client.get(key_list_url())

    assert len(response.context["keys"]) == 6
    assert len(six) == len(one)


# Authentication of API calls -------------------------------------------------------------------


def _assert_401(response, code: str) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_a_call_without_a_key_answers_401(client, db):
    _assert_401(client.get(AUTHORIZATIONS_URL), "not_authenticated")


@pytest.mark.parametrize(
    "header",
    [
        "Token abc",
        "Bearer",
        "Bearer pdp_nothing",
        "Bearer xyz_abcdefghij_secret",
        "Basic dXNlcjpwdw==",
    ],
)
def test_a_malformed_authorization_header_answers_401(client, db, header):
    _assert_401(client.get(AUTHORIZATIONS_URL, HTTP_AUTHORIZATION=header), "invalid_key")


def test_a_wrong_secret_answers_401(client, api_key):
    key, _raw = api_key
    wrong = f"pdp_{key.prefix}_{'x' * 43}"

    _assert_401(client.get(AUTHORIZATIONS_URL, **bearer(wrong)), "invalid_key")


def test_an_unknown_prefix_answers_401(client, api_key):
    _key, raw = api_key
    secret = raw.split("_", 2)[2]

    _assert_401(client.get(AUTHORIZATIONS_URL, **bearer(f"pdp_unknownpfx_{secret}")), "invalid_key")


def test_a_revoked_key_answers_401(client, api_key, operator_admin):
    from apps.api import services

    key, raw = api_key
    services.api_key_revoke(key=key, actor=operator_admin)

    _assert_401(client.get(AUTHORIZATIONS_URL, **bearer(raw)), "invalid_key")


def test_a_key_expires_to_the_second(client, operator_admin, authorization):
    key, raw = make_key(operator_admin, expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200

    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + timedelta(seconds=30))
    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now())
    _assert_401(client.get(AUTHORIZATIONS_URL, **bearer(raw)), "invalid_key")


def test_the_key_of_someone_who_left_answers_401(client, api_key, operator_admin):
    _key, raw = api_key
    operator_admin.is_active = False
    operator_admin.save(update_fields=["is_active"])

    _assert_401(client.get(AUTHORIZATIONS_URL, **bearer(raw)), "invalid_key")


def test_the_last_use_is_recorded_at_most_once_a_minute(client, api_key):
    key, raw = api_key
    assert key.last_used_at is None

    client.get(AUTHORIZATIONS_URL, **bearer(raw))
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    assert timezone.now() - first < timedelta(seconds=10)
    client.get(AUTHORIZATIONS_URL, **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at == first

    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - LAST_USED_RESOLUTION * 2)
    client.get(AUTHORIZATIONS_URL, **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at > first


def test_a_failed_call_does_not_count_as_use(client, api_key):
    key, _raw = api_key
    client.get(AUTHORIZATIONS_URL, **bearer(f"pdp_{key.prefix}_{'x' * 43}"))

    key.refresh_from_db()
    assert key.last_used_at is None


# Navigation ------------------------------------------------------------------------------------


def test_operators_find_keys_and_usage_in_the_navigation(client, operator_admin, operator_member):
    for user in (operator_admin, operator_member):
        client.force_login(user)
        links = {link.url for link in client.get(reverse("home")).context["navigation"]}
        assert {key_list_url(), reverse("operator_usage:index")} <= links


def test_only_operator_admins_are_offered_to_create_a_key(client, operator_admin, operator_member):
    client.force_login(operator_admin)
    actions = {link.url for link in client.get(reverse("home")).context["actions"]}
    assert reverse("api_keys:create") in actions

    client.force_login(operator_member)
    actions = {link.url for link in client.get(reverse("home")).context["actions"]}
    assert reverse("api_keys:create") not in actions
