"""The kind of rule about reviews: an application a reviewer has not scored yet."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from fundtracker.core.time import FUND_TZ, start_of
from fundtracker.models import (
    Application,
    ApplicationStatus,
    ConflictDeclaration,
    ReminderKind,
    ReviewAssignment,
    Role,
    User,
)
from fundtracker.services.notifications import app_path
from fundtracker.services.reminders.kinds import Message, Occurrence, moment, register


# An assignment is still the reviewer's to score while it is not taken off by a declared conflict,
# its scores are not submitted, and the application is under review. The application is checked
# by EXISTS rather than a join, so that SQLite reads the assignments in the range of days first
# instead of every application under review (half the time at 70,000 assignments).
def _still_to_score():
    return (
        ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        ReviewAssignment.submitted_at.is_(None),
        exists().where(
            Application.id == ReviewAssignment.application_id,
            Application.status == ApplicationStatus.UNDER_REVIEW,
        ),
    )


@register(
    ReminderKind.APPLICATION_UNSCORED,
    _l("Application not yet scored (to its reviewers)"),
    _l("Days after the reviewer was assigned"),
    recipients=_l("Reviewers"),
)
def _find_unscored(session, rule, first: date, last: date):
    days = timedelta(days=max(rule.days, 1))
    # One query however many assignments there are: those made on the Almaty days `days`
    # before first..last, bounded by UTC instants so that no time zone arithmetic runs in SQL.
    rows = session.execute(
        select(ReviewAssignment.id, ReviewAssignment.reviewer_id, ReviewAssignment.assigned_at)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(
            ReviewAssignment.assigned_at >= start_of(first - days),
            ReviewAssignment.assigned_at < start_of(last - days + timedelta(days=1)),
            *_still_to_score(),
            User.role == Role.REVIEWER,
            User.active.is_(True),
        )
        .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
    ).all()
    found = []
    for assignment_id, reviewer_id, assigned_at in rows:
        day = assigned_at.astimezone(FUND_TZ).date() + days
        found.append(
            Occurrence(rule.id, rule.kind, assignment_id, reviewer_id, day, moment(rule, day))
        )
    return found


@_find_unscored.message
def _unscored_message(session, occurrence, user, today):
    assignment = session.scalar(
        select(ReviewAssignment)
        .where(
            ReviewAssignment.id == occurrence.object_id,
            ReviewAssignment.reviewer_id == user.id,
            *_still_to_score(),
        )
        .options(selectinload(ReviewAssignment.application).selectinload(Application.call))
    )
    if assignment is None:
        return None
    application = assignment.application
    values = {
        "id": application.id,
        "call": application.call.title(user.locale),
        "date": format_date(assignment.assigned_at.astimezone(FUND_TZ).date(), "long"),
    }
    subject = _l("Waiting for your review: application no. %(id)d", **values)
    if assignment.conflict == ConflictDeclaration.PENDING:
        # Until the reviewer declares no conflict, they see nothing of the application but its
        # number and the applicant: the reminder tells no more than the review page.
        body = _l(
            "On %(date)s you were asked to review application no. %(id)d to the call "
            "«%(call)s», and it has not been scored yet. Please first declare whether you have "
            "a conflict of interest with the applicant, then score each criterion in FundTracker.",
            **values,
        )
    else:
        body = _l(
            "On %(date)s you were asked to review the application «%(title)s» (no. %(id)d) to "
            "the call «%(call)s», and it has not been scored yet. Please score each criterion "
            "in FundTracker.",
            title=application.title,
            **values,
        )
    return Message(
        str(subject), str(body), app_path("applications.review", assignment_id=assignment.id)
    )
