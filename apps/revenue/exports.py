"""CSV and XLSX exports of share records and of the annual business report.

Exports take the same querysets and totals as the pages they belong to, so their numbers match
the pages to the fen (a test compares them).
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .models import RevenueShareRecord
from .money import period_label
from .selectors import AnnualReport, LedgerTotals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"


def ledger_header() -> list[str]:
    return [
        _("Record"), _("Ledger period"), _("Report period"), _("Department"), _("Operator"),
        _("Catalog entry"), _("Authorization"), _("Proceeds (yuan)"), _("Ratio"),
        _("Department share (yuan)"), _("Retained (yuan)"), _("Adjusts record"), _("Reason"),
    ]  # fmt: skip


def ledger_rows(records: QuerySet[RevenueShareRecord]) -> Iterable[list[Any]]:
    for record in records.iterator(chunk_size=2000):
        yield [
            record.pk, period_label(record.period) if record.period else "",
            record.report.period_label, record.department.name, record.operator.name,
            record.authorization.entry.identifier, record.authorization_id, record.amount,
            record.ratio, record.share, record.retained, record.adjusts_id or "", record.reason,
        ]  # fmt: skip


def _total_row(totals: LedgerTotals) -> list[Any]:
    overall = totals.overall
    return [_("Total"), "", "", "", "", "", "", overall.amount, "", overall.share,
            overall.retained, "", ""]  # fmt: skip


def ledger_csv(
    records: QuerySet[RevenueShareRecord], totals: LedgerTotals, name: str
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the Chinese names right
    writer = csv.writer(response)
    writer.writerow(ledger_header())
    writer.writerows(ledger_rows(records))
    writer.writerow(_total_row(totals))
    return response


def _cells(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    return cells


def _xlsx_response(workbook: Workbook, name: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def ledger_xlsx(
    records: QuerySet[RevenueShareRecord], totals: LedgerTotals, name: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Revenue shares"))
    sheet.append(ledger_header())
    for row in ledger_rows(records):
        sheet.append(_cells(sheet, row))
    sheet.append(_cells(sheet, _total_row(totals)))
    return _xlsx_response(workbook, name)


def annual_report_xlsx(report: AnnualReport) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Annual business report"))
    sheet.append([_("Operator"), report.operator.name])
    sheet.append([_("Unified social credit code"), report.operator.credit_code])
    sheet.append([_("Year"), report.year])
    sheet.append([])
    sheet.append([
        _("Authorization"), _("Catalog entry"), _("Scenario"), _("Fee basis"), _("Price (yuan)"),
        _("Revenue (yuan)"), _("Successful calls"), _("Rows returned"), _("Metered fees (yuan)"),
        _("Shares paid (yuan)"), _("Reports awaiting verification"),
    ])  # fmt: skip
    for line in report.lines:
        authorization = line.authorization
        sheet.append(_cells(sheet, [
            authorization.pk, f"{authorization.entry.identifier} {authorization.entry.title}",
            authorization.scenario.title, authorization.get_fee_basis_display(),
            authorization.price, line.revenue, line.calls, line.rows, line.fees,
            line.shares_paid, line.open_reports,
        ]))  # fmt: skip
    sheet.append(_cells(sheet, [
        _("Total"), "", "", "", "", report.revenue, report.calls, report.rows, report.fees,
        report.shares_paid, "",
    ]))  # fmt: skip
    name = f"annual-report-{report.operator.credit_code}-{report.year}"
    return _xlsx_response(workbook, name)
