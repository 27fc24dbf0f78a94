"""The project list's workbook imports back whole: the demo portfolio exported from one
database and imported into an empty one is the same portfolio, row for row."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import seed_demo
from fundtracker.demo.outcomes import _library
from fundtracker.models import (
    BudgetLine,
    IndicatorResult,
    Milestone,
    Organisation,
    Project,
    ProjectIndicator,
    ResultStatus,
    Role,
    Tranche,
    User,
)
from fundtracker.services import imports
from fundtracker.services.imports import workbook
from tests.dbutil import migrated_app


def snapshot() -> dict[str, list[tuple]]:
    s = db.session
    projects = s.scalars(select(Project).options(selectinload(Project.regions))).all()
    code = {p.id: p.code for p in projects}
    results = []
    for r in s.scalars(
        select(IndicatorResult).where(
            IndicatorResult.status.in_(
                [ResultStatus.REPORTED, ResultStatus.QUERIED, ResultStatus.VERIFIED]
            )
        )
    ):
        i = r.indicator
        results.append(
            (
                code[i.project_id],
                i.standard.code if i.standard else i.name,
                r.period_start,
                r.period_end,
                r.value,
                "reported" if r.status == ResultStatus.QUERIED else r.status.value,
                r.explanation,
                sorted((c.dimension.value, c.category, c.value) for c in r.cells),
            )
        )
    return {
        "organisations": sorted(
            (
                o.bin,
                o.name,
                o.region.code,
                o.address,
                o.contact_name,
                o.contact_email,
                o.contact_phone,
            )
            for o in s.scalars(select(Organisation))
        ),
        "grantees": sorted(
            (u.email, u.name, u.organisation.bin, u.locale, u.active)
            for u in s.scalars(select(User).where(User.role == Role.GRANTEE))
        ),
        "projects": sorted(
            (
                p.code,
                p.title_kk,
                p.title_ru,
                p.title_en,
                p.organisation.bin,
                p.area.code,
                p.status.value,
                p.awarded_amount,
                p.start_date,
                p.end_date,
                p.officer.email if p.officer else None,
                p.agreement_number,
                p.agreement_signed_on,
                p.confidential,
                p.summary_kk,
                p.summary_ru,
                p.summary_en,
                sorted(r.code for r in p.regions),
            )
            for p in projects
        ),
        "budget_lines": sorted(
            (code[b.project_id], b.category.value, b.description, b.amount)
            for b in s.scalars(select(BudgetLine))
        ),
        "milestones": sorted(
            (code[m.project_id], m.title, m.due_date, m.status.value, m.description, m.deliverables)
            for m in s.scalars(select(Milestone))
        ),
        "tranches": sorted(
            (
                code[t.project_id],
                t.milestone.title if t.milestone else "",
                t.planned_date,
                t.amount,
                t.status.value,
                t.paid_on,
                t.payment_reference,
            )
            for t in s.scalars(select(Tranche))
        ),
        "indicators": sorted(
            (
                code[i.project_id],
                i.standard.code if i.standard else None,
                i.name,
                i.unit,
                i.type.value,
                i.baseline,
                i.target,
                i.direction.value,
                i.cumulative,
                i.frequency.value,
                i.by_region,
                i.by_sex,
                i.by_age,
            )
            for i in s.scalars(select(ProjectIndicator))
        ),
        "results": sorted(results, key=repr),
    }


@pytest.mark.no_db
@pytest.mark.parametrize("locale", ["ru"])
def test_the_exported_portfolio_imports_into_an_empty_database_as_it_was(locale):
    with migrated_app("export") as source:
        seed_demo(db.session)
        db.session.commit()
        staff = [
            (u.email, u.name, u.role)
            for u in db.session.scalars(
                select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]))
            )
        ]
        projects = db.session.scalars(select(Project).order_by(Project.code)).all()
        with source.test_request_context():
            data = workbook.export(db.session, projects, locale)
        before = snapshot()
    assert before["projects"] and before["tranches"] and before["results"]

    with migrated_app("import") as target:
        _library(db.session)
        for email, name, role in staff:
            db.session.add(User(email=email, name=name, role=role, locale="en"))
        db.session.commit()
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        with target.test_request_context():
            ctx = imports.check(db.session, admin, data, "portfolio.xlsx", today())
            assert [(p.sheet, p.row, p.column, p.text()) for p in ctx.problems][:10] == []
            imports.apply(ctx, source="portfolio.xlsx")
            db.session.commit()
            after = snapshot()
            for name in before:
                assert after[name] == before[name], name
            again = imports.check(db.session, admin, data, "portfolio.xlsx", today())
            assert again.problems == []
            assert [c.as_json() for c in again.changes if c.action != "unchanged"] == []


def test_an_officers_export_imports_back_unchanged_users_included(app):
    """The officer's export has the grantee users sheet; imported back by the officer it
    changes nothing, and a new account in it is an administrator's to add."""
    import io as _io

    from openpyxl import load_workbook

    from tests import factories

    officer = factories.UserFactory(role=Role.OFFICER)
    project = factories.ProjectFactory()
    factories.UserFactory(role=Role.GRANTEE, organisation=project.organisation)
    with app.test_request_context():
        data = workbook.export(db.session, [project], "en")
        ctx = imports.check(db.session, officer, data, "export.xlsx", today())
        assert ctx.problems == []
        assert {c.action for c in ctx.changes} == {"unchanged"}
        book = load_workbook(_io.BytesIO(data))
        book["Grantee users"].append(["new@example.kz", "New person", project.organisation.bin])
        out = _io.BytesIO()
        book.save(out)
        ctx = imports.check(db.session, officer, out.getvalue(), "export.xlsx", today())
        assert [(p.sheet, p.code) for p in ctx.problems] == [("users", "users_admin_only")]
