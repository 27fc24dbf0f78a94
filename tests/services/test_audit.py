"""The audit log: events chained by hash, refused changes on both databases, `verify` finding
an altered, missing or re-chained row, writers taking turns, and nothing secret in details."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role, User
from fundtracker.services import audit
from tests import factories
from tests.dbutil import is_postgres, migrated_app


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _some_events(n: int = 3):
    admin = factories.UserFactory(role=Role.ADMIN, email="boss@fund.kz")
    target = factories.UserFactory(role=Role.OFFICER, email="olzhas@fund.kz")
    made = [
        audit.record(
            db.session,
            admin,
            "user.updated",
            target=target,
            details={"locale": ["en", f"k{i}"]},
            address="10.0.0.7",
        )
        for i in range(n)
    ]
    return admin, target, made


def test_an_event_keeps_who_what_on_what_and_from_where():
    admin, target, (event, *_) = _some_events(1)
    assert event.actor_id == admin.id
    assert (event.actor_email, event.actor_role) == ("boss@fund.kz", "admin")
    assert event.action == "user.updated"
    assert (event.target_type, event.target_id, event.target_label) == (
        "users",
        str(target.id),
        "olzhas@fund.kz",
    )
    assert json.loads(event.details) == {"locale": ["en", "k0"]}
    assert event.address == "10.0.0.7"
    assert event.created_at.tzinfo is not None


def test_the_system_acts_with_no_actor():
    event = audit.record(db.session, None, "backup.made")
    assert (event.actor_id, event.actor_email, event.actor_role) == (None, "", "")
    assert (event.target_type, event.target_id) == ("", "")


def test_each_row_holds_the_hash_of_the_one_before_and_its_own():
    _some_events(3)
    rows = _events()
    assert [r.id for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.hash
    for row in rows:
        # The documented rule, worked out here by hand.
        fields = {name: getattr(row, name) for name in audit.FIELDS}
        fields["created_at"] = row.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert row.hash == hashlib.sha256(body.encode()).hexdigest()


def test_verify_finds_the_chain_intact():
    _some_events(3)
    verdict = audit.verify(db.session)
    assert verdict.intact
    assert verdict.checked == len(_events())
    assert verdict.last_hash == _events()[-1].hash


def test_an_empty_log_is_intact():
    assert audit.verify(db.session) == audit.Verdict(0, audit.GENESIS)


def test_details_refuse_secrets_and_bulk():
    user = factories.UserFactory()
    for key in ("password", "totp_code_secret", "recovery_codes", "reset_token"):
        with pytest.raises(ValueError, match="secrets"):
            audit.record(db.session, user, "user.updated", details={key: "x"})
    with pytest.raises(ValueError, match="too long"):
        audit.record(db.session, user, "user.updated", details={"text": "x" * 5000})
    assert _events() == []


# The database refuses changes -------------------------------------------------------------------


def _refused(statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement)


def test_the_apps_connection_cannot_update_or_delete_a_row():
    _some_events(2)
    _refused(update(AuditEvent).where(AuditEvent.id == 1).values(action="user.activated"))
    _refused(update(AuditEvent).values(details="{}"))
    _refused(delete(AuditEvent).where(AuditEvent.id == 2))
    _refused(delete(AuditEvent))
    db.session.expire_all()
    assert [e.action for e in _events()] == ["user.updated", "user.updated"]
    assert audit.verify(db.session).intact


@pytest.mark.skipif(not is_postgres(), reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql():
    _some_events(1)
    _refused(text("TRUNCATE audit_events"))
    assert len(_events()) == 1


def test_rows_can_still_be_added_by_insert_as_a_restore_does():
    _, _, made = _some_events(1)
    row = {c.name: getattr(made[0], c.name) for c in AuditEvent.__table__.columns}
    db.session.execute(
        AuditEvent.__table__.insert(), {**row, "id": 2, "prev_hash": "p" * 64, "hash": "h" * 64}
    )
    assert len(_events()) == 2


# verify, with the triggers out of the way (as someone with the table's owner rights would) --------


def _behind_the_triggers_back(statement) -> None:
    """Change rows with the triggers off, in the test's transaction (rolled back after it)."""
    if is_postgres():
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        db.session.execute(statement)
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.session.execute(statement)
    db.session.expire_all()


def test_verify_finds_an_altered_row():
    _some_events(4)
    _behind_the_triggers_back(
        update(AuditEvent).where(AuditEvent.id == 3).values(address="192.168.1.1")
    )
    verdict = audit.verify(db.session)
    assert (verdict.broken_id, verdict.checked) == (3, 2)
    assert "altered" in verdict.reason


def test_verify_finds_a_row_altered_with_its_hash_worked_out_again():
    _some_events(4)
    forged = _events()[1]
    forged.action = "user.activated"
    new_hash = audit.digest(forged)
    db.session.expire_all()
    _behind_the_triggers_back(
        update(AuditEvent).where(AuditEvent.id == 2).values(action="user.activated", hash=new_hash)
    )
    verdict = audit.verify(db.session)
    assert verdict.broken_id == 3
    assert "prev_hash" in verdict.reason


def test_verify_finds_a_deleted_row():
    _some_events(4)
    _behind_the_triggers_back(delete(AuditEvent).where(AuditEvent.id == 2))
    verdict = audit.verify(db.session)
    assert verdict.broken_id == 3
    assert "gap" in verdict.reason


# Writers take turns -----------------------------------------------------------------------------


def _record_in_thread(app, actor_id: int, results: dict) -> threading.Thread:
    """A second writer; results["ready"] is set just before it starts its transaction (a thread
    can take a while to start, so the test waits for that rather than for a fixed time)."""
    results["ready"] = threading.Event()

    def work():
        with app.app_context():
            session = Session(db.engine)
            try:
                started = time.monotonic()
                results["ready"].set()
                actor = session.get(User, actor_id)  # on SQLite, BEGIN IMMEDIATE waits here
                audit.record(session, actor, "payment.recorded", details={"n": 2})
                session.commit()
                results["waited"] = time.monotonic() - started
            except Exception as error:  # noqa: BLE001 - reported to the test
                results["error"] = error
                session.rollback()
            finally:
                session.close()

    return threading.Thread(target=work)


@pytest.mark.no_db
def test_two_concurrent_writers_chain_one_after_the_other():
    with migrated_app("audit-race") as app:
        actor = factories.UserFactory(role=Role.OFFICER)
        actor_id = actor.id
        db.session.commit()
        db.session.remove()
        results = {}
        first = Session(db.engine)
        try:
            audit.record(first, first.get(User, actor_id), "tranche.approved")
            other = _record_in_thread(app, actor_id, results)
            other.start()
            assert results["ready"].wait(30)
            time.sleep(0.5)  # the other writer is waiting for this transaction
            first.commit()
        finally:
            first.close()
        other.join(timeout=30)
        assert "error" not in results, results.get("error")
        assert results["waited"] >= 0.4
        db.session.remove()
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert [(r.id, r.action) for r in rows] == [
            (1, "tranche.approved"),
            (2, "payment.recorded"),
        ]
        assert rows[1].prev_hash == rows[0].hash
        assert audit.verify(db.session).intact


@pytest.mark.no_db
@pytest.mark.skipif(not is_postgres(), reason="SQLite writers are serialised by BEGIN IMMEDIATE")
def test_without_the_lock_two_writers_would_chain_to_the_same_row(monkeypatch):
    """Why the advisory lock is there: without it the second writer is refused (not a fork)."""
    monkeypatch.setattr(audit, "_take_turn", lambda session: None)
    with migrated_app("audit-nolock") as app:
        actor = factories.UserFactory(role=Role.OFFICER)
        actor_id = actor.id
        db.session.commit()
        db.session.remove()
        results = {}
        first = Session(db.engine)
        try:
            audit.record(first, first.get(User, actor_id), "tranche.approved")
            other = _record_in_thread(app, actor_id, results)
            other.start()
            assert results["ready"].wait(30)
            time.sleep(0.5)
            first.commit()
        finally:
            first.close()
        other.join(timeout=30)
        assert isinstance(results.get("error"), IntegrityError)


def test_filters_select_by_actor_action_type_and_days():
    admin, target, _ = _some_events(2)
    other = factories.UserFactory(role=Role.OFFICER, email="aigul@fund.kz")
    audit.record(db.session, other, "file.opened", target=target)
    found = db.session.scalars
    assert len(found(audit.events(audit.AuditFilter(actor="BOSS@"))).all()) == 2
    assert len(found(audit.events(audit.AuditFilter(actor="%"))).all()) == 0
    assert [e.action for e in found(audit.events(audit.AuditFilter(action="file.opened")))] == [
        "file.opened"
    ]
    assert len(found(audit.events(audit.AuditFilter(target_type="users"))).all()) == 3
    newest = found(audit.events(audit.AuditFilter())).first()
    assert newest.action == "file.opened"
    assert found(audit.events(audit.AuditFilter(date_to=date(2020, 1, 1)))).first() is None
    assert len(found(audit.events(audit.AuditFilter(date_from=date(2020, 1, 1)))).all()) == 3


def test_every_action_the_app_records_has_a_label_on_the_admin_page():
    """An action code written anywhere in the app (audit.record, record_read, record_as with a
    code) is named on the admin page in the reader's language, not shown as a bare code."""
    import re
    from pathlib import Path

    import fundtracker
    from fundtracker.services.audit import action_labels

    root = Path(fundtracker.__file__).parent
    call = re.compile(r"record(?:_read|_as)?\(\s*[^\"()]*?\"([a-z0-9]+\.[a-z_]+)\"", re.S)
    used = {code for path in root.rglob("*.py") for code in call.findall(path.read_text("utf-8"))}
    assert {"auth.signed_in", "payment.recorded", "file.opened"} <= used  # the scan finds them
    assert used - set(action_labels()) == set()
