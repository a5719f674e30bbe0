"""Finding data: search over department and sector names, sorting, pages of 20 with the total,
highlighted terms, one clear-all link; the home page's search box, key figures and latest
entries."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.catalog.models import CatalogEntry
from apps.catalog.views_public import PAGE_SIZE
from tests.factories import DepartmentFactory, make_entry


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()


@pytest.fixture
def entries(department, department_member, reviewer):
    """市教育局 provides three entries; a transport one is from another department."""
    made = {
        "schools": make_entry(department=department, actor=department_member, reviewer=reviewer,
                              status="published", title="全市中小学校基本信息", keywords=[]),
        "teachers": make_entry(department=department, actor=department_member, reviewer=reviewer,
                               status="published", title="教师资格认定名单", keywords=[],
                               description="历年认定名单。", sector="other"),
        "canteens": make_entry(department=department, actor=department_member, reviewer=reviewer,
                               status="published", title="学校食堂检查结果", keywords=[],
                               description="检查结果。", sector="market"),
    }  # fmt: skip
    transport = DepartmentFactory(code="TRANS", name="市交通运输局")
    made["bus"] = make_entry(department=transport, reviewer=reviewer, status="published",
                             title="公交线路站点", sector="transport", keywords=[],
                             description="线路与站点。")  # fmt: skip
    return made


def _titles(response) -> list[str]:
    return [entry.title for entry, _formats in response.context["cards"]]


def test_search_finds_the_entries_of_a_department_by_its_name(client, entries):
    response = client.get(reverse("catalog:list"), {"q": "教育"})
    assert set(_titles(response)) == {
        "全市中小学校基本信息",
        "教师资格认定名单",
        "学校食堂检查结果",
    }


def test_search_finds_entries_by_sector_name_in_both_languages(client, entries):
    assert _titles(client.get(reverse("catalog:list"), {"q": "交通"})) == ["公交线路站点"]
    assert _titles(client.get(reverse("catalog:list"), {"q": "transport"})) == ["公交线路站点"]


def test_every_word_must_match(client, entries):
    assert _titles(client.get(reverse("catalog:list"), {"q": "教育 食堂"})) == ["学校食堂检查结果"]


def test_sort_by_title_and_newest(client, entries):
    by_title = _titles(client.get(reverse("catalog:list"), {"sort": "title"}))
    assert by_title == sorted(by_title)
    newest = _titles(client.get(reverse("catalog:list"), {"sort": "newest"}))
    published = (
        CatalogEntry.objects.published().order_by("-published_at").values_list("title", flat=True)
    )
    assert newest == list(published)


def test_relevance_puts_the_best_match_first(client, entries):
    response = client.get(reverse("catalog:list"), {"q": "学校"})
    assert response.context["sort"] == "relevance"
    assert _titles(response)[0] in {"全市中小学校基本信息", "学校食堂检查结果"}


def test_an_unknown_sort_falls_back_to_the_default(client, entries):
    response = client.get(reverse("catalog:list"), {"sort": "bogus"})
    assert response.status_code == 200
    assert response.context["sort"] == "newest"


def test_pages_of_20_with_the_total(client, department, department_member, reviewer):
    for number in range(PAGE_SIZE + 1):
        make_entry(department=department, actor=department_member, reviewer=reviewer,
                   status="published", title=f"条目{number}")  # fmt: skip
    assert PAGE_SIZE == 20
    response = client.get(reverse("catalog:list"))
    assert len(response.context["cards"]) == 20
    assert "21" in response.content.decode().split('id="result-total"')[1][:80]


def test_matched_terms_are_highlighted_and_escaped(client, entries):
    text = client.get(reverse("catalog:list"), {"q": "食堂"}).text
    assert "学校<mark>食堂</mark>检查结果" in text
    text = client.get(reverse("catalog:list"), {"q": "<b>"}).text
    assert "<mark><b></mark>" not in text


def test_one_link_clears_every_filter(client, entries):
    plain = client.get(reverse("catalog:list")).text
    assert 'id="clear-all"' not in plain
    filtered = client.get(reverse("catalog:list"), {"q": "教育", "sector": "education"}).text
    assert f'href="{reverse("catalog:list")}" id="clear-all"' in filtered


def test_the_existing_query_parameters_still_filter(client, entries):
    response = client.get(reverse("catalog:list"), {"department": "TRANS"})
    assert _titles(response) == ["公交线路站点"]


def test_the_home_page_has_a_search_box_figures_and_the_latest_entries(client, entries):
    response = client.get(reverse("home"))
    text = response.text
    assert f'action="{reverse("catalog:list")}"' in text
    figures = dict((str(label), value) for label, value in response.context["figures"])
    assert figures["已发布目录条目"] == 4
    assert figures["数据提供部门"] == 2
    assert figures["有效授权"] == 0
    assert figures["近 30 天 API 调用次数"] == 0
    assert "公交线路站点" in text.split('id="latest-entries"')[1]
