"""The outbox with real concurrency, on a database of its own (an SQLite file, or a database on
the PostgreSQL server): a slow mail server holds up neither sign-ins nor a second sender, and a
sender killed (SIGKILL) in the middle of an SMTP conversation leaves at most one duplicate,
recorded as a resend with the same Message-ID and shown on the admins' page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from fundtracker.core.extensions import db
from fundtracker.models import EmailStatus, OutboxEmail, Role, User
from fundtracker.services import notifications
from tests import factories
from tests.conftest import IsolatedClient, free_port, login_as
from tests.dbutil import migrated_app
from tests.services.test_outbox import Inbox

ROOT = Path(__file__).resolve().parents[2]

# A scheduler's outbox job in a process of its own: the database URL, SMTP port and lease in
# seconds on the command line; it prints its counts when done.
SENDER = """
import sys
from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.services import notifications

url, port, lease = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=url,
    MAIL_SERVER="127.0.0.1",
    MAIL_PORT=port,
    OUTBOX_LEASE_SECONDS=lease,
)
with app.app_context():
    print(dict(notifications.send_outbox(db.session, db.session.commit)), flush=True)
"""


@pytest.fixture
def server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        if inbox.hold is not None:
            inbox.hold.set()
        controller.stop()


def _queue(count: int) -> list[int]:
    people = [factories.UserFactory(locale="en") for _ in range(count)]
    emails = [notifications.queue_email(db.session, p, "Hello", "Text", "") for p in people]
    db.session.commit()
    return [e.id for e in emails]


def _sender(app, results: list, errors: list) -> None:
    """One scheduler's outbox job, in a thread with its own app context, session and
    connections."""
    try:
        with app.app_context():
            try:
                results.append(notifications.send_outbox(db.session, db.session.commit))
            finally:
                db.session.remove()
    except BaseException as error:  # pragma: no cover - reported by the test
        errors.append(error)


@pytest.mark.no_db
def test_a_slow_mail_server_holds_up_neither_sign_ins_nor_a_second_sender(server):
    inbox, port = server
    inbox.delay = 0.4  # seconds a message: 16 of them take two senders about 3 s
    # The lease (2 s) is shorter than a batch (8 messages, 3.2 s): each send renews it.
    config = dict(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_LEASE_SECONDS=2, OUTBOX_BATCH_SIZE=8
    )
    with migrated_app("outbox-slow", **config) as app:
        app.test_client_class = IsolatedClient
        ids = _queue(16)
        admin = factories.UserFactory(role=Role.ADMIN, email="admin@example.kz")
        db.session.commit()
        admin_id = admin.id
        db.session.remove()

        results: list[Counter] = []
        errors: list[BaseException] = []
        senders = [threading.Thread(target=_sender, args=(app, results, errors)) for _ in range(2)]
        for thread in senders:
            thread.start()
        inbox.arrived.wait(10)

        # While the senders talk to the mail server: admins sign in (each sign-in writes: the
        # attempt and the session), and other short writes go through. Not back to back: a
        # sign-in holds SQLite's write lock while it checks the password (argon2, ~0.2 s), and a
        # loop of them would leave writers no turn.
        logins: list[tuple[int, float]] = []
        writes: list[float] = []
        while any(t.is_alive() for t in senders):
            client = app.test_client()
            started = time.perf_counter()
            response = client.post(
                "/auth/login", data={"email": "admin@example.kz", "password": factories.PASSWORD}
            )
            logins.append((response.status_code, time.perf_counter() - started))
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE users SET name = name WHERE id = :id"), {"id": admin_id})
            writes.append(time.perf_counter() - started)
            time.sleep(0.2)
        for thread in senders:
            thread.join(30)

        assert not errors, errors
        assert len(logins) >= 3, logins
        assert {status for status, _ in logins} == {302}, logins
        # Before, a sign-in waited for the whole SMTP conversation, then failed (500) after
        # SQLite's 5 s busy timeout; now it waits for no message (0.4 s each) at all.
        assert max(took for _, took in logins) < 1.5, logins
        assert max(writes) < 0.4, writes
        # Both senders worked, side by side; each email went out once.
        assert len(results) == 2 and all(r["sent"] > 0 for r in results), results
        assert sum(r["sent"] for r in results) == 16
        assert len(inbox.messages) == 16
        assert len(set(inbox.message_ids())) == 16
        rows = db.session.scalars(select(OutboxEmail).where(OutboxEmail.id.in_(ids))).all()
        assert {(r.status, r.attempts, r.resends) for r in rows} == {(EmailStatus.SENT, 1, 0)}
        db.session.remove()


@pytest.mark.no_db
def test_a_sender_killed_mid_send_leaves_one_duplicate_recorded_and_shown(server):
    inbox, port = server
    lease = 2.0
    config = dict(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_LEASE_SECONDS=lease)
    with migrated_app("outbox-kill", **config) as app:
        app.test_client_class = IsolatedClient
        first, *others = _queue(3)
        admin_id = factories.UserFactory(role=Role.ADMIN).id
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()

        # The mail server takes the first message in, then stalls before answering; the sender
        # is killed while it waits.
        inbox.hold = threading.Event()
        process = subprocess.Popen(
            [sys.executable, "-c", SENDER, url, str(port), str(lease)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert inbox.arrived.wait(60), process.communicate(timeout=5)
            # The attempt and the send under way were committed before the conversation.
            row = db.session.get(OutboxEmail, first)
            assert (row.status, row.attempts) == (EmailStatus.SENDING, 1)
            assert row.started_at is not None
            db.session.remove()
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == -signal.SIGKILL
        hold, inbox.hold = inbox.hold, None
        hold.set()
        assert len(inbox.messages) == 1

        # Within the lease another sender leaves the batch alone ...
        assert notifications.send_outbox(db.session, db.session.commit) == {}
        # ... and after it, takes the batch over: the first email again, the others once.
        time.sleep(lease + 0.2)
        assert notifications.send_outbox(db.session, db.session.commit) == {"sent": 3}

        db.session.expire_all()
        rows = {r.id: r for r in db.session.scalars(select(OutboxEmail))}
        received = Counter(inbox.message_ids())
        assert received == {
            rows[first].message_id: 2,
            **{rows[i].message_id: 1 for i in others},
        }
        assert (rows[first].status, rows[first].attempts, rows[first].resends) == (
            EmailStatus.SENT,
            2,
            1,
        )
        assert "Possibly sent twice" in rows[first].last_error
        for i in others:
            assert (rows[i].status, rows[i].attempts, rows[i].resends) == (EmailStatus.SENT, 1, 0)
        db.session.remove()

        # The admins see it: on the reminders page's problems table, and on the email's page.
        client = app.test_client()
        login_as(client, db.session.get(User, admin_id))
        db.session.commit()  # the sign-in session, on this test's database of its own
        db.session.remove()
        page = client.get("/admin/reminders").get_data(as_text=True)
        assert "Possibly sent twice" in page and f"/admin/reminders/emails/{first}" in page
        assert all(f'/admin/reminders/emails/{i}"' not in page for i in others)
        detail = client.get(f"/admin/reminders/emails/{first}").get_data(as_text=True)
        assert rows[first].message_id.strip("<>") in detail and "resends: 1" in detail
