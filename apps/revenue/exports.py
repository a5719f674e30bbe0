"""CSV and XLSX exports of share records and of the annual business report.

Written by the portal's one export writer (apps/core/exports.py): no text cell is ever a formula.
Exports take the same querysets and totals as the pages they belong to, so their numbers match
the pages to the fen (a test compares them).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from apps.core.exports import Sheet, csv_response, xlsx_response

from .models import RevenueShareRecord
from .money import period_label
from .selectors import AnnualReport, LedgerTotals


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


def _ledger_table(
    records: QuerySet[RevenueShareRecord], totals: LedgerTotals
) -> Iterator[list[Any]]:
    yield ledger_header()
    yield from ledger_rows(records)
    yield _total_row(totals)


def ledger_csv(
    records: QuerySet[RevenueShareRecord], totals: LedgerTotals, name: str
) -> HttpResponse:
    return csv_response(name, _ledger_table(records, totals))


def ledger_xlsx(
    records: QuerySet[RevenueShareRecord], totals: LedgerTotals, name: str
) -> HttpResponse:
    return xlsx_response(name, [Sheet(_("Revenue shares"), _ledger_table(records, totals))])


def _annual_table(report: AnnualReport) -> Iterator[list[Any]]:
    yield [_("Operator"), report.operator.name]
    yield [_("Unified social credit code"), report.operator.credit_code]
    yield [_("Year"), report.year]
    yield []
    yield [
        _("Authorization"), _("Catalog entry"), _("Scenario"), _("Fee basis"), _("Price (yuan)"),
        _("Revenue (yuan)"), _("Successful calls"), _("Rows returned"), _("Metered fees (yuan)"),
        _("Shares paid (yuan)"), _("Reports awaiting verification"),
    ]  # fmt: skip
    for line in report.lines:
        authorization = line.authorization
        yield [
            authorization.pk, f"{authorization.entry.identifier} {authorization.entry.title}",
            authorization.scenario.title, authorization.get_fee_basis_display(),
            authorization.price, line.revenue, line.calls, line.rows, line.fees,
            line.shares_paid, line.open_reports,
        ]  # fmt: skip
    yield [
        _("Total"), "", "", "", "", report.revenue, report.calls, report.rows, report.fees,
        report.shares_paid, "",
    ]  # fmt: skip


def annual_report_xlsx(report: AnnualReport) -> HttpResponse:
    name = f"annual-report-{report.operator.credit_code}-{report.year}"
    return xlsx_response(name, [Sheet(_("Annual business report"), _annual_table(report))])
