"""What had become of each demo project's milestones by `today`: their due dates, the scenario a
project plays (all accepted, a report waiting for review, a revision asked for, overdue...) and
the fate of each milestone in it, and the project the browser journey reports on.

Dates follow `today` (in Almaty): what is due before it has mostly happened, what is due after it
is still planned. Nothing here touches the database but `journey_project_code`.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import today as fund_today
from fundtracker.demo.organisations import first_organisation_bin
from fundtracker.models import MilestoneStatus, Organisation, Project, ProjectStatus

JOURNEY_DUE_IN = 14  # days from today to the milestone the browser journey reports on


def almaty_today() -> date:
    """Today in the fund's time zone; the default `today` of the demo history."""
    return fund_today()


def journey_project_code(session: Session) -> str:
    """The project the browser journey reports on: the first active project, in code order, of
    the first demo organisation (grantee@demo.fundtracker.kz)."""
    code = session.scalar(
        select(Project.code)
        .join(Project.organisation)
        .where(
            Organisation.bin == first_organisation_bin(),
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Project.code)
        .limit(1)
    )
    if code is None:
        raise LookupError("the first demo organisation has no active project; run seed-demo")
    return code


def milestone_count(months: int) -> int:
    return 3 if months < 18 else 4 if months < 30 else 5


def due_dates(start: date, end: date, count: int) -> list[date]:
    """`count` due dates spread evenly over the project, the last on its end date."""
    span = (end - start).days
    return [start + timedelta(days=round(span * (i + 1) / count)) for i in range(count)]


def journey_dues(dues: list[date], today: date) -> list[date]:
    """Bring the next milestone to two weeks from today, unless it falls due in 5-25 days."""
    upcoming = next((i for i, due in enumerate(dues) if due > today), None)
    if upcoming is None or 5 <= (dues[upcoming] - today).days <= 25:
        return dues
    return [*dues[:upcoming], today + timedelta(days=JOURNEY_DUE_IN), *dues[upcoming + 1 :]]


class Fate(enum.StrEnum):
    """What had become of a milestone by today."""

    ACCEPTED = "accepted"  # accepted, its tranche paid
    APPROVED = "approved"  # accepted, its tranche approved and awaiting payment
    SUBMITTED = "submitted"  # an update waits for review
    REVISION = "revision"  # the fund asked for a revision
    DRAFT = "draft"  # planned, the grantee has a draft update
    PLANNED = "planned"


MILESTONE_STATUS = {
    Fate.ACCEPTED: MilestoneStatus.ACCEPTED,
    Fate.APPROVED: MilestoneStatus.ACCEPTED,
    Fate.SUBMITTED: MilestoneStatus.SUBMITTED,
    Fate.REVISION: MilestoneStatus.REVISION_REQUESTED,
    Fate.DRAFT: MilestoneStatus.PLANNED,
    Fate.PLANNED: MilestoneStatus.PLANNED,
}

# Scenarios: "done" (all accepted), "normal", "journey" and the roles below. At-risk projects
# take turns with these (the latest milestone due is overdue), suspended ones take the first.
AT_RISK_ROLES = ("overdue", "overdue_revision", "overdue_draft")
OVERDUE_FATES = {
    "overdue": Fate.PLANNED,
    "overdue_revision": Fate.REVISION,
    "overdue_draft": Fate.DRAFT,
}
# Active projects whose milestones fall due nearest today take these roles, in this order.
ACTIVE_ROLES = (
    "submitted",
    "approved",
    "revision",
    "submitted",
    "approved",
    "submitted",
    "revision",
    "approved",
    "submitted",
)


def _role_fits(role: str, dues: list[date], today: date) -> bool:
    past = sum(due < today for due in dues)
    if role == "revision":  # asked on an early report: a milestone must still be ahead
        return past < len(dues)
    return past > 0 if role == "approved" else True


def assign_scenarios(
    projects: list[tuple[str, ProjectStatus, list[date]]], journey: str | None, today: date
) -> dict[str, str]:
    """Scenario per project code, from (code, status, due dates) in code order. Each active role
    goes to the project with a milestone due nearest today that the role fits."""
    scenarios: dict[str, str] = {}
    active = []
    at_risk = 0
    for code, status, dues in projects:
        if code == journey:
            scenarios[code] = "journey"
        elif status in (ProjectStatus.COMPLETED, ProjectStatus.CLOSED):
            scenarios[code] = "done"
        elif status == ProjectStatus.AT_RISK:
            scenarios[code] = AT_RISK_ROLES[at_risk % len(AT_RISK_ROLES)]
            at_risk += 1
        elif status == ProjectStatus.SUSPENDED:
            scenarios[code] = AT_RISK_ROLES[0]
        else:
            scenarios[code] = "normal"
            active.append((min(abs((due - today).days) for due in dues), code, dues))
    candidates = [(code, dues) for _, code, dues in sorted(active)]
    for role in ACTIVE_ROLES:
        pick = next((c for c in candidates if _role_fits(role, c[1], today)), None)
        if pick is not None:
            scenarios[pick[0]] = role
            candidates.remove(pick)
    return scenarios


def fates(scenario: str, dues: list[date], today: date) -> list[Fate]:
    """What had become of each milestone by today. Revisions in active projects are asked on
    early reports, so that only at-risk and suspended projects have overdue milestones."""
    if scenario == "done":
        return [Fate.ACCEPTED] * len(dues)
    past = sum(due < today for due in dues)
    result = [Fate.ACCEPTED] * past + [Fate.PLANNED] * (len(dues) - past)
    if scenario in OVERDUE_FATES and past:
        result[past - 1] = OVERDUE_FATES[scenario]
    elif scenario == "approved" and past:
        result[past - 1] = Fate.APPROVED
    elif scenario == "revision" and past < len(dues):
        result[past] = Fate.REVISION
    elif scenario == "submitted":
        candidates = [i for i in (past - 1, past) if 0 <= i < len(dues)]
        result[min(candidates, key=lambda i: abs((dues[i] - today).days))] = Fate.SUBMITTED
    return result
