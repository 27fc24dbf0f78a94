"""Migration 0036: the pieces of files kept in the database, and the request id on queued emails
and reports. Rows already there keep their data (with no request id); on PostgreSQL the pieces
are stored uncompressed out of line; going down drops the table and the two columns, keeping
the emails and reports, and up again works."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database


@pytest.fixture
def app_at_0035():
    with fresh_database("migration36") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0035")
            yield app
            db.session.remove()
            db.engine.dispose()


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


@pytest.mark.no_db
def test_pieces_and_request_ids_come_and_go_keeping_the_rows(app_at_0035):
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox_emails (to_address, subject, body_text, body_html, status,"
                " attempts, next_attempt_at, resends, last_error, created_at) VALUES"
                " ('a@example.kz', 'Hello', 'Body', '', 'pending', 0, '2026-12-01', 0, '',"
                " '2026-12-01')"
            )
        )
    upgrade(revision="0036")
    assert "request_id" in columns("outbox_emails") and "request_id" in columns("reports")
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT request_id FROM outbox_emails")).scalar() is None
        conn.execute(
            text("INSERT INTO stored_blobs (area, key, seq, data) VALUES ('uploads', 'k', 0, :d)"),
            {"d": b"%PDF-1.4"},
        )
        if db.engine.dialect.name == "postgresql":
            storage = conn.execute(
                text(
                    "SELECT attstorage FROM pg_attribute WHERE attrelid = 'stored_blobs'::regclass"
                    " AND attname = 'data'"
                )
            ).scalar()
            assert storage == "e"  # external: out of line, not compressed

    downgrade(revision="0035")
    assert "stored_blobs" not in set(inspect(db.engine).get_table_names())
    assert "request_id" not in columns("outbox_emails") | columns("reports")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT subject FROM outbox_emails")).scalar() == "Hello"
    upgrade(revision="0036")
