import pytest

from apps.catalog import search
from apps.catalog.models import CatalogEntry
from tests.factories import make_entry


def test_document_has_cjk_unigrams_bigrams_and_words():
    tokens = search.document_tokens("公交线路 Bus2025")
    assert {"公", "公交", "交线", "线路", "bus2025"} <= set(tokens)


def test_query_of_two_or_more_characters_is_its_bigrams():
    assert search.query_tokens("公交线路") == ["公交", "交线", "线路"]
    assert search.query_tokens("学") == ["学"]
    assert search.query_tokens("  ") == []


@pytest.mark.parametrize(
    ("query", "found"),
    [("公交", True), ("线路站点", True), ("站", True), ("医院", False), ("BUS", True)],
)
def test_search_finds_chinese_substrings(query, found, department, department_member):
    make_entry(
        department=department,
        actor=department_member,
        title="全市公交线路站点信息",
        keywords=["bus"],
    )
    assert CatalogEntry.objects.search(query).exists() is found
