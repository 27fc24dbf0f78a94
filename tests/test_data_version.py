"""The data version goes up once for every committed transaction that changed the fund's data,
and only then: on a database of its own, with real commits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text, update

from fundtracker.core import data_version
from fundtracker.core.extensions import db
from fundtracker.models import Region, StoredReport
from tests import factories
from tests.dbutil import migrated_app


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("INSERT INTO projects (code) VALUES (?)", True),
        ('UPDATE "milestones" SET status=%(status)s', True),
        ("DELETE FROM result_cells WHERE id = 1", True),
        ("INSERT OR IGNORE INTO notifications (user_id) VALUES (?)", True),
        ("  update users set name = 'x'", True),
        ("SELECT * FROM projects", False),
        ("SELECT id FROM outbox_emails FOR UPDATE SKIP LOCKED", False),
        ("UPDATE reports SET progress = 40", False),
        ("UPDATE data_version SET version = version + 1", False),
        ("UPDATE alembic_version SET version_num='0009'", False),
        ("UPDATE outbox_emails SET status = 'sent'", False),
        ("INSERT INTO login_attempts (email) VALUES (?)", False),
        ("INSERT INTO reminders (rule_id) VALUES (?)", False),
        ("WITH gone AS (DELETE FROM milestones RETURNING id) SELECT count(*) FROM gone", True),
        ("WITH totals AS (SELECT sum(amount) FROM update_spending) SELECT * FROM totals", False),
        ("/* a note */ UPDATE projects SET status = 'active'", True),
        ("-- a note\nDELETE FROM tranches", True),
        ("MERGE INTO projects USING x ON true WHEN MATCHED THEN DO NOTHING", True),
        ("TRUNCATE notifications", True),
    ],
)
@pytest.mark.no_db
def test_which_statements_change_data(statement, changes):
    assert data_version.changes_data(statement) is changes


@pytest.mark.no_db
def test_the_version_moves_with_each_committed_change_and_only_then():
    with migrated_app("version"):
        session = db.session
        start = data_version.current(session)
        assert start is not None

        factories.OrganisationFactory()
        session.commit()
        assert data_version.current(session) == start + 1

        # Reading, and changes rolled back, leave it alone.
        session.scalars(text("SELECT id FROM organisations")).all()
        session.commit()
        factories.OrganisationFactory()
        session.flush()
        session.rollback()
        assert data_version.current(session) == start + 1

        # Bulk statements and raw SQL count like the ORM's flushes.
        session.execute(update(Region).where(Region.id == -1).values(code="x"))
        session.commit()
        assert data_version.current(session) == start + 2
        session.execute(text("DELETE FROM organisations WHERE id = -1"))
        session.commit()
        assert data_version.current(session) == start + 3

        # Stored reports' bookkeeping is not data anything is made from.
        session.add(_report())
        session.commit()
        assert data_version.current(session) == start + 3

        # A core connection outside the ORM counts too.
        session.commit()  # (ends the session's reading transaction: SQLite has one writer)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE regions SET code = code WHERE id = -1"))
        assert data_version.current(session) == start + 4


def _report() -> StoredReport:
    return StoredReport(
        kind="board",
        locale="en",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        fingerprint="0" * 64,
    )
