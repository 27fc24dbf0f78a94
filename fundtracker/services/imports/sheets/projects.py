"""Projects, matched by code. "Paid to date" and "Overdue milestones" are exported for reading
and ignored on import."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker.core.time import today
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Organisation,
    ProgrammeArea,
    Project,
    Role,
    Tranche,
    TrancheStatus,
    User,
)
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    DATE,
    EMAIL,
    INT,
    LINE,
    MESSAGES,
    MONEY,
    TEXT,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import (
    ORGANISATION_BIN,
    find_project,
    first_seen,
    norm_key,
    plan,
    present,
    projects,
)


@register
class Projects(Sheet):
    key = "projects"
    label = _l("Projects")
    order = 30
    columns = (
        Column("code", _l("Code"), LINE, required=True, max_length=32, example="QH-2026-001"),
        Column(
            "title_kk",
            _l("Title (Kazakh)"),
            LINE,
            max_length=300,
            width=40,
            example="Аутизмі бар балаларға арналған оңалту орталығы",
        ),
        Column(
            "title_ru",
            _l("Title (Russian)"),
            LINE,
            max_length=300,
            width=40,
            example="Реабилитационный центр для детей с аутизмом",
        ),
        Column(
            "title_en",
            _l("Title (English)"),
            LINE,
            max_length=300,
            width=40,
            example="Rehabilitation centre for children with autism",
        ),
        ORGANISATION_BIN,
        Column(
            "area",
            _l("Programme area"),
            CHOICE,
            required=True,
            choices="areas",
            example="healthcare",
        ),
        Column(
            "status",
            _l("Status"),
            CHOICE,
            required=True,
            choices="project_statuses",
            example="active",
        ),
        Column("awarded", _l("Awarded, ₸"), MONEY, required=True, example="25 000 000,00"),
        Column("start_date", _l("Start date"), DATE, required=True, example="01.03.2026"),
        Column("end_date", _l("End date"), DATE, required=True, example="28.02.2027"),
        Column("officer_email", _l("Officer's email"), EMAIL, width=24),
        Column("agreement_number", _l("Agreement number"), LINE, max_length=40),
        Column("agreement_signed_on", _l("Agreement signed on"), DATE, example="14.02.2026"),
        Column("confidential", _l("Confidential"), BOOL, example="no"),
        Column("summary_kk", _l("Summary (Kazakh)"), TEXT, width=40),
        Column("summary_ru", _l("Summary (Russian)"), TEXT, width=40),
        Column("summary_en", _l("Summary (English)"), TEXT, width=40),
        Column("paid", _l("Paid to date, ₸"), MONEY, read_only=True),
        Column("overdue", _l("Overdue milestones"), INT, read_only=True),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        planned = ctx.planned.setdefault("projects", {})
        known_bins = set(ctx.planned.get("organisations", {}))
        bins = {r.values.get("organisation_bin") for r in rows} - {None}
        organisations = {
            o.bin: o
            for o in ctx.session.scalars(select(Organisation).where(Organisation.bin.in_(bins)))
        }
        ctx.state["project_organisations"] = organisations
        staff = {
            u.email: u
            for u in ctx.session.scalars(
                select(User).where(User.role.in_(STAFF_ROLES), User.active.is_(True))
            )
        }
        ctx.state["project_officers"] = staff
        agreements = {
            p.agreement_number: p.code for p in projects(ctx).values() if p.agreement_number
        }
        for row in rows:
            code = row.values.get("code")
            if code is None:
                continue
            key = norm_key(code)
            planned.setdefault(key, row.values)
            if not first_seen(ctx, self.key, row, key):
                continue
            project = find_project(ctx, code)
            self._check_row(ctx, row, project, organisations, known_bins, staff, agreements)
            if not row.ok:
                continue
            new = present(row, {c.key: row.values.get(c.key) for c in self.writable()})
            new.pop("code")
            current = _current(project) if project is not None else None
            plan(ctx, self.key, row, code, project, new, current)

    def _check_row(self, ctx, row, project, organisations, known_bins, staff, agreements):
        v = row.values
        before = _current(project) if project is not None else {}

        def value(name):
            return v.get(name) if name in row.raw else before.get(name)

        def problem(column, code, **params):
            row.ok = False
            ctx.problem(self.key, row.number, column, code, **params)

        if row.ok and not any(value(f"title_{loc}") for loc in ("kk", "ru", "en")):
            problem("title_kk", "title_required")
        bin_ = v.get("organisation_bin")
        if bin_ and bin_ not in organisations and bin_ not in known_bins:
            problem("organisation_bin", "unknown_organisation", value=bin_)
        start, end = value("start_date"), value("end_date")
        if start and end and end < start:
            problem("end_date", "ends_before_start")
        email = v.get("officer_email")
        if email and email not in staff:
            problem("officer_email", "not_an_officer", value=email)
        number = v.get("agreement_number")
        if number:
            owner = agreements.get(number)
            if owner is not None and norm_key(owner) != norm_key(v.get("code")):
                problem("agreement_number", "agreement_taken", value=number, code=owner)
            agreements.setdefault(number, v.get("code"))

    def apply(self, ctx: Context) -> None:
        areas = {a.code: a for a in ctx.session.scalars(select(ProgrammeArea))}
        organisations = {
            o.bin: o
            for o in ctx.session.scalars(
                select(Organisation).where(
                    Organisation.bin.in_(
                        {
                            c.values["organisation_bin"]
                            for c in ctx.changes_of(self.key)
                            if "organisation_bin" in c.values
                        }
                    )
                )
            )
        }
        staff = ctx.state.get("project_officers", {})
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            project = change.target
            if project is None:
                project = Project(code=change.key, status_auto=False)
                ctx.session.add(project)
            for name, value in change.values.items():
                if name == "organisation_bin":
                    project.organisation = organisations[value]
                elif name == "area":
                    project.area = areas[value]
                elif name == "officer_email":
                    project.officer = staff.get(value) if value else None
                elif name in ("agreement_number", "agreement_signed_on"):
                    setattr(project, name, value or None)
                elif name == "awarded":
                    project.awarded_amount = value
                elif name == "confidential":
                    project.confidential = bool(value)
                elif name.startswith(("title_", "summary_")):
                    setattr(project, name, value or "")
                else:
                    setattr(project, name, value)
            ctx.session.flush()
            projects(ctx)[norm_key(project.code)] = project
            touch(ctx, project, self.key, change.action)
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        ids = [p.id for p in projects]
        paid = dict(
            session.execute(
                select(Tranche.project_id, func.sum(Tranche.amount))
                .where(Tranche.project_id.in_(ids), Tranche.status == TrancheStatus.PAID)
                .group_by(Tranche.project_id)
            ).all()
        )
        overdue = dict(
            session.execute(
                select(Milestone.project_id, func.count(Milestone.id))
                .where(
                    Milestone.project_id.in_(ids),
                    Milestone.due_date < today(),
                    Milestone.status.in_(
                        [MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED]
                    ),
                )
                .group_by(Milestone.project_id)
            ).all()
        )
        out = []
        for project in projects:
            row = _current(project)
            row["code"] = project.code
            row["awarded"] = Decimal(project.awarded_amount) / 100
            row["paid"] = Decimal(int(paid.get(project.id, 0))) / 100
            row["overdue"] = overdue.get(project.id, 0)
            out.append(row)
        return out


STAFF_ROLES = (Role.OFFICER, Role.ADMIN)

MESSAGES.update(
    {
        "title_required": _l("A project needs a title in at least one language."),
        "ends_before_start": _l("The end date is before the start date."),
        "not_an_officer": _l("%(value)s is not an active fund officer or administrator."),
        "agreement_taken": _l("The agreement number %(value)s is project %(code)s's."),
    }
)


def _current(project: Project) -> dict[str, Any]:
    return {
        "title_kk": project.title_kk,
        "title_ru": project.title_ru,
        "title_en": project.title_en,
        "organisation_bin": project.organisation.bin,
        "area": project.area.code,
        "status": project.status,
        "awarded": project.awarded_amount,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "officer_email": project.officer.email if project.officer else None,
        "agreement_number": project.agreement_number,
        "agreement_signed_on": project.agreement_signed_on,
        "confidential": project.confidential,
        "summary_kk": project.summary_kk,
        "summary_ru": project.summary_ru,
        "summary_en": project.summary_en,
    }
