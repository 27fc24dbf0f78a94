"""The outbox's delivery records and SMTP conversations, against a real SMTP server on loopback
(aiosmtpd): one conversation per batch, a stable Message-ID, attempts counted when a send starts,
a takeover after a lost lease recorded as a possible resend, and a conversation lost mid-batch
giving the rest back rather than failing it."""

from __future__ import annotations

import asyncio
import ssl
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import EmailStatus, OutboxEmail, utcnow
from fundtracker.services import notifications
from tests import factories
from tests.conftest import free_port


class Inbox:
    """An aiosmtpd handler that keeps each message with the connection (client address and
    port) it came on. `delay`: seconds each message takes; `hold`: an event each message waits for
    after it has arrived and before it is answered (a server, or a network, that stalls);
    `refuse`: recipients answered 550; `hang_up_after`: answer the n-th message and every later
    one with 421 (the server closes the conversation)."""

    def __init__(self, delay: float = 0.0):
        self.messages: list = []
        self.peers: list = []
        self.delay = delay
        self.hold: threading.Event | None = None
        self.arrived = threading.Event()
        self.refuse: set[str] = set()
        self.hang_up_after: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.hang_up_after is not None and len(self.messages) >= self.hang_up_after:
            return "421 4.3.2 Closing the conversation"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.peers.append(session.peer)
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        hold = self.hold
        if hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, hold.wait, 60)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]

    def conversations(self) -> int:
        return len(set(self.peers))


@pytest.fixture
def inbox(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


def _queue(count: int, **user) -> list[OutboxEmail]:
    emails = []
    for n in range(count):
        person = factories.UserFactory(**user)
        emails.append(
            notifications.queue_email(db.session, person, f"Subject {n}", f"Text {n}", "<p>Hi</p>")
        )
    db.session.commit()
    return emails


def _send() -> dict:
    return dict(notifications.send_outbox(db.session, db.session.commit))


def _rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_a_batch_goes_over_one_conversation_with_each_emails_own_message_id(inbox, app):
    emails = _queue(5)
    ids = [e.message_id for e in emails]
    assert all(ids) and len(set(ids)) == 5  # made when queued

    assert _send() == {"sent": 5}
    assert inbox.conversations() == 1
    assert inbox.message_ids() == ids
    for row in _rows():
        assert (row.status, row.attempts, row.resends) == (EmailStatus.SENT, 1, 0)
        assert row.started_at is None and row.claim_token is None


def test_batches_are_as_large_as_configured_each_over_a_conversation(inbox, app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", 2)
    _queue(5)
    assert _send() == {"sent": 5}
    assert inbox.conversations() == 3


def test_a_refused_recipient_fails_alone_and_the_conversation_goes_on(inbox, app):
    emails = _queue(3)
    inbox.refuse.add(emails[1].to_address)
    assert _send() == {"sent": 2, "failed": 1}
    assert inbox.conversations() == 1
    first, refused, last = _rows()
    assert first.status == last.status == EmailStatus.SENT
    assert (refused.status, refused.attempts) == (EmailStatus.PENDING, 1)
    assert "No such mailbox" in refused.last_error


def test_a_conversation_lost_mid_batch_gives_the_rest_back_for_the_next_run(inbox, app):
    _queue(5)
    inbox.hang_up_after = 2
    now = utcnow()
    # Two went through before the server hung up: the third failed, the other two were given
    # back. The next batch (those two) opened a new conversation, which the server hung up at
    # once: its first failed, the last was given back again, and the run stopped there.
    assert _send() == {"sent": 2, "failed": 2, "put_back": 3}
    rows = _rows()
    assert [r.status for r in rows] == [EmailStatus.SENT] * 2 + [EmailStatus.PENDING] * 3
    assert [r.attempts for r in rows] == [1, 1, 1, 1, 0]
    assert all(r.next_attempt_at <= now for r in rows[4:])  # put back: due as before
    assert all(r.next_attempt_at > now for r in rows[2:4])  # failed: after the backoff

    inbox.hang_up_after = None
    assert _send() == {"sent": 1}
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert _send() == {"sent": 2}
    assert sorted(inbox.message_ids()) == sorted(r.message_id for r in _rows())


def test_a_mail_server_that_is_down_costs_one_attempt_per_run(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens
    _queue(3)
    assert _send() == {"failed": 1, "put_back": 2}
    rows = _rows()
    assert [(r.status, r.attempts) for r in rows] == [(EmailStatus.PENDING, 1)] + [
        (EmailStatus.PENDING, 0)
    ] * 2
    assert "Connection refused" in rows[0].last_error or "ConnectionRefused" in rows[0].last_error


def test_a_retry_keeps_the_message_id(inbox, app):
    (email,) = _queue(1)
    inbox.refuse.add(email.to_address)
    assert _send() == {"failed": 1}
    inbox.refuse.clear()
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert _send() == {"sent": 1}
    (row,) = _rows()
    assert inbox.message_ids() == [row.message_id]
    assert (row.attempts, row.resends) == (2, 0)


def test_a_conversation_broken_after_the_message_was_handed_over_counts_the_resend(
    inbox, app, monkeypatch
):
    """The server took the message but its answer never came (the client timed out): the
    outcome is unknown, so the retry is a possible duplicate, and recorded as one."""
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 1)  # SMTP timeout: 0.5 s
    (email,) = _queue(1)
    inbox.delay = 1.5
    assert _send() == {"failed": 1}
    (row,) = _rows()
    assert (row.status, row.attempts, row.resends) == (EmailStatus.PENDING, 1, 0)
    assert row.started_at is not None  # the send's outcome is unknown
    inbox.delay = 0
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert _send() == {"sent": 1}
    (row,) = _rows()
    assert (row.status, row.attempts, row.resends) == (EmailStatus.SENT, 2, 1)
    assert "Possibly sent twice" in row.last_error
    assert inbox.message_ids() == [email.message_id] * 2


def test_a_send_cut_short_is_taken_over_after_the_lease_and_recorded_as_a_resend(inbox, app):
    emails = _queue(2)
    # A sender claims both and starts the first, then dies before recording anything.
    claimed = notifications.claim_emails(db.session, utcnow())
    db.session.commit()
    assert notifications.start_sending(db.session, claimed[0], utcnow())
    db.session.commit()

    assert _send() == {}  # within the lease: left alone
    with time_machine.travel(utcnow() + notifications.lease() + timedelta(seconds=1), tick=False):
        assert _send() == {"sent": 2}
    first, second = _rows()
    assert (first.status, first.attempts, first.resends) == (EmailStatus.SENT, 2, 1)
    assert "Possibly sent twice" in first.last_error
    # The second was claimed but never started: no copy of it can have gone out before.
    assert (second.status, second.attempts, second.resends) == (EmailStatus.SENT, 1, 0)
    assert inbox.message_ids() == [e.message_id for e in emails]
    assert first in notifications.problems(db.session) and second not in notifications.problems(
        db.session
    )

    # The first sender, back to life, finds the email is no longer its own.
    assert not notifications.record_sent(db.session, claimed[0], utcnow())
    assert not notifications.start_sending(db.session, claimed[1], utcnow())


def test_starting_a_send_renews_the_whole_batchs_lease(inbox, app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 60)
    _queue(3)
    start = utcnow()
    claimed = notifications.claim_emails(db.session, start)
    db.session.commit()
    later = start + timedelta(seconds=50)
    assert notifications.start_sending(db.session, claimed[0], later)
    db.session.commit()
    # 70 s after the claim, 20 s after the sender last showed it is alive: nothing to take over.
    assert notifications.claim_emails(db.session, start + timedelta(seconds=70)) == []
    assert len(notifications.claim_emails(db.session, later + timedelta(seconds=61))) == 3


def test_stuck_and_resent_emails_are_problems_and_stuck_ones_may_be_sent_again(app):
    (email,) = _queue(1)
    claimed = notifications.claim_emails(db.session, utcnow())
    notifications.start_sending(db.session, claimed[0], utcnow())
    db.session.commit()
    db.session.refresh(email)
    now = utcnow()
    assert not notifications.is_stuck(email, now)
    assert notifications.problems(db.session, now=now) == []
    later = now + notifications.lease() + timedelta(seconds=1)
    assert notifications.is_stuck(email, later)
    assert notifications.problems(db.session, now=later) == [email]

    with pytest.raises(notifications.DomainError):
        notifications.retry(db.session, email, now)  # being sent: left alone
    notifications.retry(db.session, email, later)
    assert (email.status, email.claim_token) == (EmailStatus.PENDING, None)
    assert email.started_at is not None  # the next send will count as a possible resend


def test_send_again_for_many_leaves_sent_ones_alone(app):
    emails = _queue(3)
    for email in emails[:2]:
        email.status = EmailStatus.FAILED
        email.attempts = notifications.MAX_ATTEMPTS
    emails[2].status = EmailStatus.SENT
    db.session.flush()
    assert notifications.failed_for_good(db.session) == emails[:2]
    assert notifications.send_again(db.session, emails, utcnow()) == (2, 1)
    assert [e.status for e in emails] == [EmailStatus.PENDING] * 2 + [EmailStatus.SENT]
    assert [e.attempts for e in emails[:2]] == [0, 0]


def test_one_ssl_context_per_batch_and_none_without_tls(app, tmp_path, monkeypatch):
    """STARTTLS (required by the server) with a certificate made for the test: the batch's one
    conversation is encrypted with one SSL context; with TLS off none is made at all."""
    from bench.outbox_send import self_signed

    made = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(1) or real())
    cert, key = self_signed(tmp_path)
    server_context = real(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
    )
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
        monkeypatch.setitem(app.config, "MAIL_CA_FILE", str(cert))
        _queue(3)
        assert _send() == {"sent": 3}
        assert (inbox.conversations(), len(made)) == (1, 1)

        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        _queue(3)
        assert _send() == {"failed": 1, "put_back": 2}  # the server insists on STARTTLS
        assert len(made) == 1
    finally:
        controller.stop()
