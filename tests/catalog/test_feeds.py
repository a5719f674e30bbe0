"""RSS and Atom feeds of newly published catalog entries."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from apps.catalog import feeds
from tests.factories import make_entry

ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(response) -> ElementTree.Element:
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own feed, not untrusted


def _rss_links(response) -> list[str]:
    channel = _xml(response).find("channel")
    return [item.findtext("link") for item in channel.findall("item")]


def _atom_links(response) -> list[str]:
    feed = _xml(response)
    return [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]


def _page(entry) -> str:
    return "http://testserver" + reverse("catalog:detail", args=[entry.identifier])


@pytest.fixture
def entries(department, reviewer) -> dict[str, object]:
    return {
        "older": make_entry(department=department, status="published", reviewer=reviewer),
        "newer": make_entry(department=department, status="published", reviewer=reviewer),
        "draft": make_entry(department=department, status="draft"),
        "submitted": make_entry(department=department, status="submitted"),
        "retired": make_entry(department=department, status="retired", reviewer=reviewer),
    }


def test_rss_lists_published_entries_newest_first(client, entries):
    response = client.get(reverse("catalog:feed-rss"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert _rss_links(response) == [_page(entries["newer"]), _page(entries["older"])]


def test_atom_lists_published_entries_newest_first(client, entries):
    response = client.get(reverse("catalog:feed-atom"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert _atom_links(response) == [_page(entries["newer"]), _page(entries["older"])]


def test_an_item_carries_title_department_and_publication_date(client, entries):
    item = _xml(client.get(reverse("catalog:feed-rss"))).find("channel/item")
    newer = entries["newer"]
    assert item.findtext("title") == newer.title
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == newer.department.name
    assert item.findtext("pubDate")


def test_feeds_keep_only_the_latest(client, entries, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 1)
    assert _rss_links(client.get(reverse("catalog:feed-rss"))) == [_page(entries["newer"])]
    assert _atom_links(client.get(reverse("catalog:feed-atom"))) == [_page(entries["newer"])]


def test_feeds_run_a_constant_number_of_queries(
    client, department, other_department, reviewer, django_assert_max_num_queries
):
    for number in range(6):
        make_entry(
            department=department if number % 2 else other_department,
            status="published",
            reviewer=reviewer,
        )
    for name in ("catalog:feed-rss", "catalog:feed-atom"):
        with django_assert_max_num_queries(2):
            client.get(reverse(name))


MARKUP = '<b>粗体</b><a href="http://evil.invalid/">点此</a>'


@pytest.fixture
def marked_up(department, reviewer):
    return make_entry(
        department=department, status="published", reviewer=reviewer,
        description=f"说明{MARKUP}",
    )  # fmt: skip


def test_atom_carries_the_description_as_plain_text(client, marked_up):
    entry = _xml(client.get(reverse("catalog:feed-atom"))).find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == f"说明{MARKUP}"  # verbatim text, which the reader shows as text
    assert b'type="html"' not in client.get(reverse("catalog:feed-atom")).content


def test_rss_carries_the_description_html_escaped(client, marked_up):
    item = _xml(client.get(reverse("catalog:feed-rss"))).find("channel").find("item")
    # RSS readers decode <description> as HTML: the escaped text decodes back to visible text.
    assert (
        item.findtext("description") == "说明&lt;b&gt;粗体&lt;/b&gt;&lt;a href=&quot;"
        "http://evil.invalid/&quot;&gt;点此&lt;/a&gt;"
    )
