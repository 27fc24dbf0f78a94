"""Money follows evidence: approving tranches for payment and recording payments."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import ProjectStatus, Tranche, TrancheStatus, User, utcnow
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError, NotAllowed

NO_PAYMENTS = (ProjectStatus.SUSPENDED, ProjectStatus.CLOSED)


def _check_project(tranche: Tranche) -> None:
    if tranche.project.status in NO_PAYMENTS:
        raise DomainError(_l("Nothing is paid on a suspended or closed project."))


def _lock(session: Session, tranche: Tranche) -> None:
    """Two officers clicking at once: the second sees the first's result (a row lock on
    PostgreSQL; SQLite writes one at a time)."""
    session.refresh(tranche, with_for_update=True)


def approve(session: Session, actor: User, tranche: Tranche, today: date) -> Tranche:
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff approve payments."))
    _check_project(tranche)
    _lock(session, tranche)
    if tranche.status != TrancheStatus.PLANNED:
        raise DomainError(_l("Only a planned tranche can be approved."))
    workflow.move(session, actor, tranche, "approve", today=today, amount=tranche.amount)
    tranche.approved_at = utcnow()
    tranche.approved_by_id = actor.id
    session.flush()
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
    session.flush()
    return tranche
