"""The officers' portfolio dashboard: what is late, what falls due, what waits for the fund; and
the figures its pictures (and the board's home) draw: money planned against paid by quarter,
projects by programme area and by region."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Organisation,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
    User,
    project_regions,
)
from fundtracker.services import inkind, reference
from fundtracker.services.payments import NO_PAYMENTS
from fundtracker.services.projects import ProjectFilter, conditions

RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)
WITH_GRANTEE = (MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED)
OPEN = (*WITH_GRANTEE, MilestoneStatus.SUBMITTED)  # not accepted yet
DUE_SOON_DAYS = 30
LIST_LIMIT = 100


@dataclass
class Dashboard:
    on_track: int = 0
    at_risk: int = 0
    late: int = 0
    suspended: int = 0
    overdue: list[Milestone] = field(default_factory=list)
    due_soon: list[Milestone] = field(default_factory=list)
    awaiting_review: list[Milestone] = field(default_factory=list)
    awaiting_payment: list[Tranche] = field(default_factory=list)
    awaiting_payment_total: int = 0
    inkind: inkind.Totals | None = None  # in-kind support of the projects shown (issue #21)


def _milestones(session: Session, scope: list, *where) -> list[Milestone]:
    return list(
        session.scalars(
            _join_scope(select(Milestone).join(Milestone.project), scope)
            .where(Project.status.in_(RUNNING), *where)
            .options(contains_eager(Milestone.project).joinedload(Project.organisation))
            .order_by(Milestone.due_date, Milestone.id)
            .limit(LIST_LIMIT)
        )
    )


def _join_scope(stmt: Select, scope: list) -> Select:
    """Apply the project conditions to a query that joins Project; a text search also needs
    the organisation."""
    if any(Organisation.__table__ in c._from_objects for c in scope):  # noqa: SLF001
        stmt = stmt.join(Project.organisation)
    return stmt.where(*scope)


def build(session: Session, actor: User, flt: ProjectFilter, today: date) -> Dashboard:
    scope = conditions(actor, flt)
    board = Dashboard()
    overdue_condition = (Milestone.due_date < today) & Milestone.status.in_(WITH_GRANTEE)

    # Running projects with an overdue milestone, by status: "late", and the active ones that
    # are not late are "on track".
    late = dict(
        session.execute(
            _join_scope(
                select(Project.status, func.count(func.distinct(Milestone.project_id))).join(
                    Milestone.project
                ),
                scope,
            )
            .where(Project.status.in_(RUNNING), overdue_condition)
            .group_by(Project.status)
        ).all()
    )
    board.late = sum(late.values())
    counts = dict(
        session.execute(
            _join_scope(select(Project.status, func.count(Project.id)), scope).group_by(
                Project.status
            )
        ).all()
    )
    board.at_risk = counts.get(ProjectStatus.AT_RISK, 0)
    board.suspended = counts.get(ProjectStatus.SUSPENDED, 0)
    board.on_track = counts.get(ProjectStatus.ACTIVE, 0) - late.get(ProjectStatus.ACTIVE, 0)
    board.overdue = _milestones(session, scope, overdue_condition)
    board.due_soon = _milestones(
        session,
        scope,
        Milestone.due_date >= today,
        Milestone.due_date <= today + timedelta(days=DUE_SOON_DAYS),
    )
    board.awaiting_review = _milestones(
        session, scope, Milestone.status == MilestoneStatus.SUBMITTED
    )
    board.awaiting_payment = list(
        session.scalars(
            _join_scope(select(Tranche).join(Tranche.project), scope)
            .where(
                Tranche.status == TrancheStatus.APPROVED,
                Project.status.not_in(NO_PAYMENTS),
            )
            .options(
                contains_eager(Tranche.project).joinedload(Project.organisation),
                joinedload(Tranche.milestone),
            )
            .order_by(Tranche.approved_at, Tranche.id)
            .limit(LIST_LIMIT)
        )
    )
    board.awaiting_payment_total = session.scalar(
        _join_scope(
            select(func.coalesce(func.sum(Tranche.amount), 0)).join(Tranche.project), scope
        ).where(
            Tranche.status == TrancheStatus.APPROVED,
            Project.status.not_in(NO_PAYMENTS),
        )
    )
    board.inkind = inkind.totals(session, _join_scope(select(Project.id), scope))
    return board


def grantee_home(session: Session, actor: User, today: date, horizon_days: int = 60):
    """What the grantee's organisation should do next: milestones due soon or late, and those
    the fund asked to revise."""
    scope = conditions(actor, ProjectFilter())
    due = _milestones(
        session,
        scope,
        Milestone.status.in_(WITH_GRANTEE),
        Milestone.due_date <= today + timedelta(days=horizon_days),
    )
    revise = [m for m in due if m.status == MilestoneStatus.REVISION_REQUESTED]
    revise += _milestones(
        session,
        scope,
        Milestone.status == MilestoneStatus.REVISION_REQUESTED,
        Milestone.due_date > today + timedelta(days=horizon_days),
    )
    return due, revise


# Pictures ---------------------------------------------------------------------------------------

QUARTERS_BACK = 7  # before the current quarter: with it, the last two years
QUARTERS_AHEAD = 4  # after it: the year to come


@dataclass
class QuarterFlow:
    """Money planned (tranches by their planned date) and paid (by the day paid) in a quarter,
    in tiyn."""

    year: int
    quarter: int
    planned: int = 0
    paid: int = 0

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)


@dataclass
class Share:
    """Projects of an area or a region and the amount awarded to them, in tiyn."""

    key: int
    code: str
    name: str
    count: int = 0
    amount: int = 0


@dataclass
class Pictures:
    disbursement: list[QuarterFlow] = field(default_factory=list)
    current: int = QUARTERS_BACK  # the index of today's quarter in `disbursement`
    by_area: list[Share] = field(default_factory=list)
    by_region: list[Share] = field(default_factory=list)  # every region, by ISO code


def quarters(today: date, back: int = QUARTERS_BACK, ahead: int = QUARTERS_AHEAD):
    """The quarters from `back` before today's to `ahead` after it, as empty flows."""
    now = today.year * 4 + (today.month - 1) // 3
    return [QuarterFlow(n // 4, n % 4 + 1) for n in range(now - back, now + ahead + 1)]


def _by_month(session: Session, scope: list, day, *where) -> dict[tuple[int, int], int]:
    """Tranche amounts summed by the year and month of `day`, over the scope."""
    year, month = extract("year", day), extract("month", day)
    stmt = (
        _join_scope(
            select(year, month, func.coalesce(func.sum(Tranche.amount), 0)).join(Tranche.project),
            scope,
        )
        .where(*where)
        .group_by(year, month)
    )
    return {(int(y), int(m)): int(total) for y, m, total in session.execute(stmt)}


def disbursement(session: Session, scope: list, today: date) -> list[QuarterFlow]:
    """Planned against paid by quarter over the window of `quarters`: two queries of at most
    one row a month, whatever the number of projects."""
    flows = quarters(today)
    start = flows[0].first_day
    last = flows[-1]
    end = (
        date(last.year + 1, 1, 1) if last.quarter == 4 else date(last.year, 3 * last.quarter + 1, 1)
    )
    planned = _by_month(
        session,
        scope,
        Tranche.planned_date,
        Tranche.planned_date >= start,
        Tranche.planned_date < end,
    )
    paid = _by_month(
        session,
        scope,
        Tranche.paid_on,
        Tranche.status == TrancheStatus.PAID,
        Tranche.paid_on >= start,
        Tranche.paid_on < end,
    )
    index = {(f.year, f.quarter): f for f in flows}
    for (year, month), amount in planned.items():
        index[(year, (month - 1) // 3 + 1)].planned += amount
    for (year, month), amount in paid.items():
        index[(year, (month - 1) // 3 + 1)].paid += amount
    return flows


def by_area(session: Session, scope: list, locale: str) -> list[Share]:
    """Every programme area with its projects and the amount awarded to them."""
    counted = {
        area_id: (count, int(amount or 0))
        for area_id, count, amount in session.execute(
            _join_scope(
                select(Project.area_id, func.count(Project.id), func.sum(Project.awarded_amount)),
                scope,
            ).group_by(Project.area_id)
        )
    }
    return [
        Share(area.id, area.code, area.name(locale), *counted.get(area.id, (0, 0)))
        for area in reference.areas(session)
    ]


def by_region(session: Session, scope: list, locale: str) -> list[Share]:
    """Every region with its projects and the amount awarded to them; a project that works in
    several regions counts, with its whole amount, in each."""
    counted = {
        region_id: (count, int(amount or 0))
        for region_id, count, amount in session.execute(
            _join_scope(
                select(
                    project_regions.c.region_id,
                    func.count(Project.id),
                    func.sum(Project.awarded_amount),
                ).join(Project, Project.id == project_regions.c.project_id),
                scope,
            ).group_by(project_regions.c.region_id)
        )
    }
    return [
        Share(region.id, region.code, region.name(locale), *counted.get(region.id, (0, 0)))
        for region in reference.regions(session)
    ]


def pictures(
    session: Session, actor: User, flt: ProjectFilter, today: date, locale: str
) -> Pictures:
    """The dashboard's pictures over what the actor may see that passes the filters: six
    queries, whatever the number of projects."""
    scope = conditions(actor, flt)
    return Pictures(
        disbursement=disbursement(session, scope, today),
        by_area=by_area(session, scope, locale),
        by_region=by_region(session, scope, locale),
    )


def regions_of(session: Session, shares: list, locale: str) -> list[Share]:
    """Every region with the figures of `shares` (breakdowns keyed by region id, as
    services.projects.portfolio_summary gives them), zeros for the others."""
    counted = {s.key: (s.count, s.amount) for s in shares}
    return [
        Share(region.id, region.code, region.name(locale), *counted.get(region.id, (0, 0)))
        for region in reference.regions(session)
    ]
