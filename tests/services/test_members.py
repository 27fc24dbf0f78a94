"""An organisation's people: managers invite colleagues through the outbox, remove them, hand the
role over, and the organisation always keeps an active manager (also under two requests at once,
on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import AuditEvent, Notification, OutboxEmail, Role, User
from fundtracker.services import accounts, api_tokens, members, users
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from tests import factories
from tests.dbutil import is_postgres, migrated_app


@pytest.fixture
def organisation():
    return factories.OrganisationFactory(name="Umit Foundation")


@pytest.fixture
def manager(organisation):
    return factories.UserFactory(
        role=Role.GRANTEE, organisation=organisation, org_manager=True, name="Manager Madina"
    )


def _member(organisation, **kw) -> User:
    return factories.UserFactory(role=Role.GRANTEE, organisation=organisation, **kw)


def _emails(user) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)))


def _told(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.message_key).where(Notification.user_id == user.id))
    )


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _invite(manager, email="colleague@example.kz", locale="ru") -> User:
    return members.invite(
        db.session, manager, members.InviteData(name=" Aruzhan ", email=email, locale=locale)
    )


def test_a_manager_invites_a_colleague_who_accepts_through_the_emailed_link(manager, organisation):
    other_manager = _member(organisation, org_manager=True)
    plain_member = _member(organisation)
    colleague = _invite(manager, email="Colleague@Example.kz")
    assert (colleague.email, colleague.name, colleague.locale) == (
        "colleague@example.kz",
        "Aruzhan",
        "ru",
    )
    assert colleague.organisation_id == organisation.id and not colleague.org_manager
    assert colleague.password_hash is None
    (email,) = _emails(colleague)
    assert "Manager Madina" in email.body_text  # the invitation, in the invitee's language
    assert "Выберите пароль" in email.body_html or "/auth/invite/" in email.body_text
    token = email.body_text.split("/auth/invite/")[1].split()[0]
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["INVITE_MAX_AGE"]
    accounts.set_password_with_token(
        db.session, secret, token, "invite", max_age, "a long new password"
    )
    with pytest.raises(Exception, match="already been used"):  # single use
        accounts.user_for_token(db.session, secret, token, "invite", max_age)
    assert _told(other_manager) == ["member_invited"]
    assert _told(plain_member) == [] and _told(manager) == []
    assert {"user.created", members.INVITED} <= set(_actions())


def test_an_email_with_an_account_is_refused_without_saying_where(manager):
    factories.UserFactory(grantee=True, email="elsewhere@example.kz")
    _member(manager.organisation, email="here@example.kz")
    messages = set()
    for email in ("ELSEWHERE@example.kz", "here@example.kz"):
        with pytest.raises(Conflict) as error:
            _invite(manager, email=email)
        assert error.value.field == "email"
        messages.add(str(error.value.message))
    assert len(messages) == 1  # the same words whichever organisation holds it
    assert "Umit" not in messages.pop()


def test_a_member_may_not_invite_or_remove(organisation, manager):
    member = _member(organisation)
    with pytest.raises(NotAllowed):
        _invite(member)
    with pytest.raises(NotAllowed):
        members.remove(db.session, member, manager)


def test_invitations_are_limited_per_organisation_and_day(manager, app, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_INVITES_PER_DAY", 2)
    first = _invite(manager, email="a@example.kz")
    members.invite_again(db.session, manager, first)
    with pytest.raises(DomainError, match="24 hours"):
        _invite(manager, email="b@example.kz")
    assert members.invitations_today(db.session, manager.organisation_id, _now()) == 2
    # Another organisation's managers have their own allowance.
    other = factories.UserFactory(grantee=True, org_manager=True)
    _invite(other, email="c@example.kz")


def _now():
    from fundtracker.models import utcnow

    return utcnow() + timedelta(seconds=1)


def test_invite_again_only_until_the_colleague_has_a_password(manager, organisation):
    colleague = _invite(manager)
    members.invite_again(db.session, manager, colleague)
    assert len(_emails(colleague)) == 2
    accepted = _member(organisation)
    with pytest.raises(DomainError, match="already accepted"):
        members.invite_again(db.session, manager, accepted)


def test_removing_a_colleague_ends_access_and_tells_them_and_the_managers(manager, organisation):
    other_manager = _member(organisation, org_manager=True)
    colleague = _member(organisation, locale="kk")
    token, _raw = api_tokens.create(
        db.session,
        colleague,
        name="t",
        scopes=list(api_tokens.scopes_for(colleague)),
        expires_on=today() + timedelta(days=30),
    )
    before = colleague.session_token
    members.remove(db.session, manager, colleague)
    assert not colleague.active and colleague.session_token != before
    assert token.revoked_at is not None
    (email,) = _emails(colleague)
    assert "Manager Madina" in email.body_text and "Umit Foundation" in email.body_text
    assert _told(other_manager) == ["member_removed"]
    assert "member.removed" in _actions()


def test_a_colleague_of_another_organisation_cannot_be_touched(manager):
    stranger = factories.UserFactory(grantee=True)
    for act in (members.remove, members.make_manager, members.hand_over, members.invite_again):
        with pytest.raises(NotAllowed):
            act(db.session, manager, stranger)
    assert stranger.active


def test_hand_over_makes_the_colleague_manager_and_the_manager_a_member(manager, organisation):
    colleague = _member(organisation)
    members.hand_over(db.session, manager, colleague)
    assert colleague.org_manager and not manager.org_manager
    # The new manager is told of both changes, as every manager is.
    assert _told(colleague) == ["manager_granted", "manager_given_up"]
    assert "member.manager_granted" in _actions() and "member.manager_given_up" in _actions()


def test_the_last_manager_can_neither_step_down_nor_remove_themselves(manager, organisation):
    _member(organisation)
    with pytest.raises(DomainError, match="at least one manager"):
        members.step_down(db.session, manager)
    with pytest.raises(DomainError, match="at least one manager"):
        members.remove(db.session, manager, manager)
    assert manager.org_manager and manager.active
    assert not members.can_step_down(db.session, manager)
    second = _member(organisation)
    members.make_manager(db.session, manager, second)
    assert members.can_step_down(db.session, manager)
    members.step_down(db.session, manager)
    assert not manager.org_manager


def test_an_inactive_manager_does_not_count(manager, organisation):
    _member(organisation, org_manager=True, active=False)
    with pytest.raises(DomainError):
        members.step_down(db.session, manager)


def test_the_page_rows_say_what_the_reader_may_do(manager, organisation):
    colleague = _invite(manager)
    rows = {row.user.id: row for row in members.rows(db.session, manager, organisation)}
    assert rows[manager.id].manager and not rows[manager.id].can_remove  # the last manager
    assert rows[colleague.id].invited and rows[colleague.id].can_resend
    assert rows[colleague.id].can_hand_over
    reader = _member(organisation)
    as_member = members.rows(db.session, reader, organisation)
    assert not any(r.can_remove or r.can_resend or r.can_make_manager for r in as_member)


def test_an_admins_first_grantee_of_an_organisation_is_its_manager(admin, organisation):
    data = users.UserData("first@example.kz", "First", Role.GRANTEE, "kk", organisation.id)
    first = users.create_user(db.session, admin, data)
    second = users.create_user(
        db.session,
        admin,
        users.UserData("second@example.kz", "Second", Role.GRANTEE, "kk", organisation.id),
    )
    assert first.org_manager and not second.org_manager
    # An admin may set the flag, but not take it from the last active manager.
    with pytest.raises(DomainError, match="at least one manager"):
        users.update_user(
            db.session,
            admin,
            first,
            users.UserData(
                "first@example.kz", "First", Role.GRANTEE, "kk", organisation.id, org_manager=False
            ),
        )
    users.update_user(
        db.session,
        admin,
        second,
        users.UserData(
            "second@example.kz", "Second", Role.GRANTEE, "kk", organisation.id, org_manager=True
        ),
    )
    assert second.org_manager


@pytest.mark.no_db
@pytest.mark.skipif(not is_postgres(), reason="row locks: PostgreSQL")
def test_two_managers_stepping_down_at_once_leave_one():
    with migrated_app("members-race") as app:
        organisation = factories.OrganisationFactory()
        first = _member(organisation, org_manager=True)
        second = _member(organisation, org_manager=True)
        db.session.commit()
        ids = (first.id, second.id, organisation.id)
        db.session.remove()
        engine = db.engine
        outcome: dict[str, str] = {}

        one = Session(engine)
        members.step_down(one, one.get(User, ids[0]))  # holds the organisation's row

        def other() -> None:
            with app.app_context(), Session(engine) as two:
                try:
                    members.step_down(two, two.get(User, ids[1]))
                    two.commit()
                    outcome["second"] = "stepped down"
                except DomainError:
                    two.rollback()
                    outcome["second"] = "refused"

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)  # the second request waits for the first one's lock
        assert thread.is_alive()
        one.commit()
        one.close()
        thread.join(timeout=30)
        assert outcome == {"second": "refused"}
        with Session(engine) as check:
            managers = users.active_managers(check, ids[2])
        assert managers == 1


def test_removing_an_invited_colleague_withdraws_the_invitation_quietly(manager):
    colleague = _invite(manager)
    (invitation,) = _emails(colleague)
    token = invitation.body_text.split("/auth/invite/")[1].split()[0]
    members.remove(db.session, manager, colleague)
    assert len(_emails(colleague)) == 1  # no "access ended" to someone who never had it
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["INVITE_MAX_AGE"]
    with pytest.raises(Exception, match="no longer valid"):
        accounts.user_for_token(db.session, secret, token, "invite", max_age)
