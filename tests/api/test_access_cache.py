"""The per-worker access cache (apps/api/access_cache.py): a repeated call skips the access
checks' queries, and every kind of committed change to what they read is refused on the very
next call. These tests commit for real (the announcement is sent on commit) and run the real
listener thread against the test database."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import remove_perm

from apps.api.access_cache import access_cache
from apps.api.models import ApiKey
from apps.api.services import api_key_revoke
from apps.authorizations import services
from apps.authorizations.models import Authorization, Qualification
from apps.authorizations.services.authorizations import QUERY_PERMISSION
from apps.catalog.models import CatalogEntry
from apps.datazone.models import DataVersion
from tests.api.conftest import load_rows, make_rows, url
from tests.factories import make_entry

on_sqlite = connection.vendor == "sqlite"
pytestmark = [
    pytest.mark.skipif(on_sqlite, reason="the cache listens to PostgreSQL; off on SQLite"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cache_on(settings) -> Iterator[None]:
    settings.API_ACCESS_CACHE = True
    assert access_cache.wait_until_listening(), "the listener did not connect"
    yield
    access_cache.stop()


def records(api, authorization, **parameters):
    return api.get(url("records", authorization.entry.identifier), parameters)


def settle() -> None:
    """Wait until the announcements of the fixtures' own commits have all arrived, so that none
    lands in the middle of what a test measures."""
    while access_cache.wait_for_change(access_cache.epoch(), timeout=0.3):
        pass


def warm(api, authorization) -> None:
    """Settle, then fill the cache (and today's quota row) with one full page."""
    settle()
    records(api, authorization, page_size=50)


def queries_of(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def announced(change: Callable[[], object]) -> None:
    """Commit ``change`` and wait until this process's listener has heard of it."""
    before = access_cache.epoch()
    change()
    assert access_cache.wait_for_change(before), "the change was not announced"


def test_a_repeated_call_skips_the_access_queries(cache_on, api, authorization):
    def page():  # a full page (60 rows): nothing of the reservation to give back
        return records(api, authorization, page_size=50)

    settle()
    page()  # fills the cache and today's quota row
    full = queries_of(page)  # cached now
    access_cache.invalidate()
    uncached = queries_of(page)
    # Cached: the quota reservation, the page and the usage record — nothing else.
    assert full == 3
    assert uncached >= full + 4


@pytest.mark.parametrize("change", ["suspend", "revoke"])
def test_a_suspension_or_revocation_is_refused_on_the_next_call(
    cache_on, api, authorization, approver, change
):
    assert records(api, authorization).status_code == 200
    move = {"suspend": services.authorization_suspend, "revoke": services.authorization_revoke}
    announced(lambda: move[change](authorization=authorization, actor=approver, reason="违规"))
    assert records(api, authorization).status_code == 404


def test_a_revoked_key_is_refused_on_the_next_call(cache_on, api, authorization, operator_admin):
    assert records(api, authorization).status_code == 200
    key = ApiKey.objects.get(operator=authorization.operator)
    announced(lambda: api_key_revoke(key=key, actor=operator_admin))
    assert records(api, authorization).status_code == 401


def test_a_deactivated_key_owner_is_refused_on_the_next_call(
    cache_on, api, authorization, operator_admin
):
    assert records(api, authorization).status_code == 200
    operator_admin.is_active = False
    announced(lambda: operator_admin.save(update_fields=["is_active"]))
    assert records(api, authorization).status_code == 401


def test_a_lost_qualification_is_refused_on_the_next_call(cache_on, api, authorization):
    assert records(api, authorization).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    mine = Qualification.objects.filter(operator=authorization.operator)
    announced(lambda: mine.update(valid_until=yesterday))
    assert records(api, authorization).status_code == 403


def test_a_withdrawn_permission_is_refused_on_the_next_call(cache_on, api, authorization):
    # Defence in depth: the guardian permission alone, without any change to the authorization.
    assert records(api, authorization).status_code == 200
    group = authorization.operator.group
    announced(lambda: remove_perm(QUERY_PERMISSION, group, authorization.entry))
    assert records(api, authorization).status_code == 404


def test_a_key_limited_afterwards_is_refused_on_the_next_call(
    cache_on, api, authorization, grant, qualified, operator_member, second_entry
):
    assert records(api, authorization).status_code == 200
    other = grant(qualified, operator_member, second_entry)
    key = ApiKey.objects.get(operator=authorization.operator)
    announced(lambda: key.authorizations.set([other]))
    assert records(api, authorization).status_code == 404


def test_a_new_live_version_is_read_on_the_next_call(cache_on, api, authorization, tmp_path):
    first = records(api, authorization, page_size=1000).json()["results"]
    announced(lambda: load_rows(authorization.entry, make_rows(75), tmp_path, name="more.csv"))
    second = records(api, authorization, page_size=1000).json()["results"]
    assert (len(first), len(second)) == (60, 75)


def test_an_authorization_expires_to_the_second_while_cached(
    cache_on, api, authorization, monkeypatch
):
    until = timezone.now() + timedelta(hours=1)
    announced(lambda: Authorization.objects.filter(pk=authorization.pk).update(valid_until=until))
    monkeypatch.setattr(timezone, "now", lambda: until - timedelta(seconds=1))
    assert records(api, authorization).status_code == 200
    assert records(api, authorization).status_code == 200  # served from the cache
    monkeypatch.setattr(timezone, "now", lambda: until)
    assert records(api, authorization).status_code == 404


def test_bookkeeping_writes_do_not_empty_the_cache(cache_on, api, authorization):
    warm(api, authorization)
    before = access_cache.epoch()
    ApiKey.objects.filter(operator=authorization.operator).update(last_used_at=timezone.now())
    assert not access_cache.wait_for_change(before, timeout=0.5)
    assert queries_of(lambda: records(api, authorization, page_size=50)) == 3


def quiet(change: Callable[[], object]) -> None:
    """Commit ``change`` and check that no announcement empties the cache."""
    before = access_cache.epoch()
    change()
    assert not access_cache.wait_for_change(before, timeout=0.5), "the change was announced"


def test_a_department_editing_a_draft_does_not_empty_the_cache(
    cache_on, api, authorization, department, department_member
):
    draft = make_entry(department=department, actor=department_member, title="草稿")
    warm(api, authorization)
    draft.title = "草稿（修改）"
    quiet(lambda: draft.save(update_fields=["title"]))
    assert queries_of(lambda: records(api, authorization, page_size=50)) == 3


def test_a_version_that_is_not_live_does_not_empty_the_cache(
    cache_on, api, authorization, tmp_path
):
    earlier = DataVersion.objects.get(entry=authorization.entry, is_live=True)
    announced(lambda: load_rows(authorization.entry, make_rows(61), tmp_path, name="new.csv"))
    warm(api, authorization)
    quiet(lambda: DataVersion.objects.filter(pk=earlier.pk).update(source_encoding="gb18030"))
    assert queries_of(lambda: records(api, authorization, page_size=50)) == 3


def test_retiring_a_published_entry_is_announced(cache_on, api, authorization):
    records(api, authorization)
    entry = authorization.entry
    announced(lambda: CatalogEntry.objects.filter(pk=entry.pk).update(status="retired"))


def test_without_the_listener_every_call_checks_everything(
    cache_on, api, authorization, monkeypatch
):
    warm(api, authorization)

    def unreachable():
        raise OSError("database unreachable")

    access_cache.stop()
    monkeypatch.setattr(access_cache, "_connect", unreachable)  # the next listener cannot connect
    first = queries_of(lambda: records(api, authorization, page_size=50))
    second = queries_of(lambda: records(api, authorization, page_size=50))
    assert not access_cache.is_listening()
    assert first == second > 3


def test_no_answer_outlives_the_safety_bound(cache_on, api, authorization, settings):
    # Should a notification be lost, API_ACCESS_CACHE_SECONDS still bounds how stale it gets.
    warm(api, authorization)
    assert queries_of(lambda: records(api, authorization, page_size=50)) == 3
    settings.API_ACCESS_CACHE_SECONDS = 0
    assert queries_of(lambda: records(api, authorization, page_size=50)) > 3
