"""Field tags of aggregation risk: departments set them in the entry form, the bureau in the
admin at any status; both leave a history row."""

import pytest
from django.urls import reverse

from apps.catalog import services
from apps.catalog.models import CatalogEntry
from apps.core.errors import NotAllowed
from tests.catalog.test_forms import form_data
from tests.factories import DEFAULT_FIELDS, make_entry

TAGGED = [
    {**DEFAULT_FIELDS[0], "tags": ["exact_location", "personal_identifier"]},
    *DEFAULT_FIELDS[1:],
]


@pytest.fixture
def published(department, department_member, reviewer) -> CatalogEntry:
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )


def test_a_department_tags_fields_in_the_entry_form(client, department_member):
    client.force_login(department_member)
    response = client.post(reverse("department_catalog:create"), form_data(fields=TAGGED))
    assert response.status_code == 302
    field = CatalogEntry.objects.get().fields.get(name="school_name")
    assert field.tags == ["exact_location", "personal_identifier"]
    assert field.history.get().tags == field.tags


def test_an_unknown_tag_is_refused(client, department_member):
    client.force_login(department_member)
    rows = [{**DEFAULT_FIELDS[0], "tags": ["horoscope"]}]
    response = client.post(reverse("department_catalog:create"), form_data(fields=rows))
    assert response.status_code == 200
    assert not CatalogEntry.objects.exists()


def test_the_bureau_tags_a_published_entry_in_the_admin(client, reviewer, published):
    url = reverse("admin:catalog_catalogentry_tags", args=[published.pk])
    client.force_login(reviewer)
    assert (
        url
        in client.get(
            reverse("admin:catalog_catalogentry_change", args=[published.pk])
        ).content.decode()
    )
    response = client.post(url, {"district": ["exact_location"], "school_name": []})
    assert response.status_code == 302
    field = published.fields.get(name="district")
    assert field.tags == ["exact_location"]
    assert field.history.first().history_user == reviewer
    assert published.fields.get(name="school_name").history.count() == 1  # unchanged


@pytest.mark.parametrize("persona", ["auditor", "department_member", "operator_member"])
def test_only_bureau_reviewers_tag_fields(client, request, published, persona):
    someone = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        services.catalog_field_tags_set(entry=published, actor=someone, tags={"district": []})
    client.force_login(someone)
    url = reverse("admin:catalog_catalogentry_tags", args=[published.pk])
    assert client.post(url, {"district": ["health"]}).status_code in (302, 403)
    assert published.fields.get(name="district").tags == []
