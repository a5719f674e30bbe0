"""The public catalog pages: anyone may browse, only published entries ever show."""

import pytest
from django.urls import reverse

from apps.catalog.views_public import PAGE_SIZE
from tests.factories import DepartmentFactory, make_entry

HIDDEN_STATUSES = ["draft", "submitted", "returned", "rejected", "retired"]


def _identifiers(response) -> set[str]:
    return {entry.identifier for entry in response.context["page_obj"]}


def _facet(response, name: str) -> dict[str, int]:
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return {value.value: value.count for value in facet.values}


@pytest.fixture
def hidden_entries(department, reviewer) -> list:
    return [
        make_entry(department=department, status=status, reviewer=reviewer, title="隐藏的公交数据")
        for status in HIDDEN_STATUSES
    ]


@pytest.fixture
def catalog(department, other_department, reviewer) -> dict[str, object]:
    """Three published entries over two departments, with different classifications."""
    return {
        "bus": make_entry(
            department=department,
            status="published",
            reviewer=reviewer,
            title="全市公交线路站点信息",
            sector="transport",
            openness="open",
        ),
        "schools": make_entry(department=department, status="published", reviewer=reviewer),
        "clinics": make_entry(
            department=other_department,
            status="published",
            reviewer=reviewer,
            title="医疗机构名录",
            sector="health",
            grade="important",
        ),
    }


def test_it_lists_only_published_entries(client, catalog, hidden_entries):
    response = client.get(reverse("catalog:list"))
    assert response.status_code == 200
    assert _identifiers(response) == {entry.identifier for entry in catalog.values()}
    for entry in hidden_entries:
        assert entry.identifier not in response.text


def test_it_hides_a_department_s_drafts_from_its_own_members_too(
    client, department_member, catalog, hidden_entries
):
    client.force_login(department_member)
    response = client.get(reverse("catalog:list"))
    assert _identifiers(response) == {entry.identifier for entry in catalog.values()}


def test_it_counts_entries_per_facet(client, catalog, hidden_entries):
    response = client.get(reverse("catalog:list"))
    assert _facet(response, "department") == {"EDU": 2, "HEALTH": 1}
    assert _facet(response, "sector") == {"education": 1, "health": 1, "transport": 1}
    assert _facet(response, "grade") == {"general": 2, "important": 1}
    assert _facet(response, "openness") == {"conditional": 2, "open": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "EDU"}, {"bus", "schools"}),
        ({"sector": "health"}, {"clinics"}),
        ({"grade": "general"}, {"bus", "schools"}),
        ({"openness": "conditional"}, {"schools", "clinics"}),
        ({"department": "EDU", "openness": "conditional"}, {"schools"}),
        ({"department": "HEALTH", "sector": "transport"}, set()),
    ],
)
def test_it_filters_by_facet(client, catalog, params, expected):
    response = client.get(reverse("catalog:list"), params)
    assert response.status_code == 200
    assert _identifiers(response) == {catalog[name].identifier for name in expected}


def test_a_facet_keeps_its_other_values_while_the_others_narrow_it(client, catalog):
    response = client.get(reverse("catalog:list"), {"department": "EDU"})
    # Other departments stay selectable …
    assert _facet(response, "department") == {"EDU": 2, "HEALTH": 1}
    # … while the other facets count only within the chosen department.
    assert _facet(response, "sector") == {"education": 1, "transport": 1}


def test_with_several_facets_chosen_each_counts_within_the_others(client, catalog):
    # Every entry's description mentions 学校 (schools).
    params = {"department": "EDU", "openness": "conditional", "q": "学校"}
    response = client.get(reverse("catalog:list"), params)
    assert _facet(response, "department") == {"EDU": 1, "HEALTH": 1}
    assert _facet(response, "openness") == {"conditional": 1, "open": 1}
    assert _facet(response, "sector") == {"education": 1}
    assert response.context["page_obj"].paginator.count == 1
    # A combination nothing matches: no total, but each facet still offers a way out.
    response = client.get(reverse("catalog:list"), {"department": "HEALTH", "sector": "transport"})
    assert response.context["page_obj"].paginator.count == 0
    assert _facet(response, "department") == {"EDU": 1}
    assert _facet(response, "sector") == {"health": 1}


def test_facet_links_toggle_their_value_and_keep_the_other_filters(client, catalog):
    response = client.get(reverse("catalog:list"), {"sector": "transport", "page": "1"})
    departments = next(f for f in response.context["facets"] if f.name == "department")
    assert 'href="?sector=transport&amp;department=EDU"' in response.text
    sectors = next(f for f in response.context["facets"] if f.name == "sector")
    selected = [value for value in sectors.values if value.selected]
    assert [value.value for value in selected] == ["transport"]
    assert selected[0].params == {"sector": None, "page": None}
    assert not any(value.selected for value in departments.values)


def test_it_finds_a_chinese_title_by_two_of_its_characters(client, catalog, hidden_entries):
    response = client.get(reverse("catalog:list"), {"q": "公交"})
    assert _identifiers(response) == {catalog["bus"].identifier}


def test_search_combines_with_the_filters(client, catalog):
    params = {"q": "全市", "department": "EDU", "sector": "education"}
    response = client.get(reverse("catalog:list"), params)
    assert _identifiers(response) == {catalog["schools"].identifier}
    assert _facet(response, "department") == {"EDU": 1}


def test_search_without_a_match_lists_nothing(client, catalog):
    response = client.get(reverse("catalog:list"), {"q": "地铁"})
    assert response.status_code == 200
    assert _identifiers(response) == set()


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"department": "NOPE"}, "department"),
        ({"grade": "secret"}, "grade"),
        ({"q": "字" * 101}, "q"),
    ],
)
def test_a_bad_filter_value_is_refused_naming_the_parameter(client, catalog, params, parameter):
    response = client.get(reverse("catalog:list"), params)
    assert response.status_code == 400
    assert set(response.context["filterset"].errors) == {parameter}


def test_it_pages_by_fifty(client, department, other_department, reviewer):
    for number in range(PAGE_SIZE + 1):
        make_entry(
            department=department if number % 2 else other_department,
            status="published",
            reviewer=reviewer,
        )
    first = client.get(reverse("catalog:list"))
    second = client.get(reverse("catalog:list"), {"page": "2"})
    assert len(first.context["page_obj"]) == PAGE_SIZE
    assert len(second.context["page_obj"]) == 1
    assert _identifiers(first).isdisjoint(_identifiers(second))


def test_the_list_runs_a_constant_number_of_queries(
    client, reviewer, django_assert_max_num_queries
):
    departments = [DepartmentFactory() for _ in range(8)]
    for number in range(32):
        make_entry(
            department=departments[number % 8],
            status="published",
            reviewer=reviewer,
            sector=["education", "health", "transport"][number % 3],
        )
    code = departments[1].code
    for params in ({}, {"q": "学校", "sector": "health", "department": code, "page": "1"}):
        with django_assert_max_num_queries(10):
            response = client.get(reverse("catalog:list"), params)
        assert response.status_code == 200


def test_the_list_advertises_the_exports_and_feeds(client, db):
    response = client.get(reverse("catalog:list"))
    for media_type, name in [
        ("application/ld+json", "catalog:dcat-jsonld"),
        ("text/turtle", "catalog:dcat-turtle"),
        ("application/rss+xml", "catalog:feed-rss"),
        ("application/atom+xml", "catalog:feed-atom"),
    ]:
        assert f'rel="alternate" type="{media_type}" href="{reverse(name)}"' in response.text
    assert reverse("catalog:dcat-jsonld") == "/catalog.jsonld"
    assert reverse("catalog:dcat-turtle") == "/catalog.ttl"


def test_detail_shows_the_metadata_and_field_schema(client, catalog):
    entry = catalog["bus"]
    response = client.get(reverse("catalog:detail", args=[entry.identifier]))
    assert response.status_code == 200
    assert response.context["entry"] == entry
    assert entry.title in response.text
    for name in ("school_name", "district", "students"):
        assert f"<code>{name}</code>" in response.text


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_detail_of_an_entry_that_is_not_published_is_not_found(
    client, department, reviewer, status
):
    entry = make_entry(department=department, status=status, reviewer=reviewer)
    assert client.get(reverse("catalog:detail", args=[entry.identifier])).status_code == 404


def test_detail_of_an_unknown_identifier_is_not_found(client, db):
    assert client.get(reverse("catalog:detail", args=["EDU-99999"])).status_code == 404


def test_detail_runs_a_constant_number_of_queries(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(reverse("catalog:detail", args=[catalog["bus"].identifier]))
