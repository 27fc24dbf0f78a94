"""Migration 0015: the scheduled reports already there get their key (where the old race queued
one twice, the finished one keeps it and the other none; a failed one none), reports already
started count one attempt, one left building has no lease (the next scheduler takes it back);
going down drops the columns and keeps every row."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database

INSERT = text(
    "INSERT INTO reports (kind, locale, period_start, period_end, fingerprint, status, progress,"
    " error, scheduled, requested_at, started_at) VALUES ('board', :locale, '2025-01-01',"
    " '2025-12-31', :fp, :status, 0, '', :scheduled, '2026-01-05 06:00:00', :started)"
    " RETURNING id"
)


@pytest.fixture
def app_at_0014():
    with fresh_database("migration15") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0014")
            yield app
            db.session.remove()
            db.engine.dispose()


def _report(conn, locale: str, status: str, scheduled: bool, started: bool = True) -> int:
    return conn.execute(
        INSERT,
        {
            "locale": locale,
            "fp": f"{locale}{status}{scheduled}".ljust(64, "0"),
            "status": status,
            "scheduled": scheduled,
            "started": "2026-01-05 06:00:01" if started else None,
        },
    ).scalar_one()


@pytest.mark.no_db
def test_scheduled_reports_get_their_key_once_and_down_keeps_every_row(app_at_0014):
    with db.engine.begin() as conn:
        queued_twice = _report(conn, "ru", "queued", True, started=False)
        done_twice = _report(conn, "ru", "done", True)
        failed = _report(conn, "kk", "failed", True)
        building = _report(conn, "en", "building", True)
        asked = _report(conn, "kk", "done", False)

    upgrade(revision="0015")
    with db.engine.connect() as conn:
        rows = {
            row.id: row
            for row in conn.execute(
                text("SELECT id, schedule_key, attempts, lease_expires_at FROM reports")
            )
        }
    assert rows[done_twice].schedule_key == "board/ru/2025-01-01/2025-12-31/-/-/-"
    assert rows[queued_twice].schedule_key is None
    assert rows[failed].schedule_key is None and rows[asked].schedule_key is None
    assert rows[building].schedule_key == "board/en/2025-01-01/2025-12-31/-/-/-"
    assert (rows[building].attempts, rows[building].lease_expires_at) == (1, None)
    assert rows[queued_twice].attempts == 0
    # The key is unique: a second scheduled report of the same identity is refused.
    with pytest.raises(Exception, match="(?i)unique"), db.engine.begin() as conn:
        conn.execute(
            text("UPDATE reports SET schedule_key = :key WHERE id = :id"),
            {"key": rows[done_twice].schedule_key, "id": queued_twice},
        )

    downgrade(revision="0014")
    columns = {c["name"] for c in inspect(db.engine).get_columns("reports")}
    assert not columns & {"schedule_key", "attempts", "lease_expires_at"}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar_one() == 5
