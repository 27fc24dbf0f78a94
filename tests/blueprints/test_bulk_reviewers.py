"""Assigning one reviewer to several applications of a call: the call's list, the confirmation,
the outcome; each assignment made by reviews.assign_reviewer, the reviewer told of each
(services/bulk.py and blueprints/applications/reviews.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, Notification, ReviewAssignment, Role, utcnow
from fundtracker.services import bulk
from fundtracker.services import reviews as review_service
from tests import factories

S = ApplicationStatus


@pytest.fixture
def call():
    return factories.CallFactory()


@pytest.fixture
def reviewer():
    return factories.UserFactory(role=Role.REVIEWER, name="Reviewer Raushan")


def _application(status, **kwargs):
    """An application in `status`, submitted (staff see it)."""
    return factories.ApplicationFactory(status=status, submitted_at=utcnow(), **kwargs)


@pytest.fixture
def screened(call):
    return [_application(S.SCREENED, call=call) for _ in range(3)]


def _url(call) -> str:
    return f"/calls/{call.id}/assign-reviewers"


def _picked(html: str, attribute: str = "data-bulk-item") -> list[int]:
    return [int(i) for i in re.findall(rf'{attribute}="(\d+)"', html)]


def _assigned(reviewer) -> list[int]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer_id == reviewer.id
            )
        )
    )


def _told(reviewer) -> int:
    return len(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == reviewer.id,
                Notification.message_key == "reviewer_assigned",
            )
        ).all()
    )


def test_the_call_page_links_to_the_list_of_what_can_take_reviewers(login, officer, call, screened):
    submitted = _application(S.SUBMITTED, call=call)
    elsewhere = _application(S.SCREENED)
    client = login(officer)
    call_page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f'href="{_url(call)}"' in call_page

    html = client.get(_url(call)).get_data(as_text=True)
    listed = _picked(html, "data-application")
    assert sorted(listed) == sorted(a.id for a in screened)
    assert submitted.id not in listed and elsewhere.id not in listed
    assert "Choose a reviewer" in html and 'data-select-all="ids"' in html


def test_confirm_then_assign_with_a_partial_failure(login, officer, call, reviewer, screened):
    """The confirmation names the reviewer and exactly the chosen applications, and changes
    nothing; confirming assigns through the service (status guard and duplicates reported per
    application), and the reviewer is told of each new assignment."""
    review_service.assign_reviewer(db.session, officer, screened[2], reviewer)  # a duplicate
    submitted = _application(S.SUBMITTED, call=call)  # not eligible yet
    elsewhere = _application(S.SCREENED)  # another call's: not found here
    before = _told(reviewer)
    chosen = [screened[1], screened[0], screened[2], submitted]
    ids = [str(a.id) for a in chosen] + [str(elsewhere.id), "999999"]
    client = login(officer)

    page = client.post(_url(call), data={"ids": ids, "reviewer_id": str(reviewer.id)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Assign Reviewer Raushan to these 4 applications:" in html
    assert _picked(html) == [a.id for a in chosen]
    assert f"No. {elsewhere.id}" in html and "No. 999999" in html
    assert f'name="reviewer_id" value="{reviewer.id}"' in html
    assert _assigned(reviewer) == [screened[2].id]

    done = client.post(
        _url(call), data={"ids": ids, "reviewer_id": str(reviewer.id), "confirmed": "1"}
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Reviewer Raushan has been assigned to 2 applications." in html
    assert _assigned(reviewer) == sorted([screened[0].id, screened[1].id, screened[2].id])
    not_done = dict(
        re.findall(r'data-bulk-not-done-item="(\d+)">.*?data-reason>([^<]*)<', html, re.S)
    )
    assert not_done == {
        str(screened[2].id): "This reviewer is already assigned.",
        str(submitted.id): "Reviewers are assigned once the application is found eligible.",
        str(elsewhere.id): "Not found.",
        "999999": "Not found.",
    }
    db.session.expire_all()
    assert screened[0].status == S.UNDER_REVIEW  # as a single assignment moves it
    assert submitted.status == S.SUBMITTED and not submitted.assignments
    assert _told(reviewer) == before + 2


def test_a_reviewer_must_be_chosen(login, officer, call, reviewer, screened):
    client = login(officer)
    ids = [str(screened[0].id)]
    for data in ({"ids": ids}, {"ids": ids, "reviewer_id": str(officer.id), "confirmed": "1"}):
        response = client.post(_url(call), data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(r"Choose a reviewer\.|Not a valid choice", html)
        # What was ticked stays ticked.
        assert re.search(rf'id="pick-{screened[0].id}"[^>]* checked', html)
        assert not re.search(rf'id="pick-{screened[1].id}"[^>]* checked', html)
    assert _assigned(reviewer) == []


def test_a_get_changes_nothing_and_others_may_not(
    login, officer, grantee, call, reviewer, screened
):
    ids = [str(a.id) for a in screened]
    data = {"ids": ids, "reviewer_id": str(reviewer.id), "confirmed": "1"}
    client = login(officer)
    query = f"?ids={ids[0]}&reviewer_id={reviewer.id}&confirmed=1"
    assert client.get(_url(call) + query).status_code == 200
    for user in (factories.UserFactory(role=Role.BOARD), grantee, reviewer):
        assert login(user).post(_url(call), data=data).status_code == 403
    assert _assigned(reviewer) == []


def test_more_than_the_limit_is_refused(login, officer, call, reviewer, screened):
    client = login(officer)
    ids = [str(screened[0].id)] + [str(i) for i in range(70_000, 70_000 + bulk.MAX_ITEMS)]
    response = client.post(
        _url(call), data={"ids": ids, "reviewer_id": str(reviewer.id), "confirmed": "1"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most 200 items can be handled at once, and 201 were chosen" in html
    assert _assigned(reviewer) == []
