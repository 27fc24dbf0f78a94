"""Follow-ups after closure: scheduled when a project closes (by any path), cancelled when it
leaves "closed", months counted calendar-safely, and the grantee/officer loop where every step
tells the other side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import (
    Dimension,
    FollowUpStatus,
    Notification,
    ProjectStatus,
)
from fundtracker.services import follow_ups, status, tasks, workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.workflow import TransitionRefused
from tests import factories

F = FollowUpStatus


def _told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def _closed(officer, organisation=None, **kw):
    """A completed project closed by its officer through the status form."""
    extra = {"organisation": organisation} if organisation is not None else {}
    project = factories.ProjectFactory(
        status=ProjectStatus.COMPLETED, officer=officer, **extra, **kw
    )
    status.change_status(db.session, officer, project, ProjectStatus.CLOSED, "Все работы сданы.")
    return project


def _answers(**kw) -> follow_ups.Answers:
    values = {
        "still_running": True,
        "people_served": 40,
        "cells": {Dimension.SEX: {"female": 22, "male": 18}},
        "story": "Орталық жұмыс істеп тұр.",
    }
    values.update(kw)
    return follow_ups.Answers(**values)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year's February
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 12, 15), 12, date(2027, 12, 15)),
        (date(2026, 11, 30), 24, date(2028, 11, 30)),
        (date(2026, 7, 31), 5, date(2026, 12, 31)),
        (date(2026, 7, 31), 6, date(2027, 1, 31)),  # over a year's end
    ],
)
def test_months_are_counted_on_the_calendar_and_a_missing_day_is_the_months_last(
    day, months, expected
):
    assert follow_ups.add_months(day, months) == expected


@pytest.mark.parametrize("text", ["", " , ", "0", "6,6", "1,2,3,4,5,6", "six", "121", "-6"])
def test_a_schedule_is_one_to_five_different_positive_month_counts(text):
    with pytest.raises(DomainError) as caught:
        follow_ups.parse_months(text)
    assert caught.value.field == "months"


def test_a_schedule_reads_in_order_with_spaces_and_semicolons():
    assert follow_ups.parse_months(" 24; 6 ,12 ") == (6, 12, 24)


def test_closing_schedules_follow_ups_at_6_12_and_24_months(officer, grantee):
    project = _closed(officer, grantee.organisation)
    rows = follow_ups.for_project(db.session, project)
    closed_on = today()
    assert [(f.months_after, f.due_date, f.status) for f in rows] == [
        (m, follow_ups.add_months(closed_on, m), F.SCHEDULED) for m in (6, 12, 24)
    ]


def test_an_areas_own_schedule_is_used_and_only_an_admin_sets_it(officer, admin):
    area = factories.area("education")
    with pytest.raises(NotAllowed):
        follow_ups.set_schedule(db.session, officer, {area: "3, 9"})
    with pytest.raises(DomainError) as caught:
        follow_ups.set_schedule(db.session, admin, {area: "3, 0"})
    assert caught.value.field == f"months_{area.id}"
    follow_ups.set_schedule(db.session, admin, {area: "9, 3"})
    assert area.follow_up_months == "3,9"
    project = _closed(officer, area=area)
    assert [f.months_after for f in follow_ups.for_project(db.session, project)] == [3, 9]


def test_a_close_by_the_system_schedules_them_too(officer):
    """Any path through the PROJECT workflow (here the system, as an import or job would)."""
    project = factories.ProjectFactory(status=ProjectStatus.COMPLETED)
    workflow.move(db.session, None, project, "close")
    db.session.flush()
    assert len(follow_ups.for_project(db.session, project)) == 3


def test_leaving_closed_cancels_what_is_not_answered_and_closing_again_schedules_anew(
    officer, grantee
):
    project = _closed(officer, grantee.organisation)
    first, second, third = follow_ups.for_project(db.session, project)
    first.due_date = today() + timedelta(days=10)
    follow_ups.submit(db.session, grantee, first, _answers())
    # Reopened (the PROJECT workflow's enter, whatever the transition out of "closed").
    follow_ups.project_moved(db.session, project, ProjectStatus.CLOSED, ProjectStatus.ACTIVE, None)
    assert [f.status for f in (first, second, third)] == [F.SUBMITTED, F.CANCELLED, F.CANCELLED]
    follow_ups.project_moved(db.session, project, ProjectStatus.ACTIVE, ProjectStatus.CLOSED, None)
    db.session.flush()
    statuses = [f.status for f in follow_ups.for_project(db.session, project)]
    assert statuses.count(F.SCHEDULED) == 3 and statuses.count(F.CANCELLED) == 2


def test_the_loop_submit_return_resubmit_accept_tells_the_other_side_each_time(officer, grantee):
    project = _closed(officer, grantee.organisation)
    follow_up = follow_ups.for_project(db.session, project)[0]
    opens = follow_up.due_date - workflow.FOLLOW_UP_OPENS

    with pytest.raises(TransitionRefused):  # not open yet
        follow_ups.submit(db.session, grantee, follow_up, _answers(), today=opens - timedelta(1))
    follow_ups.submit(db.session, grantee, follow_up, _answers(), today=opens)
    assert follow_up.status == F.SUBMITTED and follow_up.submitted_by_id == grantee.id
    assert follow_up.breakdown(Dimension.SEX) == {"female": 22, "male": 18}
    [note] = [n for n in _told(officer) if n.message_key == "follow_up_submitted"]
    assert note.url == f"/follow-ups/{follow_up.id}"
    officer_tasks = tasks.tasks_for(db.session, officer, opens)
    assert [g.key for g in officer_tasks.groups] == ["review_follow_ups"]

    with pytest.raises(DomainError) as caught:  # a return says what to change
        follow_ups.review(db.session, officer, follow_up, accept=False, comment=" ")
    assert caught.value.field == "comment"
    with pytest.raises(NotAllowed):
        follow_ups.review(db.session, grantee, follow_up, accept=True, comment="")
    follow_ups.review(db.session, officer, follow_up, accept=False, comment="Уточните регионы.")
    assert follow_up.status == F.RETURNED
    [returned] = [n for n in _told(grantee) if n.message_key == "follow_up_returned"]
    assert "Уточните регионы." in returned.body
    assert "follow_ups_due" in [g.key for g in tasks.tasks_for(db.session, grantee, opens).groups]

    again = _answers(people_served=41, cells={})
    follow_ups.submit(db.session, grantee, follow_up, again, today=opens)
    follow_ups.review(db.session, officer, follow_up, accept=True, comment="")
    assert follow_up.status == F.ACCEPTED and follow_up.reviewed_by_id == officer.id
    assert follow_up.cells == [] and follow_up.people_served == 41
    assert [n.message_key for n in _told(grantee)][-1] == "follow_up_accepted"
    assert tasks.tasks_for(db.session, grantee, opens).groups == []


def test_another_organisation_cannot_answer(officer, grantee):
    project = _closed(officer)
    follow_up = follow_ups.for_project(db.session, project)[0]
    with pytest.raises(NotAllowed):
        follow_ups.submit(db.session, grantee, follow_up, _answers(), today=follow_up.due_date)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"still_running": None}, "still_running"),
        ({"people_served": None}, "people_served"),
        ({"still_running": False}, "stopped_on"),
        ({"still_running": False, "stopped_on": date(2026, 1, 5)}, "stopped_why"),
        ({"cells": {Dimension.SEX: {"female": 22, "male": 17}}}, "sex"),
        ({"cells": {Dimension.AGE: {"0-2": 50}}}, "age"),
    ],
)
def test_answers_are_checked_and_nothing_is_written_on_an_error(officer, grantee, answers, field):
    project = _closed(officer, grantee.organisation)
    follow_up = follow_ups.for_project(db.session, project)[0]
    with pytest.raises(DomainError) as caught:
        follow_ups.submit(
            db.session, grantee, follow_up, _answers(**answers), today=follow_up.due_date
        )
    assert caught.value.field == field
    assert follow_up.status == F.SCHEDULED and follow_up.people_served is None
