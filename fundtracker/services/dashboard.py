"""The officers' portfolio dashboard: what is late, what falls due, what waits for the fund."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, select
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
)
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
