"""What the fund publishes (issue #20): the transparency page and the open-data files show the
same projects, chosen here. A project is public once its grant agreement is signed, unless an
admin marked it confidential.

Everything the public page shows is computed over public projects only: the totals are sums over
the public rows (so that a confidential project's money cannot be read off as "total minus the
rows"), the regional map counts public projects only, and outcome figures come only from
published, protected periods (services/publications), fund-wide only when every project in the
period is public.

An admin changes a project's publicity with `set_confidential` (audited as
"project.publicity_changed"); the write bumps the data version, so cached public pages are
rebuilt at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.disclosure import grid
from fundtracker.disclosure.display import HIDDEN, THRESHOLD
from fundtracker.models import (
    Organisation,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    ProjectStatus,
    Publication,
    PublishedCell,
    Region,
    Tranche,
    TrancheStatus,
    User,
    project_regions,
)
from fundtracker.services import audit, reference
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.publications import read as published_read
from fundtracker.services.publications import views as published_views

# Rows of the public project list per page.
PER_PAGE = 25
# Rows per page of the admin's list.
ADMIN_PER_PAGE = 50
REASON_MAX = 500


def public_project_clause() -> ColumnElement[bool]:
    """The SQL condition for a public project (for selects over `projects`)."""
    return and_(Project.agreement_signed_on.is_not(None), Project.confidential.is_(False))


def is_public(project: Project) -> bool:
    """The same rule for one loaded project."""
    return project.agreement_signed_on is not None and not project.confidential


# --- the public page ----------------------------------------------------------------------------


class PublicStatus(enum.StrEnum):
    """A project's status as the public sees it: "at risk" is the fund's own working mark."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CLOSED = "closed"


_PUBLIC_STATUS = {
    ProjectStatus.ACTIVE: PublicStatus.ACTIVE,
    ProjectStatus.AT_RISK: PublicStatus.ACTIVE,
    ProjectStatus.SUSPENDED: PublicStatus.SUSPENDED,
    ProjectStatus.COMPLETED: PublicStatus.COMPLETED,
    ProjectStatus.CLOSED: PublicStatus.CLOSED,
}


def public_status_labels() -> dict:
    return {
        PublicStatus.ACTIVE: _l("Under way"),
        PublicStatus.SUSPENDED: _l("Suspended"),
        PublicStatus.COMPLETED: _l("Completed"),
        PublicStatus.CLOSED: _l("Closed"),
    }


@dataclass(frozen=True)
class PublicFilter:
    """The public list's filters, by code (stable addresses): a programme area and a region."""

    area: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Totals:
    projects: int
    awarded: int  # tiyn
    paid: int  # tiyn
    organisations: int


@dataclass(frozen=True)
class PublicProject:
    code: str
    title: str
    summary: str
    partner: str
    area: str
    regions: list[str]
    awarded: int
    paid: int
    start_date: date
    end_date: date
    signed_on: date | None
    status: PublicStatus


@dataclass(frozen=True)
class RegionShare:
    code: str
    name: str
    count: int
    amount: int


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class OutcomeLine:
    name: str
    unit: str
    display: str  # as disclosure prints it: hidden cells and small counts never show a number


@dataclass
class PublicOutcomes:
    """The latest published period's figures. `complete`: every project in the period is
    public, so fund-wide figures may be shown; otherwise `lines` is empty."""

    period: str | None = None
    published_at: object = None
    complete: bool = False
    lines: list[OutcomeLine] = field(default_factory=list)


def _filtered(flt: PublicFilter) -> list[ColumnElement[bool]]:
    where = [public_project_clause()]
    if flt.area:
        where.append(
            Project.area_id.in_(select(ProgrammeArea.id).where(ProgrammeArea.code == flt.area))
        )
    if flt.region:
        where.append(
            Project.id.in_(
                select(project_regions.c.project_id)
                .join(Region, Region.id == project_regions.c.region_id)
                .where(Region.code == flt.region)
            )
        )
    return where


def _paid_by_project():
    return (
        select(Tranche.project_id, func.sum(Tranche.amount).label("paid"))
        .where(Tranche.status == TrancheStatus.PAID)
        .group_by(Tranche.project_id)
        .subquery()
    )


def totals(session: Session, flt: PublicFilter | None = None) -> Totals:
    """Projects, money awarded and paid, and partner organisations: sums over the public
    projects (of the filter) only. Two queries."""
    where = _filtered(flt or PublicFilter())
    count, awarded, organisations = session.execute(
        select(
            func.count(Project.id),
            func.coalesce(func.sum(Project.awarded_amount), 0),
            func.count(distinct(Project.organisation_id)),
        ).where(*where)
    ).one()
    paid = session.scalar(
        select(func.coalesce(func.sum(Tranche.amount), 0))
        .join(Project, Project.id == Tranche.project_id)
        .where(Tranche.status == TrancheStatus.PAID, *where)
    )
    return Totals(int(count), int(awarded), int(paid or 0), int(organisations))


def _row(project: Project, paid: int, locale: str) -> PublicProject:
    return PublicProject(
        code=project.code,
        title=project.title(locale),
        summary=project.summary(locale),
        partner=project.organisation.name,
        area=project.area.name(locale),
        regions=[r.name(locale) for r in project.regions],
        awarded=project.awarded_amount,
        paid=int(paid or 0),
        start_date=project.start_date,
        end_date=project.end_date,
        signed_on=project.agreement_signed_on,
        status=_PUBLIC_STATUS[project.status],
    )


# What a public row reads of a project's neighbours: of its organisation the name only (its
# contacts are personal data, encrypted at rest: never loaded, let alone decrypted, here).
_PUBLIC_LOADS = (
    selectinload(Project.organisation).load_only(Organisation.name),
    selectinload(Project.area),
    selectinload(Project.regions),
)


def projects_query(flt: PublicFilter):
    """The public projects of the filter with their money paid, the latest start first."""
    paid = _paid_by_project()
    return (
        select(Project, func.coalesce(paid.c.paid, 0))
        .outerjoin(paid, paid.c.project_id == Project.id)
        .where(*_filtered(flt))
        .options(*_PUBLIC_LOADS)
        .order_by(Project.start_date.desc(), Project.code)
    )


def project_page(
    session: Session, flt: PublicFilter, locale: str, page: int, per_page: int = PER_PAGE
) -> tuple[list[PublicProject], int]:
    """One page of the public list, ready to print, and how many there are in all."""
    per_page = max(1, min(per_page, 100))
    total = session.scalar(select(func.count(Project.id)).where(*_filtered(flt))) or 0
    rows = session.execute(
        projects_query(flt).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return [_row(project, paid, locale) for project, paid in rows], int(total)


def by_region(session: Session, flt: PublicFilter, locale: str) -> list[RegionShare]:
    """Every region with the public projects (of the filter's area) working in it and their
    money awarded; zeros for the others. The region filter is left out: the map shows where."""
    counted = {
        region_id: (count, amount)
        for region_id, count, amount in session.execute(
            select(
                project_regions.c.region_id,
                func.count(Project.id),
                func.coalesce(func.sum(Project.awarded_amount), 0),
            )
            .join(Project, Project.id == project_regions.c.project_id)
            .where(*_filtered(PublicFilter(area=flt.area)))
            .group_by(project_regions.c.region_id)
        )
    }
    return [
        RegionShare(r.code, r.name(locale), *map(int, counted.get(r.id, (0, 0))))
        for r in reference.regions(session, locale)
    ]


def choices(session: Session, locale: str) -> tuple[list[Choice], list[Choice]]:
    """The areas and regions to filter by."""
    areas = sorted(
        (Choice(a.code, a.name(locale)) for a in reference.areas(session)), key=lambda c: c.name
    )
    regions = [Choice(r.code, r.name(locale)) for r in reference.regions(session, locale)]
    return areas, regions


def _shown(display: str, value: int | None) -> str:
    """A published figure as printed; a count below the threshold never (belt and braces: the
    publication hides those already)."""
    if value is not None and 0 < value < THRESHOLD:
        return HIDDEN
    return display


def _publication_is_all_public(session: Session, publication: Publication) -> bool:
    outside = session.scalar(
        select(func.count(distinct(PublishedCell.project_id)))
        .join(Project, Project.id == PublishedCell.project_id)
        .where(
            PublishedCell.publication_id == publication.id,
            PublishedCell.table == "project",
            ~public_project_clause(),
        )
    )
    return not outside


def outcomes(session: Session, locale: str) -> PublicOutcomes:
    """The latest published period's fund-wide figures (protected, as the board sees them):
    people reached and each standard indicator. Shown only when every project in the period is
    public: the fund's totals would otherwise count projects that are not published."""
    publication = published_read.find(session, None)
    if publication is None:
        return PublicOutcomes()
    out = PublicOutcomes(
        period=grid.parse(publication.period).label(),
        published_at=publication.published_at,
    )
    if not _publication_is_all_public(session, publication):
        return out
    out.complete = True
    published = published_read.load(session, publication, tables=("total",))
    reached = published.get(published_read.REACHED, "total")
    if reached.projects:
        out.lines.append(
            OutcomeLine(str(_l("People reached")), "", _shown(reached.display, reached.value))
        )
    for figure in published_views.by_indicator(session, published, locale=locale):
        out.lines.append(
            OutcomeLine(figure.name, figure.unit, _shown(figure.achieved_display, figure.achieved))
        )
    return out


def public_project(session: Session, code: str) -> Project | None:
    """A public project by its code; None for one that is missing, unsigned or confidential."""
    return session.scalar(
        select(Project).where(Project.code == code, public_project_clause()).options(*_PUBLIC_LOADS)
    )


def project_detail(session: Session, project: Project, locale: str) -> PublicProject:
    paid = session.scalar(
        select(func.coalesce(func.sum(Tranche.amount), 0)).where(
            Tranche.project_id == project.id, Tranche.status == TrancheStatus.PAID
        )
    )
    return _row(project, paid, locale)


@dataclass(frozen=True)
class ProjectOutcomes:
    measures: list[str]
    rows: list[tuple[str, list[str]]]  # (period, figures as printed)


def project_outcomes(session: Session, project: Project, locale: str) -> ProjectOutcomes:
    """The project's own published figures, newest period first (protected cells only)."""
    published = published_read.project_figures(session, project.id)
    measures: dict = {}
    indicators = {
        i.id: i
        for i in session.scalars(
            select(ProjectIndicator)
            .where(ProjectIndicator.project_id == project.id)
            .options(selectinload(ProjectIndicator.standard))
        )
    }
    by_standard = {i.standard_id: i for i in indicators.values() if i.standard_id is not None}
    for _publication, figures in published:
        for measure in figures:
            if measure in measures:
                continue
            kind, mid = measure
            if measure == published_read.REACHED:
                measures[measure] = str(_l("People reached"))
            elif kind == "std" and mid in by_standard:
                measures[measure] = by_standard[mid].title(locale)
            elif kind == "ind" and mid in indicators:
                measures[measure] = indicators[mid].title(locale)
    rows = [
        (
            grid.parse(publication.period).label(),
            [
                _shown(
                    figures.get(m, published_read.NOTHING_REPORTED).display,
                    figures.get(m, published_read.NOTHING_REPORTED).value,
                )
                for m in measures
            ],
        )
        for publication, figures in published
    ]
    return ProjectOutcomes(list(measures.values()), rows)


# --- the admin's choice -------------------------------------------------------------------------


class Publicity(enum.StrEnum):
    PUBLIC = "public"
    UNSIGNED = "unsigned"
    CONFIDENTIAL = "confidential"


def publicity_labels() -> dict:
    return {
        Publicity.PUBLIC: _l("Public"),
        Publicity.UNSIGNED: _l("Agreement not signed yet"),
        Publicity.CONFIDENTIAL: _l("Confidential"),
    }


def publicity_of(project: Project) -> Publicity:
    if project.confidential:
        return Publicity.CONFIDENTIAL
    if project.agreement_signed_on is None:
        return Publicity.UNSIGNED
    return Publicity.PUBLIC


@dataclass(frozen=True)
class AdminFilter:
    state: Publicity | None = None
    area_id: int | None = None
    q: str = ""


def admin_list(flt: AdminFilter):
    """The projects for the admin's page, with their state's condition, by code."""
    query = (
        select(Project)
        .options(
            selectinload(Project.organisation).load_only(Organisation.name),
            selectinload(Project.area),
        )
        .order_by(Project.code)
    )
    if flt.state == Publicity.PUBLIC:
        query = query.where(public_project_clause())
    elif flt.state == Publicity.UNSIGNED:
        query = query.where(Project.agreement_signed_on.is_(None), Project.confidential.is_(False))
    elif flt.state == Publicity.CONFIDENTIAL:
        query = query.where(Project.confidential.is_(True))
    if flt.area_id is not None:
        query = query.where(Project.area_id == flt.area_id)
    text = flt.q.strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Project.code).like(like),
                func.lower(Project.title_kk).like(like),
                func.lower(Project.title_ru).like(like),
                func.lower(Project.title_en).like(like),
            )
        )
    return query


def state_counts(session: Session) -> dict[Publicity, int]:
    """How many projects are in each state."""
    signed = Project.agreement_signed_on.is_not(None)
    row = session.execute(
        select(
            func.coalesce(func.sum(case((public_project_clause(), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(~signed, Project.confidential.is_(False)), 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((Project.confidential.is_(True), 1), else_=0)), 0),
        )
    ).one()
    return {
        Publicity.PUBLIC: int(row[0]),
        Publicity.UNSIGNED: int(row[1]),
        Publicity.CONFIDENTIAL: int(row[2]),
    }


ALREADY_CONFIDENTIAL = _l("It is confidential already.")
ALREADY_OPEN = _l("It is not confidential.")


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the change."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _l("Keep the reason within %(max)d characters.", max=REASON_MAX), field="reason"
        )
    return reason


def set_confidential(
    session: Session, actor: User, project: Project, confidential: bool, reason: str
) -> Project:
    """Mark a project confidential (out of the public page and the open-data files) or open
    again, with the reason; audited. Only an admin."""
    if not permissions.is_admin(actor):
        raise NotAllowed(_l("Only an administrator can do this."))
    reason = check_reason(reason)
    if project.confidential == confidential:
        raise DomainError(ALREADY_CONFIDENTIAL if confidential else ALREADY_OPEN)
    was = publicity_of(project)
    project.confidential = confidential
    session.flush()
    audit.record(
        session,
        actor,
        "project.publicity_changed",
        target=project,
        details={
            "confidential": confidential,
            "from": str(was),
            "to": str(publicity_of(project)),
            "reason": reason,
        },
    )
    return project
