"""Follow-ups after closure (issue #21): when a project closes, its follow-ups are scheduled
at the months its programme area says (6, 12 and 24 by default; an admin edits them); the
grantee answers each from FOLLOW_UP_OPENS before its due date (is the service still running,
people served in the last year with their breakdowns, a story), the officer accepts the answer
or returns it with a comment, and the grantee answers again.

Closing schedules and leaving "closed" cancels through the PROJECT workflow's `enter`
(services/workflow/tables.py), so every path that closes a project (the status form, the API,
an import, the scheduler) schedules them. Projects closed before the feature have none.

The follow-ups move through the FOLLOW_UP workflow; its events tell the officer of a submission
and the grantee of a decision (services/notifier.py); reminders before and after the due date
are the admin's rules of the kinds in services/reminders/follow_ups.py.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.time import today as fund_today
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    FollowUp,
    FollowUpCell,
    FollowUpStatus,
    ProgrammeArea,
    Project,
    ProjectStatus,
    User,
)
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.plan import check_version

DEFAULT_MONTHS = (6, 12, 24)
MAX_OFFSETS = 5
MAX_MONTHS = 120
MAX_COUNT = 10_000_000
# Still with the grantee: these are cancelled when the project is reopened.
WITH_GRANTEE = (FollowUpStatus.SCHEDULED, FollowUpStatus.RETURNED)


# When ---------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months; a day the target month lacks becomes its last
    day (31 August + 6 months is 28 or 29 February), as a person would count it."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_months(text: str) -> tuple[int, ...]:
    """A programme area's months, written "6, 12, 24": one to five different whole numbers of
    months from 1 to 120, returned in order. Raises DomainError on the field "months"."""
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise DomainError(_l("Enter at least one number of months, e.g. 6, 12, 24."), "months")
    if len(parts) > MAX_OFFSETS:
        raise DomainError(
            _l("Enter at most %(count)d numbers of months.", count=MAX_OFFSETS), "months"
        )
    months = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_MONTHS:
            raise DomainError(
                _l(
                    "“%(value)s” is not a number of months from 1 to %(max)d.",
                    value=part,
                    max=MAX_MONTHS,
                ),
                "months",
            )
        months.append(int(part))
    if len(set(months)) != len(months):
        raise DomainError(_l("Each number of months may be given once."), "months")
    return tuple(sorted(months))


def months_of(area: ProgrammeArea | None) -> tuple[int, ...]:
    """The area's months; the default for one whose stored value no longer reads."""
    try:
        return parse_months(area.follow_up_months) if area is not None else DEFAULT_MONTHS
    except DomainError:
        return DEFAULT_MONTHS


def set_schedule(session: Session, actor: User, months: dict[ProgrammeArea, str]) -> None:
    """An admin sets when each area's projects are followed up (all areas or none: an error
    names the area's field, "months_<id>"); projects already closed keep their follow-ups."""
    if not permissions.can_manage_follow_up_schedule(actor):
        raise NotAllowed(_l("Only an administrator can change the follow-up schedule."))
    for area, text in months.items():
        try:
            parsed = parse_months(text)
        except DomainError as error:
            raise DomainError(error.message, f"months_{area.id}") from None
        area.follow_up_months = ",".join(str(m) for m in parsed)
    session.flush()


def areas(session: Session) -> list[ProgrammeArea]:
    return list(session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)))


# Closing and reopening ------------------------------------------------------------------------


def schedule(session: Session, project: Project, closed_on: date) -> list[FollowUp]:
    """The project's follow-ups, due its area's months after `closed_on`."""
    made = [
        FollowUp(
            project=project,
            months_after=months,
            due_date=add_months(closed_on, months),
            status=FollowUpStatus.SCHEDULED,
        )
        for months in months_of(project.area or session.get(ProgrammeArea, project.area_id))
    ]
    session.add_all(made)
    return made


def cancel_open(session: Session, project: Project) -> int:
    """Cancel the project's follow-ups not answered yet (those submitted or accepted stay)."""
    with session.no_autoflush:
        waiting = session.scalars(
            select(FollowUp).where(
                FollowUp.project_id == project.id, FollowUp.status.in_(WITH_GRANTEE)
            )
        ).all()
    for follow_up in waiting:
        workflow.move(session, None, follow_up, "cancel", with_another=True)
    return len(waiting)


def project_moved(session: Session | None, project: Project, before, after, actor) -> None:
    """Called by the PROJECT workflow as the project enters a status."""
    if session is None or before == after:
        return
    if after == ProjectStatus.CLOSED:
        schedule(session, project, fund_today())
    elif before == ProjectStatus.CLOSED and project.id is not None:
        cancel_open(session, project)


# Answering ------------------------------------------------------------------------------------


def categories(project: Project) -> dict[Dimension, list[str]]:
    """The cells of each breakdown a follow-up asks for: the project's regions, sex, age."""
    return {
        Dimension.REGION: [r.code for r in project.regions],
        Dimension.SEX: list(SEXES),
        Dimension.AGE: list(AGE_GROUPS),
    }


@dataclass
class Answers:
    still_running: bool | None
    people_served: int | None
    stopped_on: date | None = None
    stopped_why: str = ""
    story: str = ""
    # dimension -> category -> count; a breakdown left empty is not given
    cells: dict[Dimension, dict[str, int]] = field(default_factory=dict)


def is_open(follow_up: FollowUp, today: date) -> bool:
    """The grantee may answer it: with them, and from FOLLOW_UP_OPENS before it is due."""
    return (
        follow_up.status in WITH_GRANTEE and today >= follow_up.due_date - workflow.FOLLOW_UP_OPENS
    )


def _check(follow_up: FollowUp, answers: Answers, today: date) -> None:
    if answers.still_running is None:
        raise DomainError(_l("Say whether the service is still running."), "still_running")
    if answers.people_served is None:
        raise DomainError(
            _l("Enter how many people the service reached in the last year (0 if none)."),
            "people_served",
        )
    if not 0 <= answers.people_served <= MAX_COUNT:
        raise DomainError(_l("Enter a number from 0 to 10,000,000."), "people_served")
    if not answers.still_running:
        if answers.stopped_on is None:
            raise DomainError(_l("Enter when the service stopped."), "stopped_on")
        if answers.stopped_on > today:
            raise DomainError(
                _l("The day the service stopped cannot be in the future."), "stopped_on"
            )
        if not answers.stopped_why.strip():
            raise DomainError(_l("Say why the service stopped."), "stopped_why")
    allowed = categories(follow_up.project)
    for dimension, cells in answers.cells.items():
        unknown = set(cells) - set(allowed.get(dimension, ()))
        if unknown:
            raise DomainError(_l("A breakdown names a category this project does not have."))
        if any(v < 0 for v in cells.values()):
            raise DomainError(_l("A count cannot be negative."), f"{dimension.value}")
        if cells and sum(cells.values()) != answers.people_served:
            raise DomainError(
                _l(
                    "The breakdown adds up to %(sum)d, not to the %(total)d people reached: "
                    "correct it or leave it empty.",
                    sum=sum(cells.values()),
                    total=answers.people_served,
                ),
                f"{dimension.value}",
            )


def submit(
    session: Session,
    actor: User,
    follow_up: FollowUp,
    answers: Answers,
    expected_version: int | None = None,
    today: date | None = None,
) -> FollowUp:
    """The grantee's answers, sent to the fund (a returned follow-up's answers are replaced)."""
    today = today or fund_today()
    check_version(follow_up, expected_version)
    workflow.check_to(actor, follow_up, FollowUpStatus.SUBMITTED, today)
    _check(follow_up, answers, today)
    follow_up.still_running = answers.still_running
    follow_up.people_served = answers.people_served
    follow_up.stopped_on = None if answers.still_running else answers.stopped_on
    follow_up.stopped_why = "" if answers.still_running else answers.stopped_why.strip()
    follow_up.story = answers.story.strip()
    follow_up.cells = [
        FollowUpCell(dimension=dimension, category=category, value=value)
        for dimension, cells in answers.cells.items()
        if cells
        for category, value in sorted(cells.items())
    ]
    session.flush()  # the cells replaced before the event is told
    workflow.move(session, actor, follow_up, "submit", today=today)
    session.flush()
    return follow_up


def review(
    session: Session,
    actor: User,
    follow_up: FollowUp,
    *,
    accept: bool,
    comment: str,
    expected_version: int | None = None,
) -> FollowUp:
    """The officer accepts the answers, or returns them with what to change."""
    check_version(follow_up, expected_version)
    target = FollowUpStatus.ACCEPTED if accept else FollowUpStatus.RETURNED
    workflow.check_to(actor, follow_up, target)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise DomainError(_l("Say what the organisation should change."), "comment")
    follow_up.review_comment = comment
    workflow.move(session, actor, follow_up, "accept" if accept else "return", comment=comment)
    session.flush()
    return follow_up


def for_project(session: Session, project: Project) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.project_id == project.id)
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )
