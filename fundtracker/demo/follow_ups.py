"""Demo data for follow-ups after closure (issue #21): the latest closed project of the first
demo organisation (grantee@demo.fundtracker.kz), closed as if a year ago less three weeks, has
its follow-ups: the one at 6 months answered and accepted, the one at 12 months open to answer
(due in three weeks), the one at 24 months scheduled.

Idempotent: nothing is added when any follow-up exists; only adds and flushes.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker.core.time import to_utc
from fundtracker.demo.organisations import first_organisation_bin
from fundtracker.models import (
    Dimension,
    FollowUp,
    FollowUpCell,
    FollowUpStatus,
    Organisation,
    Project,
    ProjectStatus,
    Role,
    User,
)
from fundtracker.services import follow_ups


def seed_follow_ups(session: Session, today: date) -> int:
    if session.scalar(select(func.count()).select_from(FollowUp)):
        return 0
    project = session.scalar(
        select(Project)
        .join(Project.organisation)
        .where(
            Organisation.bin == first_organisation_bin(),
            Project.status == ProjectStatus.CLOSED,
        )
        .order_by(Project.end_date.desc(), Project.id)
        .limit(1)
    )
    if project is None:
        return 0
    closed_on = follow_ups.add_months(today + timedelta(days=21), -12)
    made = follow_ups.schedule(session, project, closed_on)
    first = made[0]
    grantee = session.scalar(
        select(User)
        .where(User.organisation_id == project.organisation_id, User.role == Role.GRANTEE)
        .order_by(User.id)
        .limit(1)
    )
    first.status = FollowUpStatus.ACCEPTED
    first.still_running = True
    first.people_served = 64
    first.story = (
        "Орталық жабылғаннан кейін де жұмыс істеп тұр: аудандық әкімдік үй-жайды тегін берді, "
        "екі маман жергілікті бюджеттен жалақы алады."
    )
    region = project.regions[0].code if project.regions else None
    cells = [(Dimension.SEX, "female", 35), (Dimension.SEX, "male", 29)]
    cells += [(Dimension.AGE, "3-6", 30), (Dimension.AGE, "7-11", 34)]
    if region:
        cells.append((Dimension.REGION, region, 64))
    first.cells = [FollowUpCell(dimension=d, category=c, value=v) for d, c, v in cells]
    answered = min(first.due_date, today)
    first.submitted_at = to_utc(answered, time(9, 0))
    first.submitted_by_id = grantee.id if grantee else None
    first.reviewed_at = to_utc(answered + timedelta(days=3), time(9, 0))
    first.reviewed_by_id = project.officer_id
    session.flush()
    return len(made)
