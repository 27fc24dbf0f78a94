"""Workflow events tell the people they concern, once each, in each one's language; the text
follows the reader's language of the day, because it is rendered when read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationStatus,
    EmailDelivery,
    Notification,
    OutboxEmail,
    ProjectStatus,
    Role,
)
from fundtracker.services import messages, milestones, notifier, payments, reviews, status
from tests import factories
from tests.services.test_milestones import _evidence, complete

TODAY = date(2026, 11, 25)


def _told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def _emails(user) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)))


@pytest.fixture
def loop(grantee, officer):
    grantee.locale = "kk"
    officer.locale = "ru"
    colleague = factories.UserFactory(
        role=Role.GRANTEE, organisation=grantee.organisation, locale="en"
    )
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, due_date=TODAY + timedelta(days=10))
    tranche = factories.TrancheFactory(project=project, milestone=milestone)
    line = factories.BudgetLineFactory(project=project)
    _evidence(project, grantee, milestone)
    return project, milestone, tranche, line, colleague


def test_every_step_of_the_update_loop_tells_the_other_side(loop, grantee, officer):
    _, milestone, tranche, line, colleague = loop
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    assert [n.message_key for n in _told(officer)] == ["update_submitted"]
    assert _told(grantee) == [] and _told(colleague) == []  # nobody is told of their own act

    milestones.review(
        db.session,
        officer,
        milestone,
        accept=False,
        comment="Add the acts.",
        approve_tranche=False,
        today=TODAY,
    )
    for person in (grantee, colleague):
        kinds = [n.message_key for n in _told(person)]
        assert kinds == ["revision_requested"]
    assert "Add the acts." in _told(colleague)[-1].body

    milestones.submit_update(db.session, grantee, milestone, complete(line))
    milestones.review(
        db.session,
        officer,
        milestone,
        accept=True,
        comment="",
        approve_tranche=True,
        today=TODAY,
    )
    payments.record_payment(db.session, officer, tranche, TODAY, "PP-1", TODAY)
    assert [n.message_key for n in _told(colleague)] == [
        "revision_requested",
        "milestone_accepted",
        "tranche_approved",
        "tranche_paid",
    ]
    assert [n.message_key for n in _told(officer)] == ["update_submitted", "update_submitted"]


def test_each_recipient_reads_it_in_their_language(loop, grantee, officer):
    _, milestone, _, line, colleague = loop
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    milestones.review(
        db.session,
        officer,
        milestone,
        accept=False,
        comment="Add the acts.",
        approve_tranche=False,
        today=TODAY,
    )
    (kk,) = _told(grantee)
    (en,) = _told(colleague)
    assert en.subject.startswith("Revision requested")
    assert kk.subject != en.subject and milestone.title in kk.subject
    (email,) = _emails(colleague)
    assert email.subject == en.subject
    (officer_note,) = _told(officer)
    assert officer_note.subject != messages.render("update_submitted", officer_note.params, "en")[0]


def test_a_notification_follows_its_readers_change_of_language(loop, grantee, officer):
    _, milestone, _, line, colleague = loop
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    (note,) = _told(officer)
    in_russian = messages.text_of(note, "ru")
    in_english = messages.text_of(note, "en")
    assert in_russian != in_english
    assert in_english[0] == f"Update to review: {milestone.title}"
    assert grantee.organisation.name in in_english[1]


def test_digest_readers_get_no_email_now(loop, grantee, officer):
    _, milestone, _, line, colleague = loop
    officer.email_delivery = EmailDelivery.DAILY
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    (note,) = _told(officer)
    assert note.digest_pending and _emails(officer) == []


def test_every_message_renders_in_every_language():
    params = {
        "milestone": "M",
        "project": {"kk": "Ж", "ru": "П", "en": "P"},
        "organisation": "O",
        "amount_tiyn": 150_000_00,
        "indicator": {"en": "I"},
        "application": "A",
        "call": {"en": "C"},
        "title": "T",
        "status": {"en": "S"},
        "number": "7/2026/1",
        "meeting": "7/2026",
        "item": {"ru": "Протез"},
        "quantity": "2",
        "facility": "F",
        "invoice": "СФ-1",
        "outcome": {"en": "Approved"},
        "name": "N",
        "email": "n@example.kz",
        "by": "B",
        "months": "12",
        "comment": "note",
    }
    sent = {key for audiences in notifier.AUDIENCES.values() for key, _find in audiences}
    assert sent == set(messages.MESSAGES)
    for key in messages.MESSAGES:
        for locale in ("kk", "ru", "en"):
            subject, body = messages.render(key, params, locale)
            assert subject and body.endswith("\n\nnote") and "%(" not in subject + body


def test_an_unknown_key_falls_back_to_the_stored_text():
    note = Notification(subject="Old", body="Text", message_key="gone", params={})
    assert messages.text_of(note, "en") == ("Old", "Text")


def test_a_reviewer_is_told_of_an_assignment_without_the_applications_title(officer):
    application = factories.application_in(ApplicationStatus.SCREENED, title="Оңалту орталығы")
    reviewer = factories.UserFactory(role=Role.REVIEWER, locale="ru")
    reviews.assign_reviewer(db.session, officer, application, reviewer)
    (note,) = _told(reviewer)
    assert note.message_key == "reviewer_assigned"
    assert "Оңалту" not in note.subject + note.body  # not before interests are declared
    assert f"№ {application.id}" in note.subject


def test_an_officer_who_left_staff_is_not_told_and_every_officer_is(loop, grantee, officer):
    _, milestone, _, line, _ = loop
    other = factories.UserFactory(role=Role.OFFICER)
    officer.role = Role.BOARD  # an admin changed the role; the project still names them
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    assert _told(officer) == []
    assert [n.message_key for n in _told(other)] == ["update_submitted"]


def test_an_officer_changing_a_projects_status_tells_its_grantees(loop, grantee, officer):
    project, *_ = loop
    status.change_status(db.session, officer, project, ProjectStatus.SUSPENDED, "Audit.")
    (note,) = _told(grantee)
    assert note.message_key == "project_status_changed"
    assert "Audit." in note.body
    in_english = messages.text_of(note, "en")[1]
    assert "«Suspended»" in in_english and project.title_en in in_english
    assert _told(officer) == []


def test_the_daily_risk_check_flags_without_telling(loop, grantee):
    project, milestone, *_ = loop
    milestone.due_date = TODAY - timedelta(days=3)
    status.refresh_risk(db.session, TODAY)
    assert project.status == ProjectStatus.AT_RISK
    assert _told(grantee) == []


def test_a_reviewer_reads_the_application_number_in_their_language(officer):
    application = factories.application_in(ApplicationStatus.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER, locale="ru")
    reviews.assign_reviewer(db.session, officer, application, reviewer)
    (note,) = _told(reviewer)
    assert f"Заявка № {application.id}" in messages.text_of(note, "ru")[0]
    assert f"Application no. {application.id}" in messages.text_of(note, "en")[0]
