"""The bureau adds operators in the admin through the same service as everywhere else."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from apps.accounts.models import User
from apps.organisations import services
from apps.organisations.models import Operator

ADD = "/admin/organisations/operator/add/"
CODE = "91350100M000100Y43"


@pytest.fixture
def calls(monkeypatch):
    made = []
    create = services.operator_create

    def recording(**kwargs):
        made.append(kwargs)
        return create(**kwargs)

    monkeypatch.setattr(services, "operator_create", recording)
    return made


def test_adding_an_operator_goes_through_operator_create(admin_client, calls):
    data = {"name": "好公司", "credit_code": CODE, "contact_email": "a@example.cn"}
    response = admin_client.post(ADD, {**data, "_continue": "1"})  # "save and continue editing"
    operator = Operator.objects.get()
    assert calls == [
        {**data, "is_active": False, "actor": User.objects.get(username="admin")}
    ]  # an unticked checkbox is not sent
    assert operator.group.name == f"operator:{CODE}"
    assert response.url == f"/admin/organisations/operator/{operator.pk}/change/"
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id) == (ADDITION, str(operator.pk))


def test_a_bad_credit_code_adds_nothing(admin_client, calls):
    response = admin_client.post(ADD, {"name": "坏公司", "credit_code": CODE[:-1] + "4"})
    assert response.status_code == 200
    assert calls == [] and not Operator.objects.exists()


def test_changing_an_operator_keeps_its_group(admin_client):
    operator = services.operator_create(name="好公司", credit_code=CODE)
    group = operator.group
    url = f"/admin/organisations/operator/{operator.pk}/change/"
    data = {"name": "更名公司", "credit_code": CODE, "contact_email": "", "is_active": "on"}
    assert admin_client.post(url, data).status_code == 302
    operator.refresh_from_db()
    assert (operator.name, operator.group) == ("更名公司", group)
