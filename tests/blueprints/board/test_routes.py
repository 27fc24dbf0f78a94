"""The board's register as staff and trustees use it: plan a meeting, put an application on
its agenda, record that it was held and the decision; the award then goes through. Bad input
keeps what was typed and says what is wrong."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import (
    AgendaItem,
    ApplicationStatus,
    BoardDecision,
    BoardMeeting,
    Notification,
    Role,
)
from fundtracker.services import board
from tests import factories


def _plan(client, number="9/2026", day=None):
    day = day or today() - timedelta(days=1)
    response = client.post(
        "/board/meetings/new",
        data={"number": number, "held_on": day.isoformat(), "location": "Астана"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalar(select(BoardMeeting).where(BoardMeeting.number == number))


def test_an_application_goes_through_the_board_and_is_approved(app, login, admin):
    board.set_thresholds(db.session, admin, award=1_00, tranche=None)
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    officer = factories.UserFactory(role=Role.OFFICER, locale="ru")
    colleague = factories.UserFactory(role=Role.OFFICER)
    client = login(officer)
    meeting = _plan(client)

    page = client.get(f"/board/meetings/{meeting.id}").get_data(as_text=True)
    assert f"№ {application.id}" in page and 'id="add-application"' in page
    response = client.post(
        f"/board/meetings/{meeting.id}/items",
        data={"kind": "application", "application-application_id": application.id},
    )
    assert response.status_code == 302
    (item,) = meeting.items
    assert item.application_id == application.id and item.amount == application.requested_amount

    response = client.post(
        f"/board/meetings/{meeting.id}/held",
        data={
            "held_on": meeting.held_on.isoformat(),
            "members_total": 7,
            "members_present": 5,
            "attendees": "Ә. Сейітқали",
            "version": meeting.version_id,
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/board/items/{item.id}/decision",
        data={"number": "9/2026/1", "outcome": "approved", "text_ru": "Одобрить грант."},
    )
    assert response.status_code == 302
    decision = db.session.scalar(select(BoardDecision))
    assert decision.text("kk") == "Одобрить грант." and decision.amount == item.amount
    told = db.session.scalars(select(Notification).where(Notification.user_id == colleague.id))
    assert [n.message_key for n in told] == ["board_decision"]
    page = client.get(f"/board/meetings/{meeting.id}").get_data(as_text=True)
    assert "Одобрить грант." in page and 'data-outcome="approved"' in page
    assert board.award_refusal(db.session, application, application.requested_amount) is None
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'id="board-status"' in page and "9/2026/1" in page


def test_a_wrong_item_keeps_what_was_typed_and_says_why(app, login, officer):
    client = login(officer)
    meeting = _plan(client)
    response = client.post(
        f"/board/meetings/{meeting.id}/items",
        data={
            "kind": "amendment",
            "amendment-project_id": "",
            "amendment-amount": "1 500 000",
            "amendment-notes": "Продлить на полгода",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the project." in page
    assert 'value="1 500 000"' in page and "Продлить на полгода" in page
    assert '<details class="card mb-2" open id="add-amendment">' in page
    assert db.session.scalar(select(AgendaItem)) is None


def test_a_meeting_without_quorum_takes_no_decision(app, login, officer):
    client = login(officer)
    meeting = _plan(client)
    client.post(
        f"/board/meetings/{meeting.id}/items",
        data={"kind": "other", "other-title": "Годовой план"},
    )
    client.post(
        f"/board/meetings/{meeting.id}/held",
        data={
            "held_on": meeting.held_on.isoformat(),
            "members_total": 7,
            "members_present": 3,
            "version": meeting.version_id,
        },
    )
    page = client.get(f"/board/meetings/{meeting.id}").get_data(as_text=True)
    assert "no quorum" in page and "/decision" not in page
    (item,) = meeting.items
    response = client.post(
        f"/board/items/{item.id}/decision",
        data={"number": "X", "outcome": "approved", "text_en": "Yes"},
    )
    assert response.status_code == 422 and "no quorum" in response.get_data(as_text=True)


def test_trustees_read_the_register_and_change_nothing(app, login, officer):
    meeting = board.create_meeting(
        db.session, officer, board.MeetingData("5/2026", today(), "Almaty")
    )
    db.session.flush()
    trustee = factories.UserFactory(role=Role.BOARD)
    client = login(trustee)
    page = client.get("/board/").get_data(as_text=True)
    assert "5/2026" in page and 'id="new-meeting"' not in page
    page = client.get(f"/board/meetings/{meeting.id}").get_data(as_text=True)
    assert "Put on the agenda" not in page and "Delete the meeting" not in page
    assert client.get("/").get_data(as_text=True).count('id="nav-board"') == 1


def test_the_amendment_form_asks_for_a_decision_of_the_register(app, login, officer):
    project = factories.ProjectFactory()
    client = login(officer)
    page = client.get(f"/projects/{project.id}/amend").get_data(as_text=True)
    assert 'id="form-notice"' in page and "/board/" in page
    decision = factories.board_decision("amendment", project=project, amount=project.awarded_amount)
    page = client.get(f"/projects/{project.id}/amend").get_data(as_text=True)
    assert 'id="form-notice"' not in page
    assert f'<option value="{decision.id}">{decision.number}' in page


def test_an_admin_sets_the_thresholds(app, login, admin):
    client = login(admin)
    response = client.post("/board/settings", data={"award": "50 000 000", "tranche": ""})
    assert response.status_code == 302
    settings = board.settings(db.session)
    assert settings.board_award_threshold == 50_000_000_00
    assert settings.board_tranche_threshold is None
    response = client.post("/board/settings", data={"award": "-5", "tranche": ""})
    assert response.status_code == 422
