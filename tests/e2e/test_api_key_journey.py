"""An operator admin creates an API key in the web UI, copies it from the page, and a request with it
returns the granted rows; after the key is revoked in the UI the same request answers 401."""

import csv
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from apps.authorizations import services
from apps.datazone import services as datazone_services
from apps.datazone.storage import table_store
from tests.api.fixtures_keys import grant
from tests.authorizations.conftest import qualify
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIELDS = [
    {"name": "school_name", "label": "学校名称", "data_type": "string", "filterable": True},
    {"name": "district", "label": "所属区县", "data_type": "string", "filterable": True},
    {"name": "students", "label": "在校学生数", "data_type": "integer"},
    {
        "name": "id_number",
        "label": "校长身份证号",
        "data_type": "string",
        "sensitivity": "personal",
    },
]
ROWS = [
    ["南明一小", "南明区", "820", "520102197001011234"],
    ["云岩二中", "云岩区", "1300", "520103197202023456"],
    ["南明三中", "南明区", "990", "520102197303037890"],
    ["花溪四小", "花溪区", "410", "520111197404041111"],
    ["南明五小", "南明区", "615", "520102197505052222"],
]


@pytest.fixture
def granted(
    tmp_path, operator, operator_member, department, department_member, department_admin,
    reviewer, approver,
):  # fmt: skip
    """A published entry with loaded rows and an authorization for two fields of one district."""
    qualify(operator, operator_member, reviewer)
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS,
    )  # fmt: skip
    path = tmp_path / "schools.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([[field["name"] for field in FIELDS], *ROWS])
    version = datazone_services.data_version_load_file(entry=entry, path=path)
    assert version.status == "live", version.errors
    scenario = services.scenario_create(
        operator=operator, actor=operator_member,
        data={"title": "学区房智能推荐", "sector": "education", "description": "为家庭推荐学区",
              "expected_product": "学区查询服务", "use": "industry"},
    )  # fmt: skip
    authorization = grant(
        operator, entry, scenario, member=operator_member, department_admin=department_admin,
        reviewer=reviewer, approver=approver,
        row_filter=[{"field": "district", "op": "eq", "value": "南明区"}],
    )  # fmt: skip
    yield authorization
    # The version's rows live in a table of its own, which the test database flush leaves.
    table_store().drop_table(version.table_name)


def _get(url: str, key: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310 - the live test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_an_operator_admin_creates_uses_and_revokes_a_key(
    page, live_server, operator_admin, granted
):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", operator_admin.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    page.goto("/operator/api-keys/")
    page.click("#new-key")
    page.fill("input[name=name]", "学区推荐生产环境")
    page.check(f"#limit-to input[value='{granted.pk}']")
    with page.expect_navigation():
        page.click("#api-key-form button[type=submit]")

    key = page.locator("#new-api-key").inner_text().strip()
    assert key.startswith("pdp_")
    assert page.locator("#shown-once").is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy-target=new-api-key]")
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    expect(page.locator(".copy-status")).not_to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()") == key

    records = f"{live_server.url}/api/v1/datasets/{granted.entry.identifier}/records/"
    status, body = _get(records, key)
    assert status == 200, body
    assert sorted(body["results"], key=lambda row: row["school_name"]) == [
        {"school_name": "南明一小", "district": "南明区"},
        {"school_name": "南明三中", "district": "南明区"},
        {"school_name": "南明五小", "district": "南明区"},
    ]

    page.goto("/operator/api-keys/")
    prefix = key.split("_")[1]
    page.click(f"tr[data-key-prefix='{prefix}'] a.revoke")
    with page.expect_navigation():
        page.click("#revoke-form button[type=submit]")
    assert page.locator(f"tr[data-key-prefix='{prefix}'] .status-revoked").is_visible()

    status, body = _get(records, key)
    assert status == 401
    assert body["error"]["code"] == "invalid_key"
