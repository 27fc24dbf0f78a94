"""Money follows evidence: approving tranches for payment and recording payments; the tranches
that wait for approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager

from fundtracker import permissions
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
    User,
    utcnow,
)
from fundtracker.permissions import scopes
from fundtracker.services import audit, payment_requests, workflow
from fundtracker.services.errors import DomainError, NotAllowed

NO_PAYMENTS = (ProjectStatus.SUSPENDED, ProjectStatus.CLOSED)


def _check_project(tranche: Tranche) -> None:
    if tranche.project.status in NO_PAYMENTS:
        raise DomainError(_l("Nothing is paid on a suspended or closed project."))


def _lock(session: Session, tranche: Tranche) -> None:
    """Two officers clicking at once: the second sees the first's result (a row lock on
    PostgreSQL; SQLite writes one at a time). Only the tranche's row is locked: a tranche loaded
    with its project and milestone joined (a list's bulk approval) is refreshed with the same
    outer joins, and PostgreSQL locks no row of an outer join's nullable side."""
    session.refresh(tranche, with_for_update={"of": Tranche})


def approve(
    session: Session, actor: User, tranche: Tranche, today: date, *, with_request: bool = False
) -> Tranche:
    """Approve a tranche for payment. `with_request`: as part of approving the grantee's payment
    request, whose event tells the grantee (the tranche's own then tells nobody twice); else a
    request waiting for the tranche is approved with it."""
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff approve payments."))
    _check_project(tranche)
    _lock(session, tranche)
    if tranche.status != TrancheStatus.PLANNED:
        raise DomainError(_l("Only a planned tranche can be approved."))
    workflow.move(
        session,
        actor,
        tranche,
        "approve",
        today=today,
        with_another=with_request,
        amount=tranche.amount,
    )
    if not with_request:
        payment_requests.tranche_approved(session, actor, tranche)
    tranche.approved_at = utcnow()
    tranche.approved_by_id = actor.id
    session.flush()
    audit.record(
        session, actor, "tranche.approved", target=tranche, details={"amount": tranche.amount}
    )
    return tranche


def record_payment(
    session: Session, actor: User, tranche: Tranche, paid_on: date, reference: str, today: date
) -> Tranche:
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff record payments."))
    _check_project(tranche)
    _lock(session, tranche)
    if tranche.status != TrancheStatus.APPROVED:
        raise DomainError(_l("Only an approved tranche can be paid."))
    if paid_on > today:
        raise DomainError(_l("The payment date cannot be in the future."), field="paid_on")
    tranche.paid_on = paid_on
    tranche.payment_reference = reference.strip()
    tranche.paid_by_id = actor.id
    workflow.move(
        session,
        actor,
        tranche,
        "pay",
        amount=tranche.amount,
        paid_on=paid_on,
        reference=tranche.payment_reference,
    )
    payment_requests.tranche_paid(session, tranche)
    session.flush()
    audit.record(
        session,
        actor,
        "payment.recorded",
        target=tranche,
        details={
            "amount": tranche.amount,
            "paid_on": paid_on.isoformat(),
            "reference": tranche.payment_reference,
        },
    )
    return tranche


# Tranches waiting for approval ------------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingFilter:
    area_id: int | None = None
    project_id: int | None = None
    due_by: date | None = None  # planned for this day or earlier


def _awaiting(actor: User) -> tuple:
    """Planned, not held back by its milestone (none, or accepted), on a project that may be
    paid and that the actor may see: the tranches of "Tranches to approve"
    (services/tasks/staff.py)."""
    return (
        Tranche.status == TrancheStatus.PLANNED,
        or_(Tranche.milestone_id.is_(None), Milestone.status == MilestoneStatus.ACCEPTED),
        Project.status.not_in(NO_PAYMENTS),
        *scopes.projects(actor),
    )


def awaiting_approval(actor: User, flt: AwaitingFilter) -> Select:
    """The tranches staff may approve, the earliest planned first, with their project,
    organisation and milestone loaded: a select to page (`db.paginate`)."""
    query = (
        select(Tranche)
        .join(Tranche.project)
        .outerjoin(Tranche.milestone)
        .where(*_awaiting(actor))
        .options(
            contains_eager(Tranche.project).joinedload(Project.organisation),
            contains_eager(Tranche.milestone),
        )
        .order_by(Tranche.planned_date, Tranche.id)
    )
    if flt.area_id is not None:
        query = query.where(Project.area_id == flt.area_id)
    if flt.project_id is not None:
        query = query.where(Project.id == flt.project_id)
    if flt.due_by is not None:
        query = query.where(Tranche.planned_date <= flt.due_by)
    return query


def awaiting_projects(session: Session, actor: User, chosen: int | None = None) -> list[Project]:
    """The projects with a tranche waiting for approval: the project filter's choices; with
    `chosen` when the actor may see it, so that a list narrowed to a project stays narrowed
    (and empty) once its tranches are approved."""
    waiting = Project.id.in_(
        select(Tranche.project_id)
        .join(Tranche.project)
        .outerjoin(Tranche.milestone)
        .where(*_awaiting(actor))
    )
    if chosen is not None:
        waiting = or_(waiting, Project.id == chosen)
    return list(
        session.scalars(
            select(Project).where(waiting, *scopes.projects(actor)).order_by(Project.code)
        )
    )
