"""Migration 0018: the audit log's table, with triggers that refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL) while rows can still be added; going down removes the table, the
triggers and (on PostgreSQL) their function, and going up again works."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database, is_postgres

ROW = (
    "INSERT INTO audit_events (id, created_at, actor_id, actor_email, actor_role, action,"
    " target_type, target_id, target_label, details, address, prev_hash, hash)"
    " VALUES (:id, '2026-12-05 10:00:00', NULL, '', '', 'backup.made', '', '', '', '{}', '',"
    " :prev, :hash)"
)


@pytest.fixture
def app_at_0017():
    with fresh_database("migration18") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0017")
            yield app
            db.session.remove()
            db.engine.dispose()


def _refused(statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))


def _triggers() -> set[str]:
    with db.engine.connect() as conn:
        if is_postgres():
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return {name for (name,) in conn.execute(text(query))}


@pytest.mark.no_db
def test_up_refuses_changes_and_down_removes_everything(app_at_0017):
    upgrade(revision="0018")
    with db.engine.begin() as conn:  # a restore adds rows: allowed
        conn.execute(text(ROW), {"id": 1, "prev": "0" * 64, "hash": "a" * 64})
        conn.execute(text(ROW), {"id": 2, "prev": "a" * 64, "hash": "b" * 64})
    _refused("UPDATE audit_events SET action = 'x'")
    _refused("DELETE FROM audit_events WHERE id = 2")
    if is_postgres():
        _refused("TRUNCATE audit_events")
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_events")) == 2
    assert {t for t in _triggers() if t.startswith("audit_events")}

    downgrade(revision="0017")
    assert "audit_events" not in inspect(db.engine).get_table_names()
    assert not {t for t in _triggers() if t.startswith("audit_events")}
    if is_postgres():
        with db.engine.connect() as conn:
            found = conn.scalar(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_events_refuse_change'")
            )
        assert found == 0
    upgrade(revision="0018")
    assert "audit_events" in inspect(db.engine).get_table_names()
