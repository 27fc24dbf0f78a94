"""The board of trustees' register: meetings, agenda, decisions, and what waits for the board
(awards and tranches above the thresholds, every amendment), refused alike by every path."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    AgendaKind,
    ApplicationStatus,
    AuditEvent,
    DecisionOutcome,
    MilestoneStatus,
    Notification,
    ProjectEvent,
    Role,
    TrancheStatus,
)
from fundtracker.services import board, decisions, plan, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from tests import factories

TODAY = date(2026, 12, 4)


def _meeting(officer, number="7/2026", day=date(2026, 12, 1)):
    return board.create_meeting(db.session, officer, board.MeetingData(number, day, "Astana"))


def _hold(officer, meeting, present=4, total=7):
    return board.hold_meeting(
        db.session,
        officer,
        meeting,
        held_on=meeting.held_on,
        members_total=total,
        members_present=present,
        attendees="A. Trustee\nB. Trustee",
        today=TODAY,
        expected_version=None,
    )


def _decide(officer, item, outcome=DecisionOutcome.APPROVED, amount=None, number=None):
    return board.record_decision(
        db.session,
        officer,
        item,
        board.DecisionData(
            number=number or board.suggested_number(item),
            outcome=outcome,
            texts={"ru": "Одобрить.", "kk": "", "en": ""},
            amount=amount,
        ),
    )


def _thresholds(admin, award=None, tranche=None):
    board.set_thresholds(db.session, admin, award=award, tranche=tranche)


def _approve(officer, application, amount):
    return decisions.approve(
        db.session,
        officer,
        application,
        awarded_amount=amount,
        agreement_number=f"GA-B-{application.id}",
        code=f"QH-B-{application.id}",
    )


# Meetings and decisions --------------------------------------------------------------------------


def test_a_decision_needs_a_meeting_held_with_a_quorum(officer):
    meeting = _meeting(officer)
    item = board.add_item(
        db.session, officer, meeting, board.ItemData(AgendaKind.OTHER, title="Annual plan")
    )
    with pytest.raises(DomainError, match="held"):
        _decide(officer, item)
    _hold(officer, meeting, present=3, total=7)  # 3 of 7 is not more than half
    assert not meeting.quorate
    with pytest.raises(DomainError, match="quorum"):
        _decide(officer, item)


def test_a_decision_is_recorded_once_with_a_unique_number(officer):
    meeting = _meeting(officer)
    first, second = (
        board.add_item(db.session, officer, meeting, board.ItemData(AgendaKind.OTHER, title=t))
        for t in ("Plan", "Budget")
    )
    _hold(officer, meeting)
    decision = _decide(officer, first)
    assert decision.number == "7/2026/1" and decision.text("en") == "Одобрить."
    with pytest.raises(Conflict):
        _decide(officer, first, number="other")
    with pytest.raises(DomainError, match="already used"):
        _decide(officer, second, number="7/2026/1")


def test_the_agenda_is_fixed_once_the_meeting_is_held(officer):
    meeting = _meeting(officer)
    item = board.add_item(
        db.session, officer, meeting, board.ItemData(AgendaKind.OTHER, title="Plan")
    )
    _hold(officer, meeting)
    with pytest.raises(DomainError):
        board.add_item(db.session, officer, meeting, board.ItemData(AgendaKind.OTHER, title="X"))
    with pytest.raises(DomainError):
        board.remove_item(db.session, officer, item)
    with pytest.raises(DomainError):
        board.delete_meeting(db.session, officer, meeting)


def test_a_meeting_cannot_be_held_in_the_future_or_without_an_agenda(officer):
    meeting = _meeting(officer, day=date(2027, 1, 15))
    with pytest.raises(DomainError, match="agenda"):
        _hold(officer, meeting)
    board.add_item(db.session, officer, meeting, board.ItemData(AgendaKind.OTHER, title="Plan"))
    with pytest.raises(DomainError, match="future"):
        _hold(officer, meeting)


def test_only_staff_keep_the_register_and_only_an_admin_sets_thresholds(officer, admin, grantee):
    for user in (
        factories.UserFactory(role=Role.BOARD),
        factories.UserFactory(role=Role.REVIEWER),
        grantee,
    ):
        role = user.role
        with pytest.raises(NotAllowed):
            _meeting(user, number=f"N-{role}")
    with pytest.raises(NotAllowed):
        _thresholds(officer, award=1_00)
    _thresholds(admin, award=50_000_000_00)
    assert board.settings(db.session).board_award_threshold == 50_000_000_00
    audited = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("board.%"))
    ).all()
    assert "board.thresholds_changed" in audited


def test_one_waiting_item_per_thing(officer):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    first = _meeting(officer, "1")
    board.add_item(
        db.session, officer, first, board.ItemData(AgendaKind.APPLICATION, application=application)
    )
    with pytest.raises(DomainError, match="already on the agenda of meeting 1"):
        board.add_item(
            db.session,
            officer,
            _meeting(officer, "2"),
            board.ItemData(AgendaKind.APPLICATION, application=application),
        )


def test_a_decision_tells_the_project_officer_and_shows_on_the_timeline(officer):
    project_officer = factories.UserFactory(role=Role.OFFICER)
    project = factories.ProjectFactory(officer=project_officer)
    meeting = _meeting(officer)
    item = board.add_item(
        db.session,
        officer,
        meeting,
        board.ItemData(AgendaKind.AMENDMENT, project=project, end_date=date(2028, 6, 30)),
    )
    _hold(officer, meeting)
    _decide(officer, item)
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == project_officer.id)
    ).all()
    assert [n.message_key for n in told] == ["board_decision"]
    assert "7/2026/1" in told[0].subject
    kinds = db.session.scalars(
        select(ProjectEvent.kind).where(ProjectEvent.project_id == project.id)
    ).all()
    assert "board_decision" in kinds


# What waits for the board --------------------------------------------------------------------


def test_an_award_above_the_threshold_waits_for_an_approved_decision(officer, admin):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    amount = application.requested_amount
    _thresholds(admin, award=amount)
    with pytest.raises(DomainError, match="needs a decision of the board"):
        _approve(officer, application, amount)
    assert application.status == ApplicationStatus.UNDER_REVIEW

    meeting = _meeting(officer)
    item = board.add_item(
        db.session,
        officer,
        meeting,
        board.ItemData(AgendaKind.APPLICATION, application=application),
    )
    assert item.amount == amount
    _hold(officer, meeting)
    _decide(officer, item, amount=amount - 100_00)
    with pytest.raises(DomainError, match="at most"):
        _approve(officer, application, amount)
    project = _approve(officer, application, amount - 100_00)
    assert project.awarded_amount == amount - 100_00


def test_an_award_below_the_threshold_does_not_wait(officer, admin):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    _thresholds(admin, award=application.requested_amount + 1)
    assert _approve(officer, application, application.requested_amount) is not None


def test_an_application_the_board_rejected_cannot_be_approved(officer):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    factories.board_decision("application", application=application, outcome="rejected")
    with pytest.raises(DomainError, match="rejected"):
        _approve(officer, application, application.requested_amount)


def test_a_deferral_is_not_the_boards_word(officer, admin):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    _thresholds(admin, award=1_00)
    factories.board_decision("application", application=application, outcome="deferred")
    with pytest.raises(DomainError, match="needs a decision"):
        _approve(officer, application, application.requested_amount)


def _payable_tranche(amount):
    project = factories.ProjectFactory()
    milestone = factories.MilestoneFactory(project=project, status=MilestoneStatus.ACCEPTED)
    return factories.TrancheFactory(project=project, milestone=milestone, amount=amount)


def test_a_large_tranche_waits_for_the_board_and_its_button_says_why(officer, admin):
    tranche = _payable_tranche(30_000_000_00)
    _thresholds(admin, tranche=20_000_000_00)
    assert "approve" not in workflow.actions(officer, tranche)
    with pytest.raises(DomainError, match="needs a decision of the board"):
        workflow.move(db.session, officer, tranche, "approve")
    factories.board_decision("tranche", tranche=tranche, amount=30_000_000_00)
    db.session.expire(tranche, ["board_items"])  # as a new request reads it
    assert "approve" in workflow.actions(officer, tranche)
    workflow.move(db.session, officer, tranche, "approve")
    assert tranche.status == TrancheStatus.APPROVED


def test_a_small_tranche_does_not_wait(officer, admin):
    tranche = _payable_tranche(1_000_00)
    _thresholds(admin, tranche=20_000_000_00)
    workflow.move(db.session, officer, tranche, "approve")
    assert tranche.status == TrancheStatus.APPROVED


def test_an_amendment_uses_up_its_decision(officer):
    project = factories.ProjectFactory(end_date=date(2027, 12, 31), awarded_amount=100_00)
    with pytest.raises(DomainError, match="Choose the board"):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=date(2028, 6, 30),
            awarded_amount=100_00,
            reason="Delay",
            board_decision=None,
            expected_version=None,
        )
    decision = factories.board_decision(
        "amendment", project=project, amount=150_00, end_date=date(2028, 6, 30)
    )
    assert board.amendment_decisions(db.session, project) == [decision]
    with pytest.raises(DomainError, match="at most"):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=date(2028, 6, 30),
            awarded_amount=200_00,
            reason="More",
            board_decision=decision.id,
            expected_version=None,
        )
    with pytest.raises(DomainError, match="at the latest"):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=date(2028, 12, 31),
            awarded_amount=100_00,
            reason="Later",
            board_decision=decision.id,
            expected_version=None,
        )
    plan.amend_project(
        db.session,
        officer,
        project,
        end_date=date(2028, 6, 30),
        awarded_amount=150_00,
        reason="Delay",
        board_decision=decision.id,
        expected_version=None,
    )
    assert board.amendment_decisions(db.session, project) == []


def test_a_decision_on_another_project_cannot_back_an_amendment(officer):
    project = factories.ProjectFactory(end_date=date(2027, 12, 31))
    elsewhere = factories.board_decision("amendment", project=factories.ProjectFactory())
    with pytest.raises(DomainError, match="Choose the board"):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=date(2028, 6, 30),
            awarded_amount=project.awarded_amount,
            reason="Delay",
            board_decision=elsewhere.id,
            expected_version=None,
        )
