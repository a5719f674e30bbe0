"""Who may query what: the dataset list and detail, and every refusal of a data call."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.api.models import ApiKey
from apps.api.selectors import authorizations_in_key_scope
from apps.api.services import api_key_create, api_key_revoke
from apps.authorizations import services
from apps.authorizations.models import Authorization, Qualification
from tests.api.conftest import FIELDS, GRANTED, url
from tests.factories import make_entry

DATA_CALLS = [
    ("get", "detail", {}),
    ("get", "records", {}),
    ("get", "aggregate", {}),
    ("post", "verify", {"match": {"code": "C001"}}),
]


def call(client, method: str, name: str, identifier: str, payload: dict):
    if method == "post":
        return client.post(url(name, identifier), payload, content_type="application/json")
    return client.get(url(name, identifier), payload)


def test_it_lists_the_datasets_the_key_may_query(api, authorization):
    response = api.get(url("list"))
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["identifier"] == authorization.entry.identifier
    assert item["authorizations"] == [authorization.pk]
    assert item["has_data"] is True
    assert item["url"].endswith(url("detail", authorization.entry.identifier))


def test_the_department_has_the_catalog_shape_and_keeps_its_old_name_field(
    api, client, authorization
):
    entry = authorization.entry
    catalog = client.get(reverse("api-catalog-detail", args=[entry.identifier])).json()
    [item] = api.get(url("list")).json()["results"]
    detail = api.get(url("detail", entry.identifier)).json()
    department = {"code": entry.department.code, "name": entry.department.name}
    assert catalog["department"] == item["department"] == detail["department"] == department
    assert item["department_name"] == detail["department_name"] == entry.department.name


def test_it_lists_one_item_per_dataset_with_every_authorization(
    api, grant, authorization, qualified, operator_member
):
    second = grant(qualified, operator_member, authorization.entry)
    [item] = api.get(url("list")).json()["results"]
    assert item["authorizations"] == [authorization.pk, second.pk]


def test_the_detail_shows_the_granted_schema_and_the_grant(api, authorization):
    body = api.get(url("detail", authorization.entry.identifier)).json()
    assert [field["name"] for field in body["fields"]] == GRANTED
    assert body["fields"][0] == {
        "name": "code", "label": "编码", "data_type": "string", "nullable": False, "filterable": True
    }  # fmt: skip
    assert body["authorization"]["id"] == authorization.pk
    assert body["authorization"]["daily_row_quota"] == authorization.daily_row_quota
    assert body["authorization"]["row_filter"] == []
    assert body["version"]["row_count"] == 60
    assert set(body["links"]) == {"records", "aggregate", "verify"}


def test_the_detail_never_names_an_ungranted_field(api, authorization):
    response = api.get(url("detail", authorization.entry.identifier))
    assert "id_number" not in response.content.decode()


@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_an_unknown_dataset_answers_404(api, authorization, method, name, payload):
    response = call(api, method, name, "NO-SUCH-1", payload)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_another_operators_dataset_answers_like_an_unknown_one(
    api, authorization, grant, rival, second_entry, method, name, payload
):
    other, member, _admin = rival
    grant(other, member, second_entry)
    response = call(api, method, name, second_entry.identifier, payload)
    unknown = call(api, method, name, "NO-SUCH-1", payload)
    assert response.status_code == 404
    assert response.json() == unknown.json()


def test_another_operators_grant_on_the_same_dataset_is_not_ours(
    client, key_of, grant, rival, authorization
):
    other, member, admin = rival
    their = grant(other, member, authorization.entry)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_of(admin)}"
    [item] = client.get(url("list")).json()["results"]
    assert item["authorizations"] == [their.pk]
    response = client.get(
        url("records", authorization.entry.identifier), {"authorization": authorization.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_a_key_limited_to_other_authorizations_answers_404(
    client, key_of, grant, qualified, operator_member, operator_admin, authorization,
    second_entry, method, name, payload,
):  # fmt: skip
    other = grant(qualified, operator_member, second_entry)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_of(operator_admin, [other])}"
    assert call(client, method, name, authorization.entry.identifier, payload).status_code == 404
    assert call(client, method, name, second_entry.identifier, payload).status_code == 200
    listed = client.get(url("list")).json()["results"]
    assert [item["identifier"] for item in listed] == [second_entry.identifier]


@pytest.mark.parametrize("change", ["suspend", "revoke"])
@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_a_suspended_or_revoked_authorization_answers_404(
    api, authorization, approver, change, method, name, payload
):
    identifier = authorization.entry.identifier
    assert call(api, method, name, identifier, payload).status_code == 200
    move = {"suspend": services.authorization_suspend, "revoke": services.authorization_revoke}
    move[change](authorization=authorization, actor=approver, reason="违规")
    response = call(api, method, name, identifier, payload)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.get(url("list")).json()["results"] == []


@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_an_authorization_expires_to_the_second(
    api, authorization, monkeypatch, method, name, payload
):
    until = timezone.now() + timedelta(hours=1)
    Authorization.objects.filter(pk=authorization.pk).update(valid_until=until)
    identifier = authorization.entry.identifier
    monkeypatch.setattr(timezone, "now", lambda: until - timedelta(seconds=1))
    assert call(api, method, name, identifier, payload).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: until)
    assert call(api, method, name, identifier, payload).status_code == 404


def test_an_authorization_not_yet_in_force_answers_404(api, authorization):
    Authorization.objects.filter(pk=authorization.pk).update(
        valid_from=timezone.now() + timedelta(days=1)
    )
    assert api.get(url("records", authorization.entry.identifier)).status_code == 404


@pytest.mark.parametrize(("method", "name", "payload"), DATA_CALLS)
def test_a_disqualified_operator_is_refused_without_revealing_the_dataset(
    api, authorization, method, name, payload
):
    # access.require_qualified answers before any dataset is looked up: the same 403 for a
    # granted dataset and for one that does not exist, so nothing about either is revealed.
    Qualification.objects.filter(operator=authorization.operator).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    granted = call(api, method, name, authorization.entry.identifier, payload)
    unknown = call(api, method, name, "NO-SUCH-1", payload)
    assert granted.status_code == unknown.status_code == 403
    assert granted.json() == unknown.json()
    assert granted.json()["error"]["code"] == "operator_not_qualified"


def test_a_disqualified_operator_lists_nothing(api, authorization):
    Qualification.objects.filter(operator=authorization.operator).delete()
    response = api.get(url("list"))
    assert response.status_code == 403
    assert "results" not in response.json()


@pytest.mark.parametrize(("method", "name", "payload"), [*DATA_CALLS, ("get", "list", {})])
@pytest.mark.parametrize("header", [None, "Bearer pdp_nope_nope", "Token abc", "Bearer "])
def test_a_missing_or_wrong_key_answers_401(client, authorization, method, name, payload, header):
    if header is not None:
        client.defaults["HTTP_AUTHORIZATION"] = header
    identifier = None if name == "list" else authorization.entry.identifier
    if method == "post":
        response = client.post(url(name, identifier), payload, content_type="application/json")
    else:
        response = client.get(url(name, identifier), payload)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] in {"not_authenticated", "invalid_key"}


def test_a_revoked_key_answers_401(api, authorization, operator_admin):
    key = ApiKey.objects.get(operator=authorization.operator)
    api_key_revoke(key=key, actor=operator_admin)
    response = api.get(url("records", authorization.entry.identifier))
    assert response.status_code == 401


def test_several_authorizations_on_one_dataset_need_a_choice(
    api, grant, authorization, qualified, operator_member
):
    second = grant(qualified, operator_member, authorization.entry)
    identifier = authorization.entry.identifier
    response = api.get(url("records", identifier))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "authorization_required"
    chosen = api.get(url("records", identifier), {"authorization": second.pk})
    assert chosen.status_code == 200
    assert api.get(url("records", identifier), {"authorization": "x1"}).status_code == 404


def test_a_dataset_without_live_data_answers_409(
    api, grant, qualified, operator_member, department, department_member, reviewer
):
    empty = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS, title="尚无数据",
    )  # fmt: skip
    grant(qualified, operator_member, empty)
    response = api.get(url("records", empty.identifier))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_data"
    [listed] = [
        i for i in api.get(url("list")).json()["results"] if i["identifier"] == empty.identifier
    ]
    assert listed["has_data"] is False


@pytest.mark.parametrize("name", ["list", "detail"])
def test_unknown_parameters_of_the_dataset_pages_answer_400(api, authorization, name):
    identifier = None if name == "list" else authorization.entry.identifier
    response = api.get(url(name, identifier), {"identifer": "typo"})
    assert response.status_code == 400
    assert response.json()["error"] == response.json()["error"] | {
        "code": "unknown_parameter", "field": "identifer"
    }  # fmt: skip


def test_a_keys_scope_is_its_operators_authorizations_or_only_those_it_is_limited_to(
    grant, qualified, operator_member, operator_admin, authorization, second_entry, rival, approver
):  # fmt: skip
    other = grant(qualified, operator_member, second_entry)
    rival_operator, rival_member, _rival_admin = rival
    grant(rival_operator, rival_member, second_entry)
    services.authorization_suspend(authorization=other, actor=approver, reason="检查")
    unlimited, _raw = api_key_create(actor=operator_admin, name="all")
    limited, _raw = api_key_create(actor=operator_admin, name="one", authorizations=[other])

    # In force or not: the scope is about whose authorizations, in_force() narrows it further.
    assert set(authorizations_in_key_scope(key=unlimited)) == {authorization, other}
    assert list(authorizations_in_key_scope(key=limited)) == [other]
