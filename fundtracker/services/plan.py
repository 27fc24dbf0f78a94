"""Setting up and changing a project's plan: the project itself, amendments, milestones,
tranches and budget lines. Every change is recorded in the project's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import (
    BudgetCategory,
    BudgetLine,
    Milestone,
    MilestoneStatus,
    Organisation,
    ProgrammeArea,
    Project,
    ProjectStatus,
    Region,
    Tranche,
    TrancheStatus,
    User,
)
from fundtracker.services import board, events
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

STALE = _l(
    "Someone else saved a change to this while you were editing. Nothing of yours was "
    "overwritten: reload the page to see their version, then make your change again."
)


def check_version(obj, expected: int | None) -> None:
    """Refuse a save that was based on an older version of the object."""
    if expected is not None and obj.version_id != expected:
        raise Conflict(STALE)


def _require_staff(actor: User) -> None:
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff can change a project's plan."))


def _lock(session: Session, project: Project) -> None:
    """Serialise changes to one project's money: totals are checked against the award, so two
    concurrent additions must not both pass (a row lock on PostgreSQL; SQLite writes one at a
    time anyway)."""
    if project.status == ProjectStatus.CLOSED:
        raise DomainError(_l("A closed project cannot be changed."))
    session.refresh(project, with_for_update=True)


# Projects ------------------------------------------------------------------------------------


@dataclass
class ProjectData:
    code: str
    title_kk: str
    title_ru: str
    title_en: str
    organisation_id: int
    area_id: int
    region_ids: list[int]
    start_date: date
    summary_kk: str = ""
    summary_ru: str = ""
    summary_en: str = ""
    officer_id: int | None = None
    # Set when creating; changed afterwards only by an amendment.
    end_date: date | None = None
    awarded_amount: int | None = None
    # The day the grant agreement was signed: the project is public from then on, unless an
    # admin marks it confidential (services/transparency.py).
    agreement_signed_on: date | None = None


_PLAIN_FIELDS = (
    "code",
    "title_kk",
    "title_ru",
    "title_en",
    "summary_kk",
    "summary_ru",
    "summary_en",
    "organisation_id",
    "area_id",
    "officer_id",
    "start_date",
    "agreement_signed_on",
)


def _validate_project(session: Session, data: ProjectData, project: Project | None) -> list[Region]:
    data.code = data.code.strip()
    if not data.code:
        raise DomainError(_l("Enter the project code."), field="code")
    clash = session.scalar(select(Project.id).where(Project.code == data.code))
    if clash is not None and (project is None or clash != project.id):
        raise Conflict(_l("Another project already has this code."), field="code")
    if not (data.title_kk.strip() or data.title_ru.strip() or data.title_en.strip()):
        raise DomainError(_l("Enter the title in at least one language."), field="title_kk")
    if session.get(Organisation, data.organisation_id) is None:
        raise DomainError(_l("Choose an organisation."), field="organisation_id")
    if session.get(ProgrammeArea, data.area_id) is None:
        raise DomainError(_l("Choose a programme area."), field="area_id")
    regions = list(session.scalars(select(Region).where(Region.id.in_(data.region_ids))))
    if not regions:
        raise DomainError(_l("Choose at least one region."), field="region_ids")
    if data.officer_id is not None:
        officer = session.get(User, data.officer_id)
        if officer is None or not permissions.is_staff(officer):
            raise DomainError(_l("Choose a fund officer."), field="officer_id")
    end = data.end_date if data.end_date is not None else project.end_date
    if end < data.start_date:
        raise DomainError(_l("The end date must not be before the start date."), field="end_date")
    return regions


def create_project(session: Session, actor: User, data: ProjectData) -> Project:
    _require_staff(actor)
    if data.end_date is None or data.awarded_amount is None:
        raise DomainError(_l("Enter the end date and the awarded amount."))
    if data.awarded_amount <= 0:
        raise DomainError(_l("The awarded amount must be more than zero."), field="awarded_amount")
    regions = _validate_project(session, data, None)
    project = Project(
        status=ProjectStatus.ACTIVE,
        end_date=data.end_date,
        awarded_amount=data.awarded_amount,
        regions=regions,
    )
    for name in _PLAIN_FIELDS:
        setattr(project, name, getattr(data, name))
    session.add(project)
    session.flush()
    events.record(session, project, actor, "project_created")
    session.flush()
    return project


def update_project(
    session: Session, actor: User, project: Project, data: ProjectData, expected_version: int | None
) -> Project:
    _require_staff(actor)
    check_version(project, expected_version)
    data.end_date = data.awarded_amount = None
    regions = _validate_project(session, data, project)
    changes = {}
    for name in _PLAIN_FIELDS:
        old, new = getattr(project, name), getattr(data, name)
        if isinstance(new, str):
            new = new.strip()
        if old != new:
            if name == "officer_id":  # the history names people, not ids
                changes["officer"] = tuple(
                    session.get(User, i).name if i else None for i in (old, new)
                )
            else:
                changes[name] = (old, new)
            setattr(project, name, new)
    old_regions = sorted(r.code for r in project.regions)
    if old_regions != sorted(r.code for r in regions):
        changes["regions"] = (old_regions, sorted(r.code for r in regions))
        project.regions = regions
    if changes:
        events.record(session, project, actor, "project_edited", **changes)
    session.flush()
    return project


def paid_total(project: Project) -> int:
    return sum(t.amount for t in project.tranches if t.status == TrancheStatus.PAID)


def amend_project(
    session: Session,
    actor: User,
    project: Project,
    *,
    end_date: date,
    awarded_amount: int,
    reason: str,
    board_decision: int | None,
    expected_version: int | None,
) -> Project:
    """An amendment rests on an approved decision of the board of trustees on this project
    (`board_decision`, its id in the register), which it uses up; the earlier values stay in the
    history."""
    _require_staff(actor)
    check_version(project, expected_version)
    _lock(session, project)
    if not reason.strip():
        raise DomainError(_l("Give the reason for the amendment."), field="reason")
    changes = {}
    if end_date != project.end_date:
        if end_date < project.start_date:
            raise DomainError(
                _l("The end date must not be before the start date."), field="end_date"
            )
        changes["end_date"] = (project.end_date, end_date)
    if awarded_amount != project.awarded_amount:
        if awarded_amount < max(paid_total(project), 1):
            raise DomainError(
                _l("The awarded amount cannot be less than what has been paid."),
                field="awarded_amount",
            )
        planned = max(
            sum(t.amount for t in project.tranches), sum(b.amount for b in project.budget_lines)
        )
        if awarded_amount < planned:
            raise DomainError(
                _l(
                    "The awarded amount cannot be less than the planned tranches or the budget; "
                    "reduce those first."
                ),
                field="awarded_amount",
            )
        changes["awarded_amount"] = (project.awarded_amount, awarded_amount)
    if not changes:
        raise DomainError(_l("The amendment changes nothing."))
    decision = board.use_for_amendment(
        session, project, board_decision, end_date=end_date, awarded_amount=awarded_amount
    )
    project.end_date = end_date
    project.awarded_amount = awarded_amount
    events.record(
        session,
        project,
        actor,
        "project_amended",
        comment=reason,
        board_decision=decision.number,
        **changes,
    )
    session.flush()
    return project


# Milestones ----------------------------------------------------------------------------------


@dataclass
class MilestoneData:
    title: str
    due_date: date | None = None
    description: str = ""
    deliverables: str = ""


def _check_due_date(project: Project, due_date: date) -> None:
    if not project.start_date <= due_date <= project.end_date:
        raise DomainError(
            _l("The due date must fall within the project's dates."), field="due_date"
        )


def add_milestone(
    session: Session, actor: User, project: Project, data: MilestoneData
) -> Milestone:
    _require_staff(actor)
    if not data.title.strip():
        raise DomainError(_l("Enter a title."), field="title")
    if data.due_date is None:
        raise DomainError(_l("Enter the due date."), field="due_date")
    _check_due_date(project, data.due_date)
    milestone = Milestone(
        project=project,
        title=data.title.strip(),
        description=data.description.strip(),
        deliverables=data.deliverables.strip(),
        due_date=data.due_date,
    )
    session.add(milestone)
    events.record(
        session,
        project,
        actor,
        "milestone_added",
        milestone=milestone.title,
        due_date=data.due_date,
    )
    session.flush()
    return milestone


def edit_milestone(
    session: Session,
    actor: User,
    milestone: Milestone,
    data: MilestoneData,
    expected_version: int | None,
) -> Milestone:
    _require_staff(actor)
    check_version(milestone, expected_version)
    if not data.title.strip():
        raise DomainError(_l("Enter a title."), field="title")
    milestone.title = data.title.strip()
    milestone.description = data.description.strip()
    milestone.deliverables = data.deliverables.strip()
    events.record(session, milestone.project, actor, "milestone_edited", milestone=milestone.title)
    session.flush()
    return milestone


def reschedule_milestone(
    session: Session,
    actor: User,
    milestone: Milestone,
    due_date: date,
    reason: str,
    expected_version: int | None,
) -> Milestone:
    _require_staff(actor)
    check_version(milestone, expected_version)
    if milestone.status == MilestoneStatus.ACCEPTED:
        raise DomainError(_l("An accepted milestone cannot be rescheduled."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for the new date."), field="reason")
    if due_date == milestone.due_date:
        raise DomainError(_l("Choose a different date."), field="due_date")
    _check_due_date(milestone.project, due_date)
    events.record(
        session,
        milestone.project,
        actor,
        "milestone_rescheduled",
        comment=reason,
        milestone=milestone.title,
        due_date=(milestone.due_date, due_date),
    )
    milestone.due_date = due_date
    session.flush()
    return milestone


# Tranches ------------------------------------------------------------------------------------


@dataclass
class TrancheData:
    amount: int
    planned_date: date
    milestone_id: int | None = None


def _check_tranche(
    project: Project, data: TrancheData, tranche: Tranche | None
) -> Milestone | None:
    if data.amount <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    moved = tranche is None or tranche.planned_date != data.planned_date
    if moved and not project.start_date <= data.planned_date <= project.end_date:
        raise DomainError(
            _l("The planned payment date must fall within the project's dates."),
            field="planned_date",
        )
    others = sum(t.amount for t in project.tranches if t is not tranche)
    if others + data.amount > project.awarded_amount:
        raise DomainError(
            _l("The tranches would add up to more than the awarded amount."), field="amount"
        )
    if data.milestone_id is None:
        return None
    milestone = next((m for m in project.milestones if m.id == data.milestone_id), None)
    if milestone is None:
        raise DomainError(_l("Choose a milestone of this project."), field="milestone_id")
    if milestone.tranche is not None and milestone.tranche is not tranche:
        raise DomainError(_l("This milestone already unlocks a tranche."), field="milestone_id")
    return milestone


def add_tranche(session: Session, actor: User, project: Project, data: TrancheData) -> Tranche:
    _require_staff(actor)
    _lock(session, project)
    milestone = _check_tranche(project, data, None)
    tranche = Tranche(
        project=project, amount=data.amount, planned_date=data.planned_date, milestone=milestone
    )
    session.add(tranche)
    events.record(
        session,
        project,
        actor,
        "tranche_added",
        amount=data.amount,
        planned_date=data.planned_date,
        milestone=milestone.title if milestone else None,
    )
    session.flush()
    return tranche


def edit_tranche(
    session: Session,
    actor: User,
    tranche: Tranche,
    data: TrancheData,
    expected_version: int | None = None,
) -> Tranche:
    _require_staff(actor)
    check_version(tranche, expected_version)
    _lock(session, tranche.project)
    if tranche.status != TrancheStatus.PLANNED:
        raise DomainError(_l("Only a planned tranche can be changed."))
    milestone = _check_tranche(tranche.project, data, tranche)
    old = tranche.milestone
    if old is not None and milestone is None and old.status != MilestoneStatus.ACCEPTED:
        # Money follows evidence: unlinking would let it be paid without the milestone's work.
        raise DomainError(
            _l("A tranche cannot be detached from a milestone that is not accepted yet."),
            field="milestone_id",
        )
    changes = {}
    if tranche.amount != data.amount:
        changes["amount"] = (tranche.amount, data.amount)
    if tranche.planned_date != data.planned_date:
        changes["planned_date"] = (tranche.planned_date, data.planned_date)
    if old is not milestone:
        changes["milestone"] = (old.title if old else None, milestone.title if milestone else None)
    tranche.amount, tranche.planned_date, tranche.milestone = (
        data.amount,
        data.planned_date,
        milestone,
    )
    events.record(session, tranche.project, actor, "tranche_edited", **changes)
    session.flush()
    return tranche


# Budget lines --------------------------------------------------------------------------------


@dataclass
class BudgetLineData:
    category: BudgetCategory
    amount: int
    description: str = ""


def _check_budget(project: Project, data: BudgetLineData, line: BudgetLine | None) -> None:
    if data.amount < 0:
        raise DomainError(_l("The amount cannot be negative."), field="amount")
    others = sum(b.amount for b in project.budget_lines if b is not line)
    if others + data.amount > project.awarded_amount:
        raise DomainError(
            _l("The budget would add up to more than the awarded amount."), field="amount"
        )


def add_budget_line(
    session: Session, actor: User, project: Project, data: BudgetLineData
) -> BudgetLine:
    _require_staff(actor)
    _lock(session, project)
    _check_budget(project, data, None)
    line = BudgetLine(
        project=project,
        category=data.category,
        amount=data.amount,
        description=data.description.strip(),
    )
    session.add(line)
    events.record(
        session, project, actor, "budget_line_added", category=data.category, amount=data.amount
    )
    session.flush()
    return line


def edit_budget_line(
    session: Session,
    actor: User,
    line: BudgetLine,
    data: BudgetLineData,
    expected_version: int | None = None,
) -> BudgetLine:
    check_version(line, expected_version)
    _require_staff(actor)
    _lock(session, line.project)
    _check_budget(line.project, data, line)
    events.record(
        session,
        line.project,
        actor,
        "budget_line_edited",
        category=data.category,
        amount=(line.amount, data.amount),
    )
    line.category, line.amount, line.description = (
        data.category,
        data.amount,
        data.description.strip(),
    )
    session.flush()
    return line


def next_code(session: Session, year: int) -> str:
    """A suggestion for a new project's code: QH-<year>-<next number>."""
    prefix = f"QH-{year}-"
    count = session.scalar(select(func.count(Project.id)).where(Project.code.like(f"{prefix}%")))
    return f"{prefix}{count + 1:03d}"
