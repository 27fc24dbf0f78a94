"""Decisions on applications: approval, which creates the project in the same transaction,
rejection and return for changes; and telling the applicant, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Application, ApplicationStatus, Project, User
from fundtracker.services import outcomes, plan, workflow
from fundtracker.services.applications import LIST_LOADS, transition
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

S = ApplicationStatus


def scale(amounts: list[int], total: int) -> list[int]:
    """Amounts scaled to add up to `total`, in proportion, by largest remainders (in tiyn)."""
    whole = sum(amounts)
    if whole == 0:
        return [0 for _ in amounts]
    shares = [a * total // whole for a in amounts]
    rest = total - sum(shares)
    order = sorted(range(len(amounts)), key=lambda i: -((amounts[i] * total) % whole))
    for i in order[:rest]:
        shares[i] += 1
    return shares


def suggested_agreement_number(application: Application, year: int) -> str:
    return f"GA-{year}-{application.id:04d}"


def approve(
    session: Session,
    actor: User,
    application: Application,
    *,
    awarded_amount: int,
    agreement_number: str,
    code: str,
    tranche_amounts: dict[int, int] | None = None,
    comment: str = "",
) -> Project:
    """Approve and create the project in the same transaction, through the plan services so
    that its history records everything. A lower award scales the tranches and the budget in
    proportion unless the officer gives the tranches' amounts."""
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    workflow.check_to(actor, application, S.APPROVED)  # refuses an illegal step first
    requested = application.requested_amount
    agreement_number = _check_award(session, application, awarded_amount, agreement_number)
    tranches = _tranches(application, awarded_amount, tranche_amounts)
    project = _create_project(session, actor, application, code, awarded_amount)
    project.agreement_number = agreement_number
    session.flush()  # the plan services refresh the project to lock it
    budget = scale([b.amount for b in application.budget_lines], awarded_amount)
    for line, amount in zip(application.budget_lines, budget, strict=True):
        plan.add_budget_line(
            session,
            actor,
            project,
            plan.BudgetLineData(
                category=line.category, amount=amount, description=line.description
            ),
        )
    for planned, amount in zip(application.milestones, tranches, strict=True):
        milestone = plan.add_milestone(
            session,
            actor,
            project,
            plan.MilestoneData(title=planned.title, due_date=planned.due_date),
        )
        if amount > 0:
            plan.add_tranche(
                session,
                actor,
                project,
                plan.TrancheData(
                    amount=amount, planned_date=planned.due_date, milestone_id=milestone.id
                ),
            )
    _indicators_for_project(session, actor, application, project, awarded_amount / requested)
    application.awarded_amount = awarded_amount
    application.project = project
    # Recorded last, so that the applicant is told the amount awarded.
    transition(session, actor, application, S.APPROVED, comment)
    return project


def _check_award(
    session: Session, application: Application, awarded_amount: int, agreement_number: str
) -> str:
    """Refuses an award out of range, a missing or taken agreement number, or an application
    nobody has reviewed; returns the agreement number as it is to be stored."""
    if awarded_amount is None or awarded_amount <= 0:
        raise DomainError(_l("The awarded amount must be more than zero."), field="awarded_amount")
    if awarded_amount > application.requested_amount:
        raise DomainError(
            _l("The award cannot be more than the amount requested."), field="awarded_amount"
        )
    agreement_number = agreement_number.strip()
    if not agreement_number:
        raise DomainError(_l("Enter the agreement number."), field="agreement_number")
    if session.scalar(select(Project.id).where(Project.agreement_number == agreement_number)):
        raise Conflict(
            _l("Another project already has this agreement number."), field="agreement_number"
        )
    if not any(a.submitted_at for a in application.assignments):
        raise DomainError(_l("An application is approved only after at least one review."))
    return agreement_number


def _tranches(
    application: Application, awarded_amount: int, tranche_amounts: dict[int, int] | None
) -> list[int]:
    """The project's tranche for each milestone: as the officer gave them (adding up to the
    award), else the requested tranches scaled to the award."""
    milestones = application.milestones
    if not tranche_amounts:
        return scale([m.tranche_amount for m in milestones], awarded_amount)
    amounts = [tranche_amounts.get(m.id, 0) or 0 for m in milestones]
    if any(a < 0 for a in amounts) or sum(amounts) != awarded_amount:
        raise DomainError(_l("The tranches must add up to the awarded amount."), field="tranches")
    return amounts


def _create_project(
    session: Session, actor: User, application: Application, code: str, awarded_amount: int
) -> Project:
    """The project, titled and summarised in the applicant's language, the approving officer
    its officer."""
    locale = application.created_by.locale
    data = plan.ProjectData(
        code=code,
        title_kk="",
        title_ru="",
        title_en="",
        organisation_id=application.organisation_id,
        area_id=application.call.area_id,
        region_ids=[r.id for r in application.regions],
        start_date=application.start_date,
        end_date=application.end_date,
        officer_id=actor.id,
        awarded_amount=awarded_amount,
    )
    setattr(data, f"title_{locale}", application.title)
    setattr(data, f"summary_{locale}", application.summary)
    return plan.create_project(session, actor, data)


def _indicators_for_project(
    session: Session, actor: User, application: Application, project: Project, share: float
) -> None:
    """The application's planned indicators become the project's outcome indicators, counted
    quarterly with no breakdowns until the officer sets them on the project's outcomes page.
    A lower award scales the planned change (target less baseline) in the same proportion."""
    for planned in application.indicators:
        target = planned.baseline + round((planned.target - planned.baseline) * share)
        outcomes.add_indicator(
            session,
            actor,
            project,
            outcomes.IndicatorData(
                name=planned.name,
                unit=planned.unit,
                baseline=planned.baseline,
                target=target,
            ),
        )


def reject(session: Session, actor: User, application: Application, reason: str) -> None:
    if not reason.strip():
        raise DomainError(_l("Give the reason for the rejection."), field="comment")
    transition(session, actor, application, S.REJECTED, reason)


def return_for_changes(session: Session, actor: User, application: Application, comment: str):
    if not comment.strip():
        raise DomainError(_l("Tell the applicant what to change."), field="comment")
    transition(session, actor, application, S.RETURNED, comment)


def decisions(session: Session) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.status.in_([S.APPROVED, S.REJECTED]))
            .options(*LIST_LOADS, joinedload(Application.project))
            .order_by(Application.decided_at.desc())
        )
    )
