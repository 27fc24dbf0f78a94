import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import EmailStatus, OutboxEmail, Role
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.users import (
    UserData,
    create_user,
    list_users,
    send_invitation,
    set_active,
    update_user,
)
from tests import factories


def test_admin_invites_a_grantee_without_a_password(admin):
    organisation = factories.OrganisationFactory()
    user = create_user(
        db.session,
        admin,
        UserData(
            email="New@Example.kz",
            name=" Dana ",
            role=Role.GRANTEE,
            locale="ru",
            organisation_id=organisation.id,
        ),
    )
    assert (user.email, user.name, user.password_hash) == ("new@example.kz", "Dana", None)


def test_only_admins_manage_users(officer):
    with pytest.raises(NotAllowed):
        create_user(db.session, officer, UserData("x@example.kz", "X", Role.BOARD, "en"))


def test_grantee_needs_an_organisation_and_staff_lose_theirs(admin):
    with pytest.raises(DomainError) as error:
        create_user(db.session, admin, UserData("x@example.kz", "X", Role.GRANTEE, "en"))
    assert error.value.field == "organisation_id"
    organisation = factories.OrganisationFactory()
    user = create_user(
        db.session,
        admin,
        UserData("y@example.kz", "Y", Role.BOARD, "en", organisation_id=organisation.id),
    )
    assert user.organisation_id is None


def test_email_must_be_free_regardless_of_case(admin):
    factories.UserFactory(email="taken@example.kz")
    with pytest.raises(Conflict):
        create_user(db.session, admin, UserData("TAKEN@example.kz", "X", Role.BOARD, "en"))


def test_changing_role_ends_the_users_sessions(admin):
    user = factories.UserFactory(role=Role.REVIEWER)
    before = user.session_token
    update_user(db.session, admin, user, UserData(user.email, user.name, Role.BOARD, "kk"))
    assert user.role == Role.BOARD and user.session_token != before


def test_admin_cannot_change_own_role_or_deactivate_self(admin):
    with pytest.raises(NotAllowed):
        update_user(db.session, admin, admin, UserData(admin.email, "A", Role.OFFICER, "en"))
    with pytest.raises(NotAllowed):
        set_active(db.session, admin, admin, False)


def test_deactivation_ends_sessions(admin):
    user = factories.UserFactory()
    before = user.session_token
    set_active(db.session, admin, user, False)
    assert not user.active and user.session_token != before


def test_list_users_filters_by_role_and_cyrillic_text_in_any_case():
    factories.UserFactory(name="Әлия Нұрланқызы", role=Role.BOARD)
    factories.UserFactory(name="Олжас", role=Role.OFFICER)
    assert [u.name for u in list_users(db.session, text="әлия")] == ["Әлия Нұрланқызы"]
    assert [u.name for u in list_users(db.session, text="ОЛЖ")] == ["Олжас"]
    assert [u.name for u in list_users(db.session, role=Role.BOARD)] == ["Әлия Нұрланқызы"]


def test_an_invitation_is_queued_in_the_callers_transaction(app, admin):
    user = create_user(db.session, admin, UserData("dana@example.kz", "Dana", Role.BOARD, "ru"))
    send_invitation(db.session, admin, user)
    (email,) = db.session.scalars(select(OutboxEmail)).all()
    assert (email.recipient, email.status) == (user, EmailStatus.PENDING)
    assert "/auth/invite/" in email.body_text and admin.name in email.body_text
    assert email.subject != "You are invited to FundTracker"  # in Dana's language


def test_only_admins_invite_and_only_active_accounts(app, admin, officer):
    user = factories.UserFactory()
    with pytest.raises(NotAllowed):
        send_invitation(db.session, officer, user)
    set_active(db.session, admin, user, False)
    with pytest.raises(DomainError):
        send_invitation(db.session, admin, user)
    assert db.session.scalars(select(OutboxEmail)).all() == []
