"""The cost report as a table of cells, and that table as CSV or XLSX.

Both files are written from the same `report_table()`, so they hold the same numbers as
the page: amounts are `Decimal` (numbers with a number format in XLSX, plain "1234.50" in
CSV), never floats. Text that a spreadsheet would run as a formula (a customer named
"=HYPERLINK(...)") is neutralised in both.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.selectors import CostReport, CostRow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A leading apostrophe keeps a spreadsheet from reading text as a formula (OWASP)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def report_table(report: CostReport, group_label: str) -> tuple[list[str], list[list]]:
    """The header and the rows (the total last), cells as str, int or Decimal."""
    base = report.base_currency
    header = [
        group_label,
        _("Activities"),
        _("Expected (%(code)s)") % {"code": base},
        _("Actual (%(code)s)") % {"code": base},
        _("Difference (%(code)s)") % {"code": base},
        _("Expected amounts without a rate"),
        _("Actual amounts without a rate"),
    ]
    for code in report.currencies:
        header += [_("Expected in %(code)s") % {"code": code}]
        header += [_("Actual in %(code)s") % {"code": code}]

    def line(row: CostRow) -> list:
        cells: list = [
            row.label,
            row.activities,
            row.expected.base,
            row.actual.base,
            row.difference,
            row.expected.missing,
            row.actual.missing,
        ]
        for code in report.currencies:
            unit = Decimal(1).scaleb(-report.minor_units.get(code, 2))
            cells.append(row.expected.by_currency.get(code, Decimal(0)).quantize(unit))
            cells.append(row.actual.by_currency.get(code, Decimal(0)).quantize(unit))
        return cells

    return header, [line(row) for row in report.rows] + [line(report.total)]


def to_csv(report: CostReport, group_label: str) -> str:
    """Comma-separated, dot decimals, UTF-8 with a BOM (so Excel reads the letters)."""
    header, rows = report_table(report, group_label)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for cells in rows:
        writer.writerow(
            [neutralise(c) if isinstance(c, str) else "" if c is None else str(c) for c in cells]
        )
    return out.getvalue()


def to_xlsx(report: CostReport, group_label: str) -> bytes:
    header, rows = report_table(report, group_label)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Costs")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    column_places = [None, None] + [report.base_places] * 3 + [None, None]
    for code in report.currencies:
        column_places += [report.minor_units.get(code, 2)] * 2
    for cells in rows:
        sheet.append(cells)
        row = sheet[sheet.max_row]
        for cell, digits in zip(row, column_places, strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif digits is not None:
                cell.number_format = "#,##0" + ("." + "0" * digits if digits else "")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
