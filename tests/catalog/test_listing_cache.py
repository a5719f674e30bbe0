"""The catalog page's cached counts and results: never stale after a change, and a page runs as
many queries with 50 entries as with 5, whether the cache is warm or not."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.catalog import services
from apps.catalog.listing_cache import GENERATION_KEY
from apps.catalog.models import CatalogEntry
from tests.factories import DEFAULT_FIELDS, entry_data, make_entry


def _facet(response, name: str) -> dict[str, int]:
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return {value.value: value.count for value in facet.values}


def _total(response) -> int:
    return response.context["page_obj"].paginator.count


def _results(response) -> str:
    """The facets, results and pages (the head carries a fresh CSP nonce on each request)."""
    return response.text.split('<div class="catalog-layout">', 1)[1]


def _listing(client, **params):
    response = client.get(reverse("catalog:list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def published(department, reviewer) -> CatalogEntry:
    return make_entry(
        department=department, status="published", reviewer=reviewer, title="全市公交线路站点信息"
    )


def test_a_published_entry_is_counted_and_listed_at_once(client, department, reviewer, published):
    before = _listing(client)
    assert _total(before) == 1
    entry = make_entry(department=department, status="submitted", sector="health")
    assert entry.identifier not in _listing(client).text  # the cached page, as it stands

    services.catalog_entry_publish(entry=entry, actor=reviewer)

    after = _listing(client)
    assert _total(after) == 2
    assert _facet(after, "sector") == {"education": 1, "health": 1}
    assert entry.identifier in after.text


def test_a_retired_entry_leaves_the_counts_and_the_list_at_once(client, reviewer, published):
    assert _facet(_listing(client), "department") == {"EDU": 1}

    services.catalog_entry_retire(entry=published, actor=reviewer, comment="数据已停止更新")

    after = _listing(client)
    assert _total(after) == 0
    assert _facet(after, "department") == {}
    assert published.identifier not in after.text


def test_an_edited_entry_is_counted_under_its_new_values_at_once(
    client, department, department_member, reviewer, published
):
    returned = make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )
    services.catalog_entry_transition(
        entry=make_entry(department=department, actor=department_member, status="submitted"),
        actor=reviewer, to_status="published",
    )  # fmt: skip
    assert _facet(_listing(client), "grade") == {"general": 2}

    services.catalog_entry_update(
        entry=returned, actor=department_member,
        data=entry_data(grade="important"), fields=DEFAULT_FIELDS,
    )  # fmt: skip
    services.catalog_entry_submit(entry=returned, actor=department_member)
    services.catalog_entry_publish(entry=returned, actor=reviewer)

    assert _facet(_listing(client), "grade") == {"general": 2, "important": 1}


def test_a_search_finds_an_entry_published_after_the_same_search(
    client, department, reviewer, published
):
    assert _total(_listing(client, q="公交")) == 1
    entry = make_entry(department=department, status="submitted", title="公交客流统计")

    services.catalog_entry_publish(entry=entry, actor=reviewer)

    after = _listing(client, q="公交")
    assert _total(after) == 2
    assert entry.identifier in after.text


def test_a_renamed_department_shows_its_new_name_at_once(client, department, published):
    assert department.name in _listing(client).text

    department.name = "市教育和体育局"
    department.save()

    facet = next(f for f in _listing(client).context["facets"] if f.name == "department")
    assert [value.label for value in facet.values] == ["市教育和体育局"]


def test_a_change_to_the_entries_by_any_path_is_counted_at_once(client, published):
    assert _facet(_listing(client), "sector") == {"education": 1}

    # Not through a service (a data fix in the shell): saving is enough.
    published.sector = "transport"
    published.save()

    assert _facet(_listing(client), "sector") == {"transport": 1}


def test_the_second_request_reads_the_counts_from_the_cache(
    client, published, django_assert_max_num_queries
):
    first = _listing(client, sector="education")
    with django_assert_max_num_queries(0):
        second = _listing(client, sector="education")
    assert _results(second) == _results(first)


def test_each_language_gets_its_own_labels_from_the_cache(client, published):
    chinese = _results(_listing(client))
    english = _results(client.get(reverse("catalog:list"), headers={"accept-language": "en"}))
    assert "Sort by:" in english
    assert "Sort by:" not in chinese
    assert ">education</a>" in english
    assert ">education</a>" not in chinese


def _grow_to(count: int, departments, reviewer) -> None:
    for number in range(CatalogEntry.objects.count(), count):
        make_entry(
            department=departments[number % 2], status="published", reviewer=reviewer,
            title=f"学校名录{number}", sector=["education", "health", "transport"][number % 3],
            openness=["open", "conditional"][number % 2],
        )  # fmt: skip


PAGES = [
    {},
    {"sector": "health"},
    {"q": "学校", "department": "EDU", "page": "2"},
    {"q": "学校", "sort": "title", "downloadable": "true"},
]


@pytest.mark.parametrize("warm", [False, True], ids=["cold cache", "warm cache"])
def test_a_page_runs_as_many_queries_with_50_entries_as_with_5(
    client, department, other_department, reviewer, django_assert_max_num_queries, warm
):
    # Cold: every count and result read from the database (6 queries at most: the department
    # filter's choice, the departments a search matches, the facets with the total, their
    # departments' names, the page and its download formats). Warm: only the department
    # filter's check that its code exists.
    budget = 1 if warm else 6
    for size in (5, 50):
        _grow_to(size, [department, other_department], reviewer)
        for params in PAGES:
            if warm:
                _listing(client, **params)
            else:
                cache.delete(GENERATION_KEY)
            with django_assert_max_num_queries(budget):
                _listing(client, **params)


def test_a_change_nothing_announces_shows_once_the_cache_expires(client, published, settings):
    """The bound for a lost announcement (Redis unreachable) or another process's change."""
    settings.CATALOG_LISTING_CACHE_SECONDS = 0  # expired as soon as stored
    assert _facet(_listing(client), "sector") == {"education": 1}

    CatalogEntry.objects.filter(pk=published.pk).update(sector="transport")  # no signal

    assert _facet(_listing(client), "sector") == {"transport": 1}
