"""`flask audit verify`: says the chain is intact, or names the first broken row and fails."""

from __future__ import annotations

from sqlalchemy import text, update

from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role
from fundtracker.services import audit
from tests import factories
from tests.dbutil import is_postgres


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_an_intact_chain(app):
    admin = factories.UserFactory(role=Role.ADMIN)
    for _ in range(3):
        last = audit.record(db.session, admin, "user.updated", target=admin)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"3 events, chain intact (last hash {last.hash})"


def test_an_empty_log_is_intact(app):
    result = _verify(app)
    assert result.exit_code == 0
    assert result.stdout.startswith("0 events, chain intact")


def test_a_row_altered_behind_the_triggers_back_is_found(app):
    admin = factories.UserFactory(role=Role.ADMIN)
    for n in range(4):
        audit.record(db.session, admin, "payment.recorded", details={"amount": n})
    # Someone with the table owner's rights turns the trigger off and edits a row.
    if is_postgres():
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
    db.session.execute(
        update(AuditEvent).where(AuditEvent.id == 2).values(details='{"amount":1000000}')
    )
    db.session.expire_all()
    result = _verify(app)
    assert result.exit_code == 1
    assert "Chain broken at event 2: altered" in result.stderr
    assert "1 events before it are intact" in result.stderr
