import pytest
from sqlalchemy.exc import IntegrityError

from fundtracker.core.extensions import db
from fundtracker.models import Role, User
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


def test_flask_login_id_is_the_session_token_not_the_primary_key():
    user = factories.UserFactory()
    assert user.get_id() == user.session_token
    assert user.get_id() != str(user.id)
