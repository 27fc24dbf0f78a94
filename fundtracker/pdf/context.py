"""What a report says, as plain data: numbers (money in tiyn), dates, and strings already in the
report's language. Templates get only this, so the same data gives the same PDF, and its
fingerprint tells whether a stored report is still current.

Call the builders inside `flask_babel.force_locale(params.locale)`: labels are translated here.

This module builds the board report and the project report from a report's projects; their
outcomes come from outcome_blocks.py. Every count of people in either is a published, protected
cell (services/publications): a board report prints the publication of its period, a project
report its project's cells in every published period. No raw count goes into a PDF.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker.core.text import clean_data
from fundtracker.core.time import local_day
from fundtracker.models import (
    InKindDelivery,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    ProgrammeArea,
    Project,
    Region,
    ReportKind,
    TrancheStatus,
    UpdateStatus,
    project_regions,
)
from fundtracker.models.labels import (
    budget_category_labels,
    milestone_status_labels,
    status_labels,
    tranche_status_labels,
)
from fundtracker.pdf.outcome_blocks import (
    board_outcomes,
    board_project_cells,
    impact_stories,
    indicator_lines,
    not_published,
    project_indicator_rows,
    published_by_period,
    stamp,
)
from fundtracker.pdf.params import ReportParams, publication_of
from fundtracker.services import inkind, publications, sustainability
from fundtracker.services.publications import REACHED
from fundtracker.services.status import reported_spending


def _load_projects(session: Session, params: ReportParams) -> list[Project]:
    stmt = select(Project).options(
        joinedload(Project.organisation),
        joinedload(Project.area),
        selectinload(Project.regions),
        selectinload(Project.budget_lines),
        selectinload(Project.tranches),
        selectinload(Project.milestones)
        .selectinload(Milestone.updates)
        .selectinload(MilestoneUpdate.spending),
    )
    if params.kind == ReportKind.PROJECT:
        stmt = stmt.where(Project.id == params.project_id)
    else:
        stmt = stmt.where(
            Project.start_date <= params.period_end, Project.end_date >= params.period_start
        )
        if params.area_id:
            stmt = stmt.where(Project.area_id == params.area_id)
        if params.region_id:
            stmt = stmt.where(
                Project.id.in_(
                    select(project_regions.c.project_id).where(
                        project_regions.c.region_id == params.region_id
                    )
                )
            )
    return list(session.scalars(stmt.order_by(Project.code)))


def _on_time(milestone: Milestone) -> bool:
    """Accepted, and the report the fund accepted was submitted by the due date (the fund's
    review time does not count against the grantee)."""
    if milestone.status != MilestoneStatus.ACCEPTED:
        return False
    return any(
        u.status == UpdateStatus.ACCEPTED
        and u.submitted_at is not None
        and local_day(u.submitted_at) <= milestone.due_date
        for u in milestone.updates
    )


def _project_page(project: Project, params: ReportParams, today: date, labels: dict) -> dict:
    """A project's page; its outcome figures ("reached", "indicators", "published") are filled
    in by the caller, from the publication the report prints."""
    spending = reported_spending(project)
    budget = [
        {
            "category": str(labels["category"][line.category]),
            "description": line.description,
            "amount": line.amount,
            "spent": spending.get(line.id),
        }
        for line in project.budget_lines
    ]
    paid = [t for t in project.tranches if t.status == TrancheStatus.PAID]
    locale = params.locale
    return {
        "id": project.id,
        "code": project.code,
        "title": project.title(locale),
        "summary": project.summary(locale),
        "organisation": project.organisation.name,
        "area": project.area.name(locale),
        "regions": [r.name(locale) for r in project.regions],
        "status": str(labels["status"][project.status]),
        "status_key": project.status.value,
        "start": project.start_date,
        "end": project.end_date,
        "awarded": project.awarded_amount,
        "paid": sum(t.amount for t in paid),
        "budget": budget,
        "budget_total": sum(line.amount for line in project.budget_lines),
        "spent_total": sum(spending.values()),
        "milestones": [
            {
                "title": m.title,
                "due": m.due_date,
                "status": str(labels["milestone"][m.status]),
                "accepted_on": local_day(m.accepted_at),
                "on_time": _on_time(m) if m.status == MilestoneStatus.ACCEPTED else None,
                "overdue": m.is_overdue(today),
            }
            for m in project.milestones
        ],
        "tranches": [
            {
                "amount": t.amount,
                "planned": t.planned_date,
                "status": str(labels["tranche"][t.status]),
                "paid_on": t.paid_on,
            }
            for t in project.tranches
        ],
        "reached": not_published(),
        "indicators": [],
        "published": None,
    }


def _labels() -> dict:
    return {
        "status": status_labels(),
        "milestone": milestone_status_labels(),
        "tranche": tranche_status_labels(),
        "category": budget_category_labels(),
    }


def _delivery(projects: list[Project], params: ReportParams, today: date) -> dict:
    """Milestones due in the period whose due date has passed, and how many were accepted by it."""
    due = [
        m
        for p in projects
        for m in p.milestones
        if params.covers(m.due_date) and m.due_date <= today
    ]
    on_time = sum(1 for m in due if _on_time(m))
    return {
        "due": len(due),
        "on_time": on_time,
        "share": round(100 * on_time / len(due)) if due else None,
    }


def _breakdown(groups: dict, order: list) -> list[dict]:
    """Projects and money by programme area or region (money, not counts of people)."""
    rows = []
    for key, label in order:
        members = groups.get(key, [])
        if not members:
            continue
        rows.append(
            {
                "label": label,
                "projects": len(members),
                "awarded": sum(p["awarded"] for p in members),
                "paid": sum(p["paid_in_period"] for p in members),
            }
        )
    return rows


def board_context(session: Session, params: ReportParams, today: date) -> dict:
    """The board impact report's data. Its period is a published one: every outcome figure is a
    cell of that publication (none when the dates are no published period)."""
    labels = _labels()
    projects = _load_projects(session, params)
    locale = params.locale
    ids = [p.id for p in projects]
    publication = publication_of(session, params)
    published = publications.load(session, publication, projects=ids) if publication else None
    lines = indicator_lines(session, params, ids)
    named = stamp(publication)
    pages = []
    by_area: dict[int, list] = {}
    by_region: dict[int, list] = {}
    for project in projects:
        page = _project_page(project, params, today, labels)
        page["paid_in_period"] = sum(
            t.amount
            for t in project.tranches
            if t.status == TrancheStatus.PAID and params.covers(t.paid_on)
        )
        cells = board_project_cells(published, project.id, lines[project.id])
        page["indicators"] = project_indicator_rows(lines[project.id], cells)
        page["reached"] = cells[REACHED].display if cells is not None else not_published()
        page["published"] = named
        pages.append(page)
        by_area.setdefault(project.area_id, []).append(page)
        # Money: a project in several regions counts in each of them.
        for region in project.regions:
            by_region.setdefault(region.id, []).append(page)

    areas = session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)).all()
    regions = session.scalars(select(Region)).all()
    region_order = sorted(((r.id, r.name(locale)) for r in regions), key=lambda kv: kv[1])
    area = session.get(ProgrammeArea, params.area_id) if params.area_id else None
    region = session.get(Region, params.region_id) if params.region_id else None
    outcomes = board_outcomes(session, params, published, region.code if region else None)
    period = params.period()
    # Text stored before it was cleaned at input (a title with U+202E, emoji) prints clean.
    return clean_data(
        {
            "kind": "board",
            "locale": locale,
            "period": {
                "start": params.period_start,
                "end": params.period_end,
                "label": period.label() if period else None,
            },
            "published": outcomes["published"],
            "filters": {
                "area": area.name(locale) if area else None,
                "region": region.name(locale) if region else None,
            },
            "key_figures": {
                "projects": len({p.id for p in projects}),
                "organisations": len({p.organisation_id for p in projects}),
                "awarded": sum(p.awarded_amount for p in projects),
                "paid_in_period": sum(p["paid_in_period"] for p in pages),
                "paid_to_date": sum(
                    t.amount
                    for p in projects
                    for t in p.tranches
                    if t.status == TrancheStatus.PAID
                    and t.paid_on
                    and t.paid_on <= params.period_end
                ),
                "reached": outcomes["reached"],
                "delivery": _delivery(projects, params, today),
                # In-kind support delivered by the end of the period (issue #21).
                "inkind_given": int(
                    session.scalar(
                        select(inkind.value_column()).where(
                            InKindDelivery.project_id.in_(ids),
                            InKindDelivery.delivered_on <= params.period_end,
                        )
                    )
                    or 0
                ),
            },
            "beneficiaries": outcomes["beneficiaries"],
            "by_area": _breakdown(by_area, [(a.id, a.name(locale)) for a in areas]),
            "by_region": _breakdown(by_region, region_order),
            "indicators": outcomes["indicators"],
            "indicator_breakdowns": outcomes["indicator_breakdowns"],
            "outcomes_by_area": outcomes["by_area"],
            "outcomes_by_region": outcomes["by_region"],
            "outcomes_by_domain": outcomes["by_domain"],
            "stories": impact_stories(session, params, ids),
            "sustainability": sustainability.board_section(
                session, params.period_end, locale, params.area_id, params.region_id
            ),
            "projects": pages,
        }
    )


def project_context(session: Session, params: ReportParams, today: date) -> dict:
    """One project's report: the same page as in the board report, with its delivery figures.
    Its outcome figures are its published cells: the page shows those of the latest published
    period it has cells in, and a table lists every published period; before any is published,
    the report says so and prints no count."""
    projects = _load_projects(session, params)
    if not projects:
        raise LookupError(params.project_id)
    project = projects[0]
    lines = indicator_lines(session, params, [project.id])[project.id]
    found, by_period = published_by_period(session, project.id, lines)
    latest, cells = found[0] if found else (None, None)
    page = _project_page(project, params, today, _labels())
    page["indicators"] = project_indicator_rows(lines, cells)
    page["reached"] = (
        cells.get(REACHED, publications.NOTHING_REPORTED).display
        if cells is not None
        else not_published()
    )
    page["published"] = stamp(latest)
    return clean_data(
        {
            "kind": "project",
            "locale": params.locale,
            "period": {"start": params.period_start, "end": params.period_end, "label": None},
            "published": page["published"],
            "published_by_period": by_period,
            "delivery": _delivery(projects, params, today),
            "project": page,
            "stories": impact_stories(session, params, [project.id]),
        }
    )


def build_context(session: Session, params: ReportParams, today: date) -> dict:
    if params.kind == ReportKind.PROJECT:
        return project_context(session, params, today)
    return board_context(session, params, today)
