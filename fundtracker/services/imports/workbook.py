"""The workbook people fill and the workbook the project list exports: one layout, so an export
can be edited and imported back (issue #24).

Sheets follow `ordered_sheets()`, with their headers in the reader's language. The template
starts with an instructions sheet and has an example row in each sheet (skipped on import if
left as it is); a "Lists" sheet holds what CHOICE and yes/no columns accept, and every such
column has a drop-down list (data validation) pointing at it.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    DATE,
    IGNORED_SHEETS,
    INT,
    MONEY,
    Sheet,
    ordered_sheets,
)
from fundtracker.services.imports.core import References as _References

HEADER = Font(bold=True)
EXAMPLE = Font(italic=True, color="6B6B6B")
READ_ONLY = PatternFill("solid", fgColor="EEEEEE")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"
# Excel refuses these in a sheet's name, and names over 31 characters.
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(sheet: type[Sheet] | str) -> str:
    label = IGNORED_SHEETS[sheet] if isinstance(sheet, str) else sheet.label
    return str(label).translate(_FORBIDDEN).strip()[:31]


def _yes_no() -> list[str]:
    return [_("yes"), _("no")]


class _Lists:
    """The "Lists" sheet: one column per reference list, filled as columns ask for them."""

    def __init__(self, book: Workbook, session: Session, locale: str) -> None:
        self.sheet = book.create_sheet(sheet_title("lists"))
        self.refs = _References(session)
        self.locale = locale
        self.ranges: dict[str, str] = {}

    def range_for(self, column) -> str | None:
        name = "yes_no" if column.kind == BOOL else (column.choices or column.key)
        if name not in self.ranges:
            values = _yes_no() if name == "yes_no" else self.refs.labels(name, self.locale)
            if not values:
                return None
            index = len(self.ranges) + 1
            letter = get_column_letter(index)
            self.sheet.cell(row=1, column=index, value=name).font = HEADER
            for row, value in enumerate(values, start=2):
                self.sheet.cell(row=row, column=index, value=value)
            self.sheet.column_dimensions[letter].width = 36
            title = quote_sheetname(self.sheet.title)
            self.ranges[name] = f"{title}!${letter}$2:${letter}${len(values) + 1}"
        return self.ranges[name]


def _data_sheet(book: Workbook, sheet: type[Sheet], lists: _Lists, rows: int) -> Any:
    ws = book.create_sheet(sheet_title(sheet))
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=str(column.label))
        cell.font = HEADER
        if column.read_only:
            cell.fill = READ_ONLY
            cell.comment = Comment(_("For reading: ignored when imported."), "FundTracker")
        elif column.required:
            cell.comment = Comment(_("Required"), "FundTracker")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.read_only or column.kind not in (CHOICE, BOOL):
            continue
        source = lists.range_for(column)
        if source is None:
            continue
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=_("Not in the list"),
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letter}2:{letter}{rows}")
        ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    return ws


def _write(ws, sheet: type[Sheet], row_number: int, values: dict[str, Any], refs, locale: str):
    for index, column in enumerate(sheet.columns, start=1):
        value = values.get(column.key)
        if value is None:
            continue
        if column.kind == CHOICE:
            value = refs.label(column.choices or column.key, value, locale)
        elif column.kind == BOOL:
            value = _("yes") if value else _("no")
        cell = ws.cell(row=row_number, column=index, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, never a formula (a title may start with "=")
        if column.kind == MONEY and isinstance(value, Decimal | int | float):
            cell.number_format = MONEY_FORMAT
        elif column.kind == DATE and isinstance(value, date):
            cell.number_format = DATE_FORMAT
        elif column.kind == INT:
            cell.number_format = "0"


def _instructions(book: Workbook) -> None:
    ws = book.create_sheet(sheet_title("instructions"), 0)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    lines = [
        (_("How to fill this workbook"), ""),
        ("", _("Each sheet is one kind of record; its first row names the columns.")),
        ("", _("Leave out a sheet, or a column, to change nothing about it.")),
        ("", _("A row that matches a record already in FundTracker updates it; others add one.")),
        ("", _("The grey example row is skipped when it is left as it is.")),
        ("", _("Amounts are in tenge; dates are DD.MM.YYYY; lists accept any language.")),
        ("", _("Nothing is written until you confirm the preview, and then all or nothing.")),
        ("", ""),
        (_("Sheet"), _("Rows are matched by")),
    ]
    for sheet in ordered_sheets():
        lines.append((sheet_title(sheet), str(MATCHED_BY[sheet.key])))
    for number, (first, second) in enumerate(lines, start=1):
        ws.cell(row=number, column=1, value=first).font = HEADER
        ws.cell(row=number, column=2, value=second)


def _matched_by() -> dict[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "organisations": _l("BIN"),
        "users": _l("email"),
        "projects": _l("project code"),
        "project_regions": _l("project code: the regions listed replace the project's"),
        "budget_lines": _l("project code, category and description"),
        "milestones": _l("project code and milestone title"),
        "tranches": _l("project code and milestone (or planned date without a milestone)"),
        "indicators": _l("project code and standard indicator code (or indicator name)"),
        "results": _l("project code, indicator and period start"),
        "breakdowns": _l("project code, indicator and period start: the cells listed replace"),
    }


MATCHED_BY = _matched_by()


def _without(sheet: type[Sheet], keys: tuple[str, ...]) -> type[Sheet]:
    """`sheet` with some columns left out (a subclass: the registry keeps the whole one)."""
    columns = tuple(c for c in sheet.columns if c.key not in keys)
    return type(sheet.__name__, (sheet,), {"columns": columns})


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(session: Session, locale: str) -> bytes:
    """The empty workbook to fill, in `locale`, with an example row per sheet."""
    with force_locale(locale):
        book = Workbook()
        book.remove(book.active)
        _instructions(book)
        lists = _Lists(book, session, locale)
        for sheet in ordered_sheets():
            ws = _data_sheet(book, sheet, lists, 5000)
            for index, column in enumerate(sheet.columns, start=1):
                if column.example is not None and not column.read_only:
                    ws.cell(row=2, column=index, value=column.example).font = EXAMPLE
        book.move_sheet(lists.sheet, offset=len(book.sheetnames))
        return _save(book)


# What a reader without access to people's contacts (the board) does not get: the grantee
# users sheet and the organisations' contact columns. Left out, not emptied, so the workbook
# imported back changes nothing about them.
PERSONAL = {"users": None, "organisations": ("contact_name", "contact_email", "contact_phone")}


# What a reader who sees outcome figures only as published and protected (the board:
# fundtracker.disclosure.audience) does not get: results and their breakdowns, raw.
RAW_FIGURES = ("results", "breakdowns")


def export(
    session: Session, projects: list, locale: str, personal: bool = True, raw: bool = True
) -> bytes:
    """`projects` (already chosen and permitted by the caller) in the template's layout;
    without `personal`, no contact details (PERSONAL); without `raw`, no raw outcome figures
    (RAW_FIGURES)."""
    with force_locale(locale):
        book = Workbook()
        book.remove(book.active)
        lists = _Lists(book, session, locale)
        for sheet in ordered_sheets():
            if not raw and sheet.key in RAW_FIGURES:
                continue
            if not personal and sheet.key in PERSONAL:
                if PERSONAL[sheet.key] is None:
                    continue
                sheet = _without(sheet, PERSONAL[sheet.key])
            rows = sheet().export_rows(session, projects, locale)
            ws = _data_sheet(book, sheet, lists, max(len(rows) + 1000, 2000))
            for number, values in enumerate(rows, start=2):
                _write(ws, sheet, number, values, lists.refs, locale)
        book.move_sheet(lists.sheet, offset=len(book.sheetnames))
        return _save(book)
