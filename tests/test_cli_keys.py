"""`flask keys new` and `flask keys rotate`: from key A to "B,A", rotate, then drop A: everything
still reads, the database holds no plaintext and nothing A opens; a value no key opens stops the
rotation before anything is written."""

import contextvars
import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from fundtracker import create_app
from fundtracker.core import crypto
from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, ImpactStory, Organisation, TotpSecret
from tests import factories
from tests.dbutil import fresh_database

A, B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PHONES = [f"+7 701 555 00 0{n}" for n in range(5)]
SECRET = "JBSWY3DPEHPK3PXP"
STORY = "Айдана оңалтудан кейін жүрді."


@pytest.fixture
def database():
    """A migrated database holding, under key A, five organisations' phones, a story and a TOTP
    secret; yields its URL and the rows' ids."""
    with fresh_database("keys") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, DATA_ENCRYPTION_KEYS=A)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            organisations = [
                factories.OrganisationFactory(contact_phone=p, contact_email=f"c{n}@example.kz")
                for n, p in enumerate(PHONES)
            ]
            factories.OrganisationFactory(contact_phone="")  # nothing to rotate
            project = factories.ProjectFactory(organisation=organisations[0])
            user = factories.UserFactory()
            story = factories.impact_story(project, user, body=STORY)
            db.session.add(TotpSecret(user_id=user.id, secret=SECRET))
            db.session.commit()
            ids = {"organisations": [o.id for o in organisations], "story": story.id}
            db.session.remove()
            db.engine.dispose()
        yield url, ids


def _app(url: str, keys: str):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, DATA_ENCRYPTION_KEYS=keys)


def _invoke(app, *args):
    """Run a command on `app`, in an empty context: the suite's app context, held by the
    fixtures, would otherwise be the one the command finds."""
    return contextvars.Context().run(app.test_cli_runner().invoke, args=list(args))


def _raw_values() -> list[str]:
    values = []
    for sql in (
        "SELECT contact_phone, contact_email FROM organisations",
        "SELECT title, body FROM impact_stories",
        "SELECT secret FROM totp_secrets",
    ):
        for row in db.session.execute(text(sql)):
            values.extend(v for v in row if v)
    return values


def test_new_prints_a_fresh_key(app):
    first = app.test_cli_runner().invoke(args=["keys", "new"])
    second = app.test_cli_runner().invoke(args=["keys", "new"])
    assert first.exit_code == 0
    key = first.output.strip()
    assert Fernet(key) and key != second.output.strip()


@pytest.mark.no_db
def test_rotate_from_a_to_b_then_drop_a(database, monkeypatch):
    url, ids = database
    monkeypatch.setattr(crypto, "ROTATE_BATCH", 2)  # several batches for the five phones

    result = _invoke(_app(url, f"{B},{A}"), "keys", "rotate")
    assert result.exit_code == 0, result.output
    # Five phones and six emails (the organisation without a phone has one).
    assert "organisations (contact_email, contact_phone): 11 values re-encrypted, rows: 6" in (
        result.output
    )
    assert "impact_stories (title, body): 2 values re-encrypted, rows: 1" in result.output
    assert "totp_secrets (secret): 1 values re-encrypted, rows: 1" in result.output

    app = _app(url, B)  # A dropped
    with app.app_context():
        phones = db.session.scalars(
            select(Organisation.contact_phone)
            .where(Organisation.id.in_(ids["organisations"]))
            .order_by(Organisation.id)
        ).all()
        assert phones == PHONES
        assert db.session.get(ImpactStory, ids["story"]).body == STORY
        assert db.session.scalar(select(TotpSecret.secret)) == SECRET
        raw = _raw_values()
        assert len(raw) == 14
        for value in raw:
            assert "555" not in value and SECRET not in value and "Айдана" not in value
            Fernet(B).decrypt(value.encode())  # every value is B's now
            with pytest.raises(InvalidToken):
                Fernet(A).decrypt(value.encode())
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "keys.rotated"))
        assert json.loads(event.one().details)["values"]["organisations"] == 11
        db.session.remove()
        db.engine.dispose()


@pytest.mark.no_db
def test_rotate_refuses_when_a_value_cannot_be_decrypted(database):
    url, _ids = database
    with _app(url, A).app_context():
        before = _raw_values()
        db.session.remove()

    # A was dropped before the rotation: nothing opens the values.
    app = _app(url, B)
    result = _invoke(app, "keys", "rotate")
    assert result.exit_code == 1
    assert "cannot be decrypted with any key" in result.output
    assert "Nothing was changed." in result.output
    with app.app_context():
        assert _raw_values() == before
        db.session.remove()
        db.engine.dispose()
