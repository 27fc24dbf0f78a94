import pytest
from sqlalchemy.exc import IntegrityError

from fundtracker.core.extensions import db
from fundtracker.models import Role, User
from fundtracker.services import sessions
from tests import factories


def test_email_is_stored_lower_case():
    user = factories.UserFactory(email="  Aigerim.S@Example.KZ ")
    assert user.email == "aigerim.s@example.kz"


def test_email_is_unique_regardless_of_case():
    factories.UserFactory(email="aigerim@example.kz")
    with pytest.raises(IntegrityError):
        factories.UserFactory(email="AIGERIM@example.kz")
    db.session.rollback()


def test_a_grantee_must_belong_to_an_organisation():
    db.session.add(User(email="g@example.kz", name="G", role=Role.GRANTEE, locale="kk"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_staff_belong_to_no_organisation():
    organisation = factories.OrganisationFactory()
    db.session.add(
        User(
            email="o@example.kz",
            name="O",
            role=Role.OFFICER,
            locale="kk",
            organisation=organisation,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_flask_login_id_is_a_sign_in_sessions_token_not_the_primary_key():
    user = factories.UserFactory()
    with pytest.raises(AttributeError):
        user.get_id()  # signed in nowhere: no id for Flask-Login to keep
    _row, token = sessions.start(db.session, user, address="", user_agent="", remember=False)
    user.session_key = token
    assert user.get_id() == token != str(user.id)


def test_users_are_equal_by_account():
    user = factories.UserFactory()
    same = db.session.get(User, user.id)
    assert same == user and user != factories.UserFactory()
    assert user != "not a user" and user in {user}
