"""Catalog text is data, never markup: a script in any text field comes back as harmless text on
the public pages, the department pages, the feeds, the API and the admin."""

import json

import pytest
from django.urls import reverse

from tests.factories import make_entry

SCRIPT = '<script>alert("xss")</script>'
IMAGE = '"><img src=x onerror=alert(1)>'
FIELDS = [
    {
        "name": "school_name",
        "label": f"学校{SCRIPT}",
        "description": f"名称{IMAGE}",
        "data_type": "string",
        "filterable": True,
    },
    {"name": "students", "label": "在校学生数", "data_type": "integer"},
]


@pytest.fixture
def hostile(department, department_member, reviewer):
    return make_entry(
        department=department,
        actor=department_member,
        status="published",
        reviewer=reviewer,
        fields=FIELDS,
        title=f"学校{SCRIPT}",
        description=f"说明{IMAGE}{SCRIPT}",
        keywords=[SCRIPT, IMAGE],
        spatial_coverage=IMAGE,
        contact_name=SCRIPT,
    )


def _assert_harmless(response) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert SCRIPT not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page  # it is there, as text


def test_public_pages_show_it_as_text(client, hostile):
    _assert_harmless(client.get(reverse("catalog:detail", args=[hostile.identifier])))
    _assert_harmless(client.get(reverse("catalog:list")))
    _assert_harmless(client.get(reverse("catalog:list"), {"q": "学校"}))


def test_a_script_in_the_search_box_comes_back_as_text(client, hostile):
    response = client.get(reverse("catalog:list"), {"q": SCRIPT})
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_department_pages_show_it_as_text(client, hostile, department_member):
    client.force_login(department_member)
    _assert_harmless(client.get(reverse("department_catalog:list")))
    _assert_harmless(client.get(reverse("department_catalog:detail", args=[hostile.identifier])))


def test_the_admin_shows_it_as_text(client, hostile, reviewer):
    client.force_login(reviewer)
    _assert_harmless(client.get(reverse("admin:catalog_catalogentry_changelist")))
    _assert_harmless(client.get(reverse("admin:catalog_catalogentry_change", args=[hostile.pk])))


def test_the_feeds_escape_it(client, hostile):
    response = client.get(reverse("catalog:feed-rss"))
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_the_json_api_returns_it_as_a_string(client, hostile):
    response = client.get(reverse("catalog:dcat-jsonld"))
    assert response.status_code == 200
    assert "html" not in response["Content-Type"]  # a browser never renders it as a page
    # JSON carries the text verbatim (a client renders it), escaped by the JSON encoder only.
    assert "alert" in json.dumps(json.loads(response.content), ensure_ascii=False)
