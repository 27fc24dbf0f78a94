"""Migration 0016: emails not yet sent get a Message-ID each (unique), sent ones none; the new
columns start empty (no send under way, no resend); going down drops them and keeps the rows."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database

NEW_COLUMNS = {"message_id", "claim_token", "started_at", "resends"}


@pytest.fixture
def app_at_0015():
    with fresh_database("migration16") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0015")
            yield app
            db.session.remove()
            db.engine.dispose()


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("outbox_emails")}


@pytest.mark.no_db
def test_unsent_emails_get_a_message_id_and_down_keeps_every_row(app_at_0015):
    with db.engine.begin() as conn:
        for status in ("pending", "sending", "failed", "sent"):
            conn.execute(
                text(
                    "INSERT INTO outbox_emails (to_address, subject, body_text, body_html, status,"
                    " attempts, next_attempt_at, last_error, created_at)"
                    " VALUES ('a@example.kz', :s, 'Text', '', :s, 1, :t, '', :t)"
                ),
                {"s": status, "t": "2026-01-01 00:00:00"},
            )
    upgrade()
    assert _columns() >= NEW_COLUMNS
    rows = db.session.execute(
        text(
            "SELECT status, message_id, claim_token, started_at, resends FROM outbox_emails"
            " ORDER BY id"
        )
    ).all()
    ids = {status: message_id for status, message_id, *_ in rows}
    assert ids["sent"] is None
    unsent = [ids[s] for s in ("pending", "sending", "failed")]
    assert all(i.startswith("<outbox-") and i.endswith("@fundtracker>") for i in unsent)
    assert len(set(unsent)) == 3
    assert {(token, started, resends) for _, _, token, started, resends in rows} == {
        (None, None, 0)
    }
    db.session.remove()

    downgrade(revision="0015")
    assert not NEW_COLUMNS & _columns()
    count = db.session.execute(text("SELECT count(*) FROM outbox_emails")).scalar_one()
    assert count == 4
    db.session.remove()
    upgrade()  # and up again
    assert _columns() >= NEW_COLUMNS
