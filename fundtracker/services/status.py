"""Project status: one workflow of allowed transitions, and the automatic "at risk" check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from fundtracker import permissions
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
    UpdateStatus,
    User,
)
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.plan import check_version

S = ProjectStatus

# Underspending: less than half of the money paid is reported spent ...
# ... this long after the latest payment.
UNDERSPEND_AFTER = timedelta(days=90)


def final_milestone(project: Project) -> Milestone | None:
    return max(project.milestones, key=lambda m: (m.due_date, m.id), default=None)


def change_status(
    session: Session,
    actor: User,
    project: Project,
    to: ProjectStatus,
    reason: str,
    expected_version: int | None = None,
) -> Project:
    if not permissions.can_edit_project(actor, project):
        raise NotAllowed(_l("Only fund staff change a project's status."))
    check_version(project, expected_version)
    if to not in workflow.targets(project):
        workflow.move_to(session, actor, project, to)  # refused, with the workflow's message
    if not reason.strip():
        raise DomainError(_l("Give the reason for the change."), field="reason")
    if to == S.CLOSED:
        final = final_milestone(project)
        if final is not None and final.status != MilestoneStatus.ACCEPTED:
            raise DomainError(
                _l("A project can be closed only when its final milestone is accepted.")
            )
        if any(t.status == TrancheStatus.APPROVED for t in project.tranches):
            raise DomainError(
                _l("A project cannot be closed while a tranche approved for it is unpaid.")
            )
    workflow.move_to(session, actor, project, to, comment=reason, status=(project.status, to))
    project.status_auto = False
    session.flush()
    return project


@dataclass(frozen=True)
class RiskSignals:
    overdue: int = 0
    underspending: bool = False

    def __bool__(self) -> bool:
        return bool(self.overdue or self.underspending)


def reported_spending(project: Project) -> dict[int, int]:
    """Spending to date per budget line, from the latest submitted report on each line."""
    latest: dict[int, tuple] = {}
    for milestone in project.milestones:
        for update in milestone.updates:
            if update.status == UpdateStatus.DRAFT or update.submitted_at is None:
                continue
            for s in update.spending:
                key = (update.submitted_at, update.id)
                if s.budget_line_id not in latest or latest[s.budget_line_id][0] < key:
                    latest[s.budget_line_id] = (key, s.amount)
    return {line: amount for line, (_, amount) in latest.items()}


def risk_signals(project: Project, today: date) -> RiskSignals:
    overdue = sum(1 for m in project.milestones if m.is_overdue(today))
    paid = [t for t in project.tranches if t.status == TrancheStatus.PAID and t.paid_on]
    underspending = False
    if paid:
        paid_total = sum(t.amount for t in paid)
        last_paid = max(t.paid_on for t in paid)
        spent = sum(reported_spending(project).values())
        underspending = (
            today - last_paid > UNDERSPEND_AFTER and 2 * spent < paid_total  # integer tiyn
        )
    return RiskSignals(overdue=overdue, underspending=underspending)


@dataclass(frozen=True)
class RiskChange:
    """A change the risk check found: flag a running project as at risk (`flag`), or lift the
    flag this check set. `version`: the project's version it was worked out from."""

    project_id: int
    version: int
    flag: bool
    signals: RiskSignals


def risk_changes(session: Session, today: date) -> list[RiskChange]:
    """What the risk check would change, from one read of the running projects: flag those with
    risk signals as at risk, lift the flags this check set once their signals are gone. Reads
    only."""
    projects = session.scalars(
        select(Project)
        .where(Project.status.in_([S.ACTIVE, S.AT_RISK]))
        .options(
            selectinload(Project.milestones)
            .selectinload(Milestone.updates)
            .selectinload(MilestoneUpdate.spending),
            selectinload(Project.tranches).selectinload(Tranche.milestone),
        )
        .order_by(Project.id)  # every check changes projects in the same order: no deadlock
    ).all()
    changes = []
    for project in projects:
        signals = risk_signals(project, today)
        if project.status == S.ACTIVE and signals:
            changes.append(RiskChange(project.id, project.version_id, True, signals))
        elif project.status == S.AT_RISK and project.status_auto and not signals:
            changes.append(RiskChange(project.id, project.version_id, False, signals))
    return changes


def apply_risk_change(session: Session, change: RiskChange) -> bool:
    """Make one change risk_changes found, unless the project changed since (another check ran
    at the same time, or someone changed its status): then nothing, and False. A change made
    meanwhile by a check that has not committed yet surfaces as StaleDataError at the flush
    (the project's version): the caller rolls back and counts it as done by the other. Flushes."""
    project = session.get(Project, change.project_id, populate_existing=True)
    if project is None or project.version_id != change.version:
        return False
    if change.flag:
        if project.status != S.ACTIVE:
            return False
        workflow.move(
            session,
            None,
            project,
            "mark_at_risk",
            status=(S.ACTIVE, S.AT_RISK),
            overdue=change.signals.overdue,
            underspending=change.signals.underspending,
        )
        project.status_auto = True
    else:
        if project.status != S.AT_RISK or not project.status_auto:
            return False
        workflow.move(session, None, project, "reactivate", status=(S.AT_RISK, S.ACTIVE))
        project.status_auto = False
    session.flush()
    return True


def refresh_risk(session: Session, today: date) -> tuple[int, int]:
    """Flag running projects with risk signals as at risk, and lift flags that this check set
    once their signals are gone. Safe to run any number of times, and at once in two processes:
    each change in a savepoint, and one another check made first is left to it. Returns
    (flagged, lifted) by this call. (The scheduler's job makes each change in a transaction of
    its own: fundtracker.scheduler.jobs.risk_job.)"""
    flagged = lifted = 0
    for change in risk_changes(session, today):
        try:
            with session.begin_nested():
                made = apply_risk_change(session, change)
        except StaleDataError:
            continue
        if made:
            flagged += change.flag
            lifted += not change.flag
    return flagged, lifted
