"""What waits for a user: the "My tasks" page and the count beside it in the navigation.

Each role has its groups: fund staff review milestone updates, verify results, approve and pay
tranches, screen and decide applications and verify organisations; a reviewer declares interests
and scores; a grantee reports on milestones due or sent back, corrects queried results and
finishes its applications. The board and anyone else have nothing waiting.

A group is one SELECT of plain columns (no objects to load lazily): `tasks_for` runs it once per
group with the group's total beside its first rows (a window COUNT), and `count_for` adds up the
same SELECTs' counts in one statement, so the badge and the page cannot disagree. What a list may
show a user comes from `permissions.scopes`.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import User, utcnow
from fundtracker.services.tasks.common import (
    DUE_SOON_DAYS,
    ROW_LIMIT,
    MyTasks,
    TaskGroup,
    TaskRow,
    _Ask,
    _Group,
)
from fundtracker.services.tasks.grantees import (
    _application_drafts,
    _applications_returned,
    _follow_up_row,
    _follow_ups_due,
    _grantee_milestone_row,
    _milestones_due,
    _milestones_revise,
    _own_application_row,
    _queried_result_row,
    _results_queried,
)
from fundtracker.services.tasks.inkind import (
    _confirm_deliveries,
    _delivery_row,
    _settle_deliveries,
)
from fundtracker.services.tasks.payment_requests import (
    _decide_payment_requests,
    _payment_request_row,
    _returned_payment_requests,
)
from fundtracker.services.tasks.reviewers import (
    _assignment_row,
    _declare_interests,
    _score_applications,
)
from fundtracker.services.tasks.staff import (
    _approve_tranche_row,
    _approve_tranches,
    _assign_reviewers,
    _decide_applications,
    _pay_tranche_row,
    _pay_tranches,
    _review_follow_up_row,
    _review_follow_ups,
    _review_update_row,
    _review_updates,
    _screen_applications,
    _staff_application_row,
    _verify_organisation_row,
    _verify_organisations,
    _verify_result_row,
    _verify_results,
)

__all__ = [
    "BADGE_LIMIT",
    "DUE_SOON_DAYS",
    "ROW_LIMIT",
    "MyTasks",
    "TaskGroup",
    "TaskRow",
    "count_for",
    "group_labels",
    "tasks_for",
]


def group_labels() -> dict[str, tuple[str, str]]:
    """Each group's heading and the heading of its date column."""
    return {
        "review_updates": (_l("Milestone updates to review"), _l("Submitted on")),
        "verify_results": (_l("Indicator results to verify"), _l("Reported")),
        "approve_tranches": (_l("Tranches to approve"), _l("Planned date")),
        "pay_tranches": (_l("Tranches to pay"), _l("Approved")),
        "screen_applications": (_l("Applications to screen"), _l("Submitted on")),
        "assign_reviewers": (_l("Applications waiting for reviewers"), _l("Submitted on")),
        "decide_applications": (_l("Applications to decide"), _l("Submitted on")),
        "verify_organisations": (_l("Organisations waiting for verification"), _l("Registered on")),
        "decide_payment_requests": (_l("Payment requests to decide"), _l("Requested")),
        "returned_payment_requests": (_l("Payment requests returned to you"), _l("Requested")),
        "settle_deliveries": (_l("In-kind deliveries the grantee disputed"), _l("Delivered on")),
        "confirm_deliveries": (_l("In-kind deliveries to confirm"), _l("Delivered on")),
        "review_follow_ups": (_l("Follow-ups after closure to review"), _l("Submitted on")),
        "follow_ups_due": (_l("Follow-ups after closure to answer"), _l("Due")),
        "declare_interests": (_l("Conflicts of interest to declare"), _l("Assigned on")),
        "score_applications": (_l("Applications to score"), _l("Assigned on")),
        "milestones_due": (
            _l("Milestones due within %(days)d days or overdue", days=DUE_SOON_DAYS),
            _l("Due"),
        ),
        "milestones_revise": (_l("The fund asked you to revise"), _l("Due")),
        "results_queried": (_l("Results the fund queried"), _l("Queried on")),
        "applications_returned": (_l("Applications returned for changes"), _l("Closes")),
        "application_drafts": (_l("Application drafts not yet submitted"), _l("Closes")),
    }


STAFF_GROUPS = (
    _Group("review_updates", _review_updates, _review_update_row),
    _Group("verify_results", _verify_results, _verify_result_row),
    _Group("decide_payment_requests", _decide_payment_requests, _payment_request_row),
    _Group("approve_tranches", _approve_tranches, _approve_tranche_row),
    _Group("pay_tranches", _pay_tranches, _pay_tranche_row),
    _Group("screen_applications", _screen_applications, _staff_application_row("screen")),
    _Group("assign_reviewers", _assign_reviewers, _staff_application_row("assign")),
    _Group("decide_applications", _decide_applications, _staff_application_row("decide")),
    _Group("verify_organisations", _verify_organisations, _verify_organisation_row),
    _Group("settle_deliveries", _settle_deliveries, _delivery_row),
    _Group("review_follow_ups", _review_follow_ups, _review_follow_up_row),
)
REVIEWER_GROUPS = (
    _Group("declare_interests", _declare_interests, _assignment_row(readable=False)),
    _Group("score_applications", _score_applications, _assignment_row(readable=True)),
)
GRANTEE_GROUPS = (
    _Group("milestones_due", _milestones_due, _grantee_milestone_row),
    _Group("milestones_revise", _milestones_revise, _grantee_milestone_row),
    _Group("results_queried", _results_queried, _queried_result_row),
    _Group("confirm_deliveries", _confirm_deliveries, _delivery_row),
    _Group("returned_payment_requests", _returned_payment_requests, _payment_request_row),
    _Group("follow_ups_due", _follow_ups_due, _follow_up_row),
    _Group("applications_returned", _applications_returned, _own_application_row),
    _Group("application_drafts", _application_drafts, _own_application_row),
)


def _groups_for(user: User) -> tuple[_Group, ...]:
    if permissions.is_staff(user):
        return STAFF_GROUPS
    if permissions.is_reviewer(user):
        return REVIEWER_GROUPS
    if permissions.is_grantee(user):
        return GRANTEE_GROUPS
    return ()


def _ask(user: User, today: date) -> _Ask:
    return _Ask(user=user, today=today, now=utcnow(), locale=user.locale)


# What the page and the navigation ask ----------------------------------------------------------


def tasks_for(session: Session, user: User, today: date) -> MyTasks:
    """The user's groups with something in them, each with its total and its first ROW_LIMIT
    rows: one query per group."""
    ask = _ask(user, today)
    tasks = MyTasks()
    for group in _groups_for(user):
        rows = session.execute(
            group.query(ask).add_columns(func.count().over().label("total")).limit(ROW_LIMIT)
        ).all()
        if rows:
            tasks.groups.append(
                TaskGroup(group.key, rows[0].total, [group.row(r, ask) for r in rows])
            )
    return tasks


# The navigation's badge says "99+" past this: counting exactly the 150,000 results an officer
# could verify at the L scale cost a third of a second on every page.
BADGE_LIMIT = 100


def count_for(session: Session, user: User, today: date, limit: int = BADGE_LIMIT) -> int:
    """How many things wait for the user, in all, up to `limit`: each group's COUNT stops at
    `limit` rows, and the counts are added up in one query."""
    groups = _groups_for(user)
    if not groups:
        return 0
    ask = _ask(user, today)
    counts = [
        select(func.count())
        .select_from(group.query(ask).order_by(None).limit(limit).subquery())
        .scalar_subquery()
        for group in groups
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return min(int(session.scalar(select(total)) or 0), limit)
