"""The officers' portfolio dashboard: what is late, what falls due, what waits for the fund."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
    User,
)
from fundtracker.services.payments import NO_PAYMENTS
from fundtracker.services.projects import ProjectFilter, project_list

RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)
WITH_GRANTEE = (MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED)
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


def _scope(actor: User, flt: ProjectFilter) -> Select:
    """Ids of the projects the actor may see that pass the filters."""
    stmt = project_list(actor, flt, "en").options()
    return stmt.with_only_columns(Project.id).order_by(None)


def _milestones(session: Session, scope, *conditions) -> list[Milestone]:
    return list(
        session.scalars(
            select(Milestone)
            .join(Milestone.project)
            .where(Milestone.project_id.in_(scope), Project.status.in_(RUNNING), *conditions)
            .options(joinedload(Milestone.project).joinedload(Project.organisation))
            .order_by(Milestone.due_date, Milestone.id)
            .limit(LIST_LIMIT)
        )
    )


def build(session: Session, actor: User, flt: ProjectFilter, today: date) -> Dashboard:
    scope = _scope(actor, flt).scalar_subquery()
    board = Dashboard()
    overdue_condition = (Milestone.due_date < today) & Milestone.status.in_(WITH_GRANTEE)

    late_projects = (
        select(Milestone.project_id)
        .join(Milestone.project)
        .where(Milestone.project_id.in_(scope), Project.status.in_(RUNNING), overdue_condition)
        .distinct()
    )
    board.late = session.scalar(select(func.count()).select_from(late_projects.subquery()))
    counts = dict(
        session.execute(
            select(Project.status, func.count(Project.id))
            .where(Project.id.in_(scope))
            .group_by(Project.status)
        ).all()
    )
    board.at_risk = counts.get(ProjectStatus.AT_RISK, 0)
    board.suspended = counts.get(ProjectStatus.SUSPENDED, 0)
    board.on_track = session.scalar(
        select(func.count(Project.id)).where(
            Project.id.in_(scope),
            Project.status == ProjectStatus.ACTIVE,
            Project.id.not_in(late_projects),
        )
    )
    board.overdue = _milestones(session, scope, overdue_condition)
    board.due_soon = _milestones(
        session,
        scope,
        Milestone.due_date >= today,
        Milestone.due_date <= today + timedelta(days=DUE_SOON_DAYS),
        Milestone.status != MilestoneStatus.ACCEPTED,
    )
    board.awaiting_review = _milestones(
        session, scope, Milestone.status == MilestoneStatus.SUBMITTED
    )
    board.awaiting_payment = list(
        session.scalars(
            select(Tranche)
            .join(Tranche.project)
            .where(
                Tranche.project_id.in_(scope),
                Tranche.status == TrancheStatus.APPROVED,
                Project.status.not_in(NO_PAYMENTS),
            )
            .options(
                joinedload(Tranche.project).joinedload(Project.organisation),
                joinedload(Tranche.milestone),
            )
            .order_by(Tranche.approved_at, Tranche.id)
            .limit(LIST_LIMIT)
        )
    )
    board.awaiting_payment_total = session.scalar(
        select(func.coalesce(func.sum(Tranche.amount), 0))
        .join(Tranche.project)
        .where(
            Tranche.project_id.in_(scope),
            Tranche.status == TrancheStatus.APPROVED,
            Project.status.not_in(NO_PAYMENTS),
        )
    )
    return board


def grantee_home(session: Session, actor: User, today: date, horizon_days: int = 60):
    """What the grantee's organisation should do next: milestones due soon or late, and those
    the fund asked to revise."""
    scope = _scope(actor, ProjectFilter()).scalar_subquery()
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
