"""Generated workbooks with errors put in at random places: every error is reported at its
sheet, row and column, and an import with any error writes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.demo.organisations import demo_bin
from fundtracker.models import Milestone, Organisation, Project, Role, Tranche
from fundtracker.services import imports
from fundtracker.services.imports import ImportRefused
from tests import factories

TODAY = date(2026, 12, 5)

# A wrong value for a cell of each kind, and what the check must say of it.
BAD = {
    "bin": ("123", "bad_bin"),
    "organisation_bin": ("220140000009", "bad_bin"),
    "region": ("Atlantis", "unknown_choice"),
    "area": ("Astronomy", "unknown_choice"),
    "status": ("Dormant", "unknown_choice"),
    "awarded": ("twelve", "not_money"),
    "amount": ("1.2345", "not_money"),
    "start_date": ("31.02.2026", "not_a_date"),
    "due_date": ("2026/13/40", "not_a_date"),
    "planned_date": ("yesterday", "not_a_date"),
    "name": ("", "required"),
    "title": ("", "required"),
    "code": ("", "required"),
}


def portfolio(projects: int, milestones: int, award_tenge: int) -> dict[str, list[list]]:
    """A clean workbook: one organisation per project, milestones, one tranche per milestone
    adding up to the award."""
    sheets: dict[str, list[list]] = {
        "organisations": [["bin", "name", "region"]],
        "projects": [
            ["code", "title_en", "organisation_bin", "area", "status", "awarded"]
            + ["start_date", "end_date"]
        ],
        "milestones": [["project_code", "title", "due_date"]],
        "tranches": [["project_code", "milestone", "planned_date", "amount"]],
    }
    for p in range(projects):
        bin_ = demo_bin("2201", 500 + p)
        code = f"GEN-{p:03d}"
        sheets["organisations"].append([bin_, f"Organisation {p}", "KZ-19"])
        sheets["projects"].append(
            [code, f"Project {p}", bin_, "healthcare", "active", award_tenge]
            + ["01.01.2026", "31.12.2026"]
        )
        share, rest = divmod(award_tenge, milestones)
        for m in range(milestones):
            due = date(2026, 1, 1) + timedelta(days=30 * (m + 1))
            sheets["milestones"].append([code, f"Stage {m + 1}", due.strftime("%d.%m.%Y")])
            amount = share + (rest if m == milestones - 1 else 0)
            sheets["tranches"].append([code, f"Stage {m + 1}", due.strftime("%d.%m.%Y"), amount])
    return sheets


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Project, Milestone, Tranche)
    )


@st.composite
def broken(draw):
    sheets = portfolio(
        draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(10, 10**9))
    )
    cells = [
        (title, r, c)
        for title, rows in sheets.items()
        for r in range(1, len(rows))
        for c, key in enumerate(rows[0])
        if key in BAD
    ]
    chosen = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=4, unique=True))
    for title, r, c in chosen:
        sheets[title][r][c] = BAD[sheets[title][0][c]][0]
    expected = {
        (title, r + 1, sheets[title][0][c], BAD[sheets[title][0][c]][1]) for title, r, c in chosen
    }
    return sheets, expected


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=broken())
def test_every_error_is_reported_at_its_place_and_nothing_is_written(app, case):
    sheets, expected = case
    officer = factories.UserFactory(role=Role.OFFICER)
    before = counts()
    with app.test_request_context():
        ctx = imports.check(db.session, officer, xlsx(sheets), "generated.xlsx", TODAY)
        found = {(p.sheet, p.row, p.column, p.code) for p in ctx.problems}
        assert expected <= found
        try:
            imports.apply(ctx, source="generated.xlsx")
        except ImportRefused as refused:
            assert refused.problems
        else:
            raise AssertionError("an import with problems was applied")
    assert counts() == before


def test_the_clean_workbook_imports_whole_and_then_changes_nothing(app):
    officer = factories.UserFactory(role=Role.OFFICER)
    data = xlsx(portfolio(2, 3, 9_000_001))
    before = counts()
    with app.test_request_context():
        ctx = imports.check(db.session, officer, data, "generated.xlsx", TODAY)
        assert [p.as_json() for p in ctx.problems] == []
        imports.apply(ctx, source="generated.xlsx")
        db.session.flush()
        assert counts() == (before[0] + 2, before[1] + 2, before[2] + 6, before[3] + 6)
        again = imports.check(db.session, officer, data, "generated.xlsx", TODAY)
        assert again.problems == []
        assert [c.as_json() for c in again.changes if c.action != "unchanged"] == []
