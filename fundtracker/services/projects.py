"""Reading the portfolio: the filtered project list and the figures on the home pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker.models import (
    Organisation,
    ProgrammeArea,
    Project,
    ProjectStatus,
    Region,
    User,
    project_regions,
)
from fundtracker.permissions import scopes
from fundtracker.services.search import contains_folded

SORT_KEYS = ("code", "title", "organisation", "amount", "start", "end", "status")


@dataclass
class ProjectFilter:
    area_id: int | None = None
    region_id: int | None = None
    status: ProjectStatus | None = None
    officer_id: int | None = None
    q: str = ""
    sort: str = "code"
    descending: bool = False


def _sort_column(key: str, locale: str):
    return {
        "code": Project.code,
        "title": getattr(Project, f"title_{locale}", Project.title_en),
        "organisation": Organisation.name,
        "amount": Project.awarded_amount,
        "start": Project.start_date,
        "end": Project.end_date,
        "status": Project.status,
    }.get(key, Project.code)


def conditions(actor: User, flt: ProjectFilter) -> list[ColumnElement[bool]]:
    """Conditions on Project (and, for a text search, its Organisation, which the query must
    join) for what the actor may see that passes the filters. Queries that join Project put them
    straight in their WHERE: no `IN (subquery)` over the whole portfolio."""
    found = scopes.projects(actor)
    if flt.area_id:
        found.append(Project.area_id == flt.area_id)
    if flt.status:
        found.append(Project.status == flt.status)
    if flt.officer_id:
        found.append(Project.officer_id == flt.officer_id)
    if flt.region_id:
        found.append(
            Project.id.in_(
                select(project_regions.c.project_id).where(
                    project_regions.c.region_id == flt.region_id
                )
            )
        )
    text = flt.q.strip()
    if text:
        found.append(
            or_(
                contains_folded(Project.code, text),
                contains_folded(Project.title_kk, text),
                contains_folded(Project.title_ru, text),
                contains_folded(Project.title_en, text),
                contains_folded(Organisation.name, text),
            )
        )
    return found


def project_list(actor: User, flt: ProjectFilter, locale: str) -> Select:
    """The list page's query: filtered, sorted, with its relations loaded in a fixed number of
    queries whatever the page size."""
    stmt = select(Project).join(Project.organisation).where(*conditions(actor, flt))
    column = _sort_column(flt.sort, locale)
    order = column.desc() if flt.descending else column.asc()
    return stmt.options(
        joinedload(Project.organisation),
        joinedload(Project.area),
        joinedload(Project.officer),
        selectinload(Project.regions),
    ).order_by(order, Project.id)


@dataclass
class Breakdown:
    label: str
    count: int
    amount: int
    key: str | int | None = None


@dataclass
class PortfolioSummary:
    projects: int = 0
    awarded: int = 0
    by_status: list[Breakdown] = field(default_factory=list)
    running: list[Breakdown] = field(default_factory=list)  # active and at risk
    by_area: list[Breakdown] = field(default_factory=list)
    by_region: list[Breakdown] = field(default_factory=list)


def portfolio_summary(
    session: Session, actor: User, locale: str, status_labels: dict
) -> PortfolioSummary:
    """Counts and awarded amounts by status, area and region, over what the actor may see."""
    scope = scopes.visible_projects(actor).with_only_columns(Project.id).scalar_subquery()
    totals = session.execute(
        select(func.count(Project.id), func.coalesce(func.sum(Project.awarded_amount), 0)).where(
            Project.id.in_(scope)
        )
    ).one()
    summary = PortfolioSummary(projects=totals[0], awarded=int(totals[1]))

    rows = session.execute(
        select(Project.status, func.count(Project.id), func.sum(Project.awarded_amount))
        .where(Project.id.in_(scope))
        .group_by(Project.status)
    ).all()
    counted = {status: (count, int(amount or 0)) for status, count, amount in rows}
    summary.by_status = [
        Breakdown(str(status_labels[s]), *counted.get(s, (0, 0)), key=s.value)
        for s in ProjectStatus
    ]
    summary.running = [
        row
        for row in summary.by_status
        if row.key in (ProjectStatus.ACTIVE.value, ProjectStatus.AT_RISK.value)
    ]

    rows = session.execute(
        select(ProgrammeArea, func.count(Project.id), func.sum(Project.awarded_amount))
        .outerjoin(Project, (Project.area_id == ProgrammeArea.id) & Project.id.in_(scope))
        .group_by(ProgrammeArea.id)
        .order_by(ProgrammeArea.id)
    ).all()
    summary.by_area = [
        Breakdown(area.name(locale), count, int(amount or 0), key=area.id)
        for area, count, amount in rows
    ]

    # A project in several regions counts in each of them.
    rows = session.execute(
        select(Region, func.count(Project.id), func.sum(Project.awarded_amount))
        .join(project_regions, project_regions.c.region_id == Region.id)
        .join(Project, (Project.id == project_regions.c.project_id) & Project.id.in_(scope))
        .group_by(Region.id)
    ).all()
    summary.by_region = sorted(
        (Breakdown(r.name(locale), c, int(a or 0), key=r.id) for r, c, a in rows),
        key=lambda b: (-b.count, b.label),
    )
    return summary
