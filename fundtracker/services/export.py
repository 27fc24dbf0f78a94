"""The filtered project list as CSV or XLSX, for officers' own analysis."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker.models import (
    InKindDelivery,
    Milestone,
    MilestoneStatus,
    Project,
    Tranche,
    TrancheStatus,
    User,
)
from fundtracker.services import inkind
from fundtracker.services.projects import ProjectFilter, project_list

MAX_ROWS = 100_000


def rows(
    session: Session, actor: User, flt: ProjectFilter, locale: str, today: date, labels: dict
) -> tuple[list[str], list[list]]:
    """Headers and rows; money in tenge as numbers so spreadsheets can add them up."""
    paid = (
        select(func.coalesce(func.sum(Tranche.amount), 0))
        .where(Tranche.project_id == Project.id, Tranche.status == TrancheStatus.PAID)
        .scalar_subquery()
    )
    overdue = (
        select(func.count(Milestone.id))
        .where(
            Milestone.project_id == Project.id,
            Milestone.due_date < today,
            Milestone.status.in_([MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED]),
        )
        .scalar_subquery()
    )
    given = (
        select(inkind.value_column())
        .where(InKindDelivery.project_id == Project.id)
        .scalar_subquery()
    )
    stmt = project_list(actor, flt, locale).add_columns(paid, overdue, given).limit(MAX_ROWS)
    headers = [
        str(labels[key])
        for key in (
            "code",
            "title",
            "organisation",
            "bin",
            "area",
            "regions",
            "status",
            "awarded",
            "paid",
            "start",
            "end",
            "officer",
            "overdue",
            "inkind",  # last: spreadsheets made from the columns before it keep working
        )
    ]
    out = []
    for project, paid_amount, overdue_count, given_amount in session.execute(stmt).unique():
        out.append(
            [
                project.code,
                project.title(locale),
                project.organisation.name,
                project.organisation.bin,
                project.area.name(locale),
                ", ".join(r.name(locale) for r in project.regions),
                str(labels["statuses"][project.status]),
                Decimal(project.awarded_amount) / 100,
                Decimal(int(paid_amount)) / 100,
                project.start_date,
                project.end_date,
                project.officer.name if project.officer else "",
                overdue_count,
                Decimal(int(given_amount or 0)) / 100,
            ]
        )
    return headers, out


def projects(session: Session, actor: User, flt: ProjectFilter, locale: str) -> list[Project]:
    """The filtered list's projects, for the workbook export (services/imports/workbook.py)."""
    return list(session.scalars(project_list(actor, flt, locale).limit(MAX_ROWS)).unique())


# Where the spreadsheets people use in each language expect them: Kazakh and Russian settings
# separate a list with semicolons, since their decimal separator is the comma.
CSV_DIALECTS = {"kk": (";", ","), "ru": (";", ",")}
ENGLISH_CSV = (",", ".")


def csv_format(locale: str) -> tuple[str, str]:
    """The field delimiter and the decimal mark of a CSV for a reader in `locale`."""
    return CSV_DIALECTS.get(locale, ENGLISH_CSV)


def to_csv(headers: list[str], data: list[list], locale: str = "en") -> bytes:
    """The table as CSV that a spreadsheet in the reader's language opens into columns and reads
    numbers from: its delimiter and decimal mark, plain numbers (no thousands separators; money
    in tenge with 2 decimals, as in the XLSX), dates as ISO, text quoted where it must be and
    never run as a formula, UTF-8 with a byte-order mark."""
    delimiter, decimal = csv_format(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_safe(h) for h in headers])
    for row in data:
        writer.writerow([_csv_cell(v, decimal) for v in row])
    # A byte-order mark, so that Excel opens the UTF-8 (Kazakh and Russian text) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value, decimal: str):
    """One value as the CSV writes it: a number plain, with the locale's decimal mark."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, Decimal | float):
        return f"{value:.2f}".replace(".", decimal)
    if isinstance(value, int):
        return str(value)
    return _csv_safe(value)


def _csv_safe(value):
    """Neutralise text that a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value.isoformat() if isinstance(value, date) else value


def to_xlsx(headers: list[str], data: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append([_csv_safe(v) if isinstance(v, str) else v for v in row])
    for column in ("H", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    for column in ("J", "K"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
