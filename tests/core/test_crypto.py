"""Personal data encrypted at rest: keys from the settings (newest first), the development key
in the instance folder, the column type (NULL and '' kept, no plaintext stored, a clear error
naming the column when no key opens a value, no SQL searches on ciphertext), and what reads the
encrypted columns: the organisation page and the impact stories."""

import os
import stat

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from config import TestingConfig
from fundtracker import create_app
from fundtracker.core import crypto
from fundtracker.core.extensions import db
from fundtracker.models import ImpactStory, Organisation, TotpSecret
from fundtracker.services.outcomes import stories
from tests import factories

PHONE = "+7 701 555 12 34"


def _stored(table: str, column: str, row_id: int) -> str:
    # Constant names, not input.
    sql = f"SELECT {column} FROM {table} WHERE id = :id"  # noqa: S608
    return db.session.execute(text(sql), {"id": row_id}).scalar_one()


# Keys --------------------------------------------------------------------------------------------


def test_keys_are_read_newest_first_and_a_malformed_one_is_named_by_position():
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert crypto.parse_keys(f" {b} , {a},") == [b.encode(), a.encode()]
    assert crypto.parse_keys([a]) == [a.encode()]
    assert crypto.parse_keys("") == [] and crypto.parse_keys(None) == []
    with pytest.raises(crypto.DataKeyError, match="key 2 is not a Fernet key") as caught:
        crypto.parse_keys(f"{a},not-a-key-at-all")
    assert "not-a-key-at-all" not in str(caught.value)  # a key is never printed


def test_new_keys_are_fernet_keys_and_differ():
    one, two = crypto.new_key(), crypto.new_key()
    assert one != two and Fernet(one) and len(one) == 44


def test_the_keyring_writes_with_the_newest_and_reads_with_any():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = crypto.Keyring([old]).encrypt("Айгүл")
    both = crypto.Keyring([new, old])
    assert both.decrypt(token) == "Айгүл"
    rotated = both.rotate(token)
    assert crypto.Keyring([new]).decrypt(rotated) == "Айгүл"
    with pytest.raises(crypto.DecryptionError, match="organisations.contact_phone"):
        crypto.Keyring([new]).decrypt(token, "organisations.contact_phone")
    with pytest.raises(crypto.DecryptionError):
        both.decrypt(token[:-4] + "AAAA")  # altered: the HMAC fails, no garbage comes back


def test_development_keeps_a_key_made_once_in_the_instance_folder(tmp_path, database_url):
    class Development(TestingConfig):
        DATA_KEY_FROM_SECRET = False
        DATA_KEY_FILE = str(tmp_path / "data-key")  # by default instance/data-key

    first = create_app(Development, SQLALCHEMY_DATABASE_URI=database_url)
    with first.app_context():
        token = crypto.encrypt(PHONE)
    path = tmp_path / "data-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["data-key"]  # no temporary file left
    # Another process, with another SECRET_KEY, reads it with the same key.
    second = create_app(Development, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="other")
    with second.app_context():
        assert crypto.decrypt(token) == PHONE


def test_tests_derive_the_key_from_secret_key_and_settings_win(database_url):
    key = Fernet.generate_key().decode()
    derived = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    given = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, DATA_ENCRYPTION_KEYS=key)
    with derived.app_context():
        token = crypto.encrypt("x")
    with given.app_context():
        assert Fernet(key).decrypt(crypto.encrypt("x").encode()) == b"x"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)


def test_the_keys_are_read_once_per_app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        ring = crypto.keyring()
        assert crypto.keyring() is ring
        app.config["DATA_ENCRYPTION_KEYS"] = "changed later: not read again"
        assert crypto.keyring() is ring


def test_a_malformed_key_stops_the_app_when_its_keys_are_read(database_url):
    with pytest.raises(crypto.DataKeyError, match="DATA_ENCRYPTION_KEYS: key 1"):
        app = create_app(
            "testing", SQLALCHEMY_DATABASE_URI=database_url, DATA_ENCRYPTION_KEYS="too-short"
        )
        crypto.init_app(app)


# The column type ---------------------------------------------------------------------------------


def test_a_phone_is_stored_encrypted_and_read_back(session):
    organisation = factories.OrganisationFactory(contact_phone=PHONE)
    stored = _stored("organisations", "contact_phone", organisation.id)
    assert "555" not in stored and "1234" not in stored
    assert crypto.decrypt(stored) == PHONE
    session.expire_all()
    assert session.get(Organisation, organisation.id).contact_phone == PHONE


def test_null_and_empty_stay_as_they_are(session):
    organisation = factories.OrganisationFactory(contact_phone="")
    assert _stored("organisations", "contact_phone", organisation.id) == ""
    session.expire_all()
    assert session.get(Organisation, organisation.id).contact_phone == ""
    assert session.scalar(select(Organisation.id).where(Organisation.contact_phone == "")) == (
        organisation.id
    )


def test_a_value_no_key_opens_is_an_error_naming_its_column(session):
    organisation = factories.OrganisationFactory(contact_phone=PHONE)
    other = Fernet(Fernet.generate_key()).encrypt(b"+7 700 000 00 00").decode()
    session.execute(
        text("UPDATE organisations SET contact_phone = :v WHERE id = :id"),
        {"v": other, "id": organisation.id},
    )
    session.expire_all()
    with pytest.raises(crypto.DecryptionError, match="organisations.contact_phone"):
        session.get(Organisation, organisation.id)


def test_encrypted_columns_cannot_be_searched_or_sorted_in_sql():
    with pytest.raises(TypeError, match="organisations.contact_phone is encrypted"):
        Organisation.contact_phone == PHONE  # noqa: B015
    with pytest.raises(TypeError, match="impact_stories.body is encrypted"):
        ImpactStory.body.contains("Айдана")
    with pytest.raises(TypeError, match="is encrypted"):
        select(Organisation).order_by(Organisation.contact_email.desc())
    assert Organisation.contact_phone.is_(None) is not None  # NULL checks are fine


def test_every_encrypted_column_is_found_in_the_metadata():
    found = {
        f"{table.name}.{column.name}"
        for table, columns in crypto.encrypted_columns(db.metadata).items()
        for column in columns
    }
    assert found >= {
        "organisations.contact_email",
        "organisations.contact_phone",
        "impact_stories.title",
        "impact_stories.body",
        "totp_secrets.secret",
    }
    assert TotpSecret.__table__.c.secret.type.column_name == "totp_secrets.secret"


# What reads them ---------------------------------------------------------------------------------


def test_the_organisation_page_shows_the_decrypted_contact(login, officer):
    organisation = factories.OrganisationFactory(
        contact_phone=PHONE, contact_email="aigul@example.kz"
    )
    html = login(officer).get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert PHONE in html and "aigul@example.kz" in html


def test_stories_read_back_and_reports_still_keep_those_without_consent_out(session):
    project = factories.ProjectFactory()
    author = factories.UserFactory()
    shown = factories.impact_story(project, author, consent=True, body="Айдана жүрді.")
    factories.impact_story(project, author, consent=False, title="Жасырын")
    stored = _stored("impact_stories", "body", shown.id)
    assert "Айдана" not in stored
    session.expire_all()
    assert [s.body for s in stories(session, project, for_report=True)] == ["Айдана жүрді."]
    assert {s.title for s in stories(session, project)} == {"Айдана жүре бастады", "Жасырын"}
