"""Who sees which catalog entries: the public sees published ones, a department its own."""

import pytest
from django.http import Http404

from apps.catalog import selectors
from tests.factories import UserFactory, make_entry


@pytest.fixture
def entries(department, other_department, department_member, reviewer):
    made = {
        status: make_entry(
            department=department, actor=department_member, status=status, reviewer=reviewer
        )
        for status in ("draft", "submitted", "published", "retired")
    }
    other_member = UserFactory(department=other_department, organisation_role="member")
    made["theirs"] = make_entry(
        department=other_department, actor=other_member, status="published", reviewer=reviewer
    )
    return made


def test_the_public_sees_published_entries_only(entries):
    assert set(selectors.catalog_entries_public()) == {entries["published"], entries["theirs"]}
    identifier = entries["published"].identifier
    assert selectors.catalog_entry_public(identifier=identifier) == entries["published"]
    for status in ("draft", "submitted", "retired"):
        with pytest.raises(Http404):
            selectors.catalog_entry_public(identifier=entries[status].identifier)


def test_a_department_member_sees_the_departments_entries_only(entries, department_member):
    own = selectors.catalog_entries_of_department(user=department_member)
    assert set(own) == {entries[s] for s in ("draft", "submitted", "published", "retired")}
    with pytest.raises(Http404):
        selectors.catalog_entry_of_department(
            user=department_member, identifier=entries["theirs"].identifier
        )


def test_an_operator_or_outsider_sees_no_department_entries(entries, operator_member, outsider):
    assert not selectors.catalog_entries_of_department(user=operator_member).exists()
    assert not selectors.catalog_entries_of_department(user=outsider).exists()


def test_the_field_history_is_the_entrys_own_newest_first(entries):
    entry = entries["published"]
    history = list(selectors.catalog_field_history(entry=entry))
    assert history and {record.entry_id for record in history} == {entry.pk}
    dates = [record.history_date for record in history]
    assert dates == sorted(dates, reverse=True)
