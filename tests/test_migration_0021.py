"""Migration 0021: organisations' contact email and phone and impact stories' title and body
become Text holding Fernet tokens of the app's key; NULL and '' stay; no row is lost (SQLite
adds, fills, drops and renames columns rather than copying `organisations`, which rows of other
tables refer to); going down decrypts and puts the old types back, and refuses, before changing
anything, a value longer than its old column."""

import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.orm import load_only

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import ImpactStory, Organisation
from tests import factories
from tests.dbutil import fresh_database

KEY = Fernet.generate_key().decode()
PHONE = "+7 701 555 12 34"
EMAIL = "aigerim.contact@example.kz"
TITLE = "Айдана жүре бастады " * 10  # 200 characters: the old column's whole length
BODY = "Оңалтудан кейін Айдана алғаш рет өзі жүрді.\nДиагнозы: ДЦП."
HIDDEN = ("555 12 34", "5551234", "aigerim", "Айдана", "ДЦП")


@pytest.fixture
def app_at_0020():
    with fresh_database("migration21") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, DATA_ENCRYPTION_KEYS=KEY)
        with app.app_context():
            upgrade(revision="0020")
            yield app
            db.session.remove()
            db.engine.dispose()


def _raw(sql: str, **params) -> list[dict]:
    return [dict(r._mapping) for r in db.session.execute(text(sql), params)]


def _types(table: str) -> dict[str, object]:
    return {c["name"]: c["type"] for c in inspect(db.engine).get_columns(table)}


def _seed() -> dict:
    """Rows written as they were before 0021: plain text in the columns."""
    # The models have the columns of later revisions (0023: projects' open-data fields; 0026:
    # users' manager flag; 0032: organisations' bank accounts): lend
    # them to the table while the factories write, and take them back before upgrading.
    later = {
        ("projects", "agreement_signed_on"): "DATE",
        ("projects", "confidential"): "BOOLEAN NOT NULL DEFAULT false",
        # 0029: when an area's closed projects are followed up
        ("programme_areas", "follow_up_months"): "VARCHAR(40) NOT NULL DEFAULT '6,12,24'",
        # 0026: who manages a grantee organisation's people
        ("users", "org_manager"): "BOOLEAN NOT NULL DEFAULT false",
        # 0032: the organisation's bank account
        ("organisations", "iban"): "VARCHAR(34) NOT NULL DEFAULT ''",
        ("organisations", "bic"): "VARCHAR(11) NOT NULL DEFAULT ''",
        ("organisations", "kbe"): "VARCHAR(2) NOT NULL DEFAULT ''",
    }
    for (table, column), kind in later.items():
        db.session.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    project = factories.ProjectFactory(
        organisation__contact_email="", organisation__contact_phone=""
    )
    author = factories.UserFactory()
    db.session.commit()
    project_id, org, author_id = project.id, project.organisation_id, author.id
    db.session.expunge_all()
    for table, column in later:
        db.session.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    db.session.commit()
    db.session.execute(
        text("UPDATE organisations SET contact_email = :e, contact_phone = :p WHERE id = :id"),
        {"e": EMAIL, "p": PHONE, "id": org},
    )
    empty = db.session.execute(
        text(
            "INSERT INTO organisations (name, bin, region_id, address, contact_name,"
            " contact_email, contact_phone, created_at, updated_at)"
            " SELECT 'Бос қор', '000000000000', region_id, '', 'Ешкім', '', '', created_at,"
            " updated_at FROM organisations WHERE id = :id RETURNING id"
        ),
        {"id": org},
    ).scalar_one()
    stories = []
    for title, body, consent in ((TITLE, BODY, True), ("Жасырын", "Келісім жоқ.", False)):
        stories.append(
            db.session.execute(
                text(
                    "INSERT INTO impact_stories (project_id, title, body, consent, author_id,"
                    " created_at, updated_at) VALUES (:project, :title, :body, :consent,"
                    " :author, '2026-06-01 10:00:00', '2026-06-01 10:00:00') RETURNING id"
                ),
                {
                    "project": project_id,
                    "title": title,
                    "body": body,
                    "consent": consent,
                    "author": author_id,
                },
            ).scalar_one()
        )
    db.session.commit()
    counts = {
        t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
        for t in ("users", "projects", "organisations", "organisation_registrations")
    }
    db.session.remove()
    return {"org": org, "empty": empty, "stories": stories, "counts": counts}


@pytest.mark.no_db
def test_columns_are_encrypted_in_place_and_decrypted_going_down(app_at_0020):
    seeded = _seed()

    upgrade()
    for table, column in [
        ("organisations", "contact_email"),
        ("organisations", "contact_phone"),
        ("impact_stories", "title"),
        ("impact_stories", "body"),
    ]:
        type_ = _types(table)[column]
        assert "TEXT" in str(type_).upper() and getattr(type_, "length", None) is None, column
    raw = _raw(
        "SELECT contact_email, contact_phone FROM organisations WHERE id = :id", id=seeded["org"]
    )[0]
    fernet = Fernet(KEY)
    assert fernet.decrypt(raw["contact_phone"].encode()).decode() == PHONE
    assert fernet.decrypt(raw["contact_email"].encode()).decode() == EMAIL
    stories = _raw("SELECT title, body, consent FROM impact_stories ORDER BY id")
    everything = repr(raw) + repr(stories)
    for secret in HIDDEN:
        assert secret not in everything
    assert fernet.decrypt(stories[0]["title"].encode()).decode() == TITLE
    assert [bool(s["consent"]) for s in stories] == [True, False]  # the flag stays plain
    empty = _raw(
        "SELECT contact_email, contact_phone FROM organisations WHERE id = :id",
        id=seeded["empty"],
    )[0]
    assert empty == {"contact_email": "", "contact_phone": ""}  # '' stays ''
    for table, count in seeded["counts"].items():  # no row lost to a cascade
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == count  # noqa: S608

    # The models read them back.
    organisation = db.session.get(Organisation, seeded["org"])
    assert (organisation.contact_phone, organisation.contact_email) == (PHONE, EMAIL)
    assert db.session.get(Organisation, seeded["empty"]).contact_phone == ""
    story = db.session.get(ImpactStory, seeded["stories"][0])
    assert (story.title, story.body, story.consent) == (TITLE, BODY, True)
    db.session.remove()

    downgrade(revision="0020")
    types = _types("organisations")
    assert (types["contact_email"].length, types["contact_phone"].length) == (254, 40)
    assert _types("impact_stories")["title"].length == 200
    raw = _raw(
        "SELECT contact_email, contact_phone FROM organisations WHERE id = :id", id=seeded["org"]
    )
    assert raw == [{"contact_email": EMAIL, "contact_phone": PHONE}]
    stories = _raw("SELECT title, body FROM impact_stories ORDER BY id")
    assert stories == [
        {"title": TITLE, "body": BODY},
        {"title": "Жасырын", "body": "Келісім жоқ."},
    ]
    for table, count in seeded["counts"].items():
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == count  # noqa: S608
    db.session.remove()

    upgrade()  # and up again
    assert db.session.get(Organisation, seeded["org"]).contact_phone == PHONE


@pytest.mark.no_db
def test_going_down_refuses_a_value_longer_than_its_old_column(app_at_0020):
    seeded = _seed()
    # Up to 0021 only: on PostgreSQL a refused downgrade from a later head rolls back to it.
    upgrade(revision="0021")
    story_id = seeded["stories"][1]
    story = db.session.get(ImpactStory, story_id)
    story.title = "ұзын " * 60  # 300 characters: the model no longer limits it, the form does
    db.session.commit()
    db.session.remove()

    # Flask-Migrate's downgrade logs the error and exits; the function it wraps raises it.
    with pytest.raises(RuntimeError, match=rf"impact_stories.title \(id {story_id}\): 300 > 200"):
        downgrade.__wrapped__(revision="0020")
    db.session.remove()
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0021"
    assert db.session.get(ImpactStory, story_id).title == "ұзын " * 60  # still encrypted, whole
    # At 0021 the table has none of the later columns (0032's bank account): read only this one.
    only_phone = [load_only(Organisation.contact_phone)]
    assert db.session.get(Organisation, seeded["org"], options=only_phone).contact_phone == PHONE
