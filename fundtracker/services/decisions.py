"""Decisions on applications: approval, which creates the project in the same transaction,
rejection and return for changes; and telling the applicant, in their language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Application, ApplicationStatus, BudgetCategory, Project, User
from fundtracker.services import board, outcomes, plan, workflow
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


@dataclass(frozen=True)
class ReviewProgress:
    """How far the assigned reviewers have got: `unscored` are those without a declared
    conflict of interest who have not scored (yet)."""

    assigned: int
    scored: int
    conflicts: int

    @property
    def unscored(self) -> int:
        return self.assigned - self.scored - self.conflicts

    @property
    def needs_confirmation(self) -> bool:
        """Approving now passes over reviewers who may still score."""
        return self.unscored > 0


def review_progress(application: Application) -> ReviewProgress:
    assignments = application.assignments
    scored = sum(1 for a in assignments if a.submitted_at is not None)
    conflicts = sum(1 for a in assignments if a.submitted_at is None and a.conflicted)
    return ReviewProgress(assigned=len(assignments), scored=scored, conflicts=conflicts)


@dataclass
class ProjectTexts:
    """The project's title and summary in each language."""

    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    summary_kk: str = ""
    summary_ru: str = ""
    summary_en: str = ""


def project_texts(application: Application) -> ProjectTexts:
    """The texts the approval form starts with: the application's title and summary, in the
    language its author uses (the applicant writes in one)."""
    locale = application.created_by.locale  # one of the languages (a constraint on users)
    texts = ProjectTexts()
    setattr(texts, f"title_{locale}", application.title)
    setattr(texts, f"summary_{locale}", application.summary)
    return texts


@dataclass(frozen=True)
class PlannedMilestone:
    title: str
    due_date: date
    requested: int  # the tranche asked for, tiyn
    tranche: int  # the project's tranche, tiyn (0: none)


@dataclass(frozen=True)
class PlannedBudgetLine:
    category: BudgetCategory
    description: str
    requested: int  # tiyn
    amount: int  # tiyn


@dataclass(frozen=True)
class PlannedIndicator:
    name: str
    unit: str
    baseline: int
    requested_target: int
    target: int


@dataclass(frozen=True)
class ApprovalPlan:
    """What approving `application` for `awarded_amount` gives the project: plain data, shown
    to the officer before approving and then created as it is."""

    awarded_amount: int
    requested_amount: int
    milestones: list[PlannedMilestone] = field(default_factory=list)
    budget_lines: list[PlannedBudgetLine] = field(default_factory=list)
    indicators: list[PlannedIndicator] = field(default_factory=list)

    @property
    def tranches_total(self) -> int:
        return sum(m.tranche for m in self.milestones)

    @property
    def budget_total(self) -> int:
        return sum(b.amount for b in self.budget_lines)


def approval_plan(
    application: Application, awarded_amount: int | None, tranche_amounts: dict[int, int] | None
) -> ApprovalPlan:
    """The milestones with their tranches, the budget lines and the indicator targets the
    project gets for the award (the preview, and what `approve` creates). Reads the application
    only; refuses an award out of range or tranches that do not add up to it."""
    _check_amount(application, awarded_amount)
    requested = application.requested_amount
    tranches = _tranches(application, awarded_amount, tranche_amounts)
    budget = scale([b.amount for b in application.budget_lines], awarded_amount)
    share = awarded_amount / requested
    return ApprovalPlan(
        awarded_amount=awarded_amount,
        requested_amount=requested,
        milestones=[
            PlannedMilestone(m.title, m.due_date, m.tranche_amount, amount)
            for m, amount in zip(application.milestones, tranches, strict=True)
        ],
        budget_lines=[
            PlannedBudgetLine(b.category, b.description, b.amount, amount)
            for b, amount in zip(application.budget_lines, budget, strict=True)
        ],
        indicators=[
            PlannedIndicator(
                i.name, i.unit, i.baseline, i.target, _scaled_target(i.baseline, i.target, share)
            )
            for i in application.indicators
        ],
    )


def _scaled_target(baseline: int, target: int, share: float) -> int:
    """A lower award scales the planned change (target less baseline) in proportion."""
    return baseline + round((target - baseline) * share)


def approve(
    session: Session,
    actor: User,
    application: Application,
    *,
    awarded_amount: int,
    agreement_number: str,
    code: str,
    tranche_amounts: dict[int, int] | None = None,
    texts: ProjectTexts | None = None,
    confirm_unscored: bool = False,
    comment: str = "",
    agreement_signed_on: date | None = None,
) -> Project:
    """Approve and create the project in the same transaction, through the plan services so
    that its history records everything. A lower award scales the tranches and the budget in
    proportion unless the officer gives the tranches' amounts (`approval_plan`). The project is
    titled with `texts` (by default the application's, in its author's language). While an
    assigned reviewer without a conflict of interest has not scored, the officer must confirm
    (`confirm_unscored`)."""
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    workflow.check_to(actor, application, S.APPROVED)  # refuses an illegal step first
    agreement_number = _check_award(session, application, awarded_amount, agreement_number)
    refusal = board.award_refusal(session, application, awarded_amount)
    if refusal is not None:
        raise DomainError(refusal, field="awarded_amount")
    if review_progress(application).needs_confirmation and not confirm_unscored:
        raise DomainError(
            _l(
                "Not every reviewer has scored this application: confirm that you approve it "
                "all the same."
            ),
            field="confirm_unscored",
        )
    planned = approval_plan(application, awarded_amount, tranche_amounts)
    project = _create_project(
        session, actor, application, code, awarded_amount, texts or project_texts(application)
    )
    project.agreement_number = agreement_number
    # Public (transparency page, open data) from its signing: services/transparency.py.
    project.agreement_signed_on = agreement_signed_on
    session.flush()  # the plan services refresh the project to lock it
    for line in planned.budget_lines:
        plan.add_budget_line(
            session,
            actor,
            project,
            plan.BudgetLineData(
                category=line.category, amount=line.amount, description=line.description
            ),
        )
    for step in planned.milestones:
        milestone = plan.add_milestone(
            session,
            actor,
            project,
            plan.MilestoneData(title=step.title, due_date=step.due_date),
        )
        if step.tranche > 0:
            plan.add_tranche(
                session,
                actor,
                project,
                plan.TrancheData(
                    amount=step.tranche, planned_date=step.due_date, milestone_id=milestone.id
                ),
            )
    _indicators_for_project(session, actor, project, planned.indicators)
    application.awarded_amount = awarded_amount
    application.project = project
    # Recorded last, so that the applicant is told the amount awarded.
    transition(session, actor, application, S.APPROVED, comment)
    return project


def _check_amount(application: Application, awarded_amount: int | None) -> None:
    if awarded_amount is None or awarded_amount <= 0:
        raise DomainError(_l("The awarded amount must be more than zero."), field="awarded_amount")
    if awarded_amount > application.requested_amount:
        raise DomainError(
            _l("The award cannot be more than the amount requested."), field="awarded_amount"
        )


def _check_award(
    session: Session, application: Application, awarded_amount: int, agreement_number: str
) -> str:
    """Refuses an award out of range, a missing or taken agreement number, or an application
    nobody has reviewed; returns the agreement number as it is to be stored."""
    _check_amount(application, awarded_amount)
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
    session: Session,
    actor: User,
    application: Application,
    code: str,
    awarded_amount: int,
    texts: ProjectTexts,
) -> Project:
    """The project with the titles and summaries the officer gave (at least one title), the
    approving officer its officer."""
    data = plan.ProjectData(
        code=code,
        title_kk=texts.title_kk.strip(),
        title_ru=texts.title_ru.strip(),
        title_en=texts.title_en.strip(),
        summary_kk=texts.summary_kk.strip(),
        summary_ru=texts.summary_ru.strip(),
        summary_en=texts.summary_en.strip(),
        organisation_id=application.organisation_id,
        area_id=application.call.area_id,
        region_ids=[r.id for r in application.regions],
        start_date=application.start_date,
        end_date=application.end_date,
        officer_id=actor.id,
        awarded_amount=awarded_amount,
    )
    return plan.create_project(session, actor, data)


def _indicators_for_project(
    session: Session, actor: User, project: Project, indicators: list[PlannedIndicator]
) -> None:
    """The application's planned indicators, with the targets of the approval plan, become the
    project's outcome indicators, counted quarterly with no breakdowns until the officer sets
    them on the project's outcomes page."""
    for planned in indicators:
        outcomes.add_indicator(
            session,
            actor,
            project,
            outcomes.IndicatorData(
                name=planned.name,
                unit=planned.unit,
                baseline=planned.baseline,
                target=planned.target,
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


def application_of(session: Session, project: Project) -> Application | None:
    """The application `project` was approved from (None for a project the fund created
    directly)."""
    return session.scalar(select(Application).where(Application.project_id == project.id))
