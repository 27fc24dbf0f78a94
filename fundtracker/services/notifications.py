"""Telling people about things: an in-app notification, and an email now or in a daily digest,
as each recipient chose. The reminders work implements it; other services call `notify`.

Emails are never sent inside the caller's transaction: `notify` writes an outbox row, and the
scheduler's outbox job (`send_outbox`) claims due rows in batches under a lease (FOR UPDATE SKIP
LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises the claim), sends each batch over one
SMTP conversation with no transaction open, and retries failures with backoff.

Delivery guarantee: in-app notifications (and reminders) are written once, in the caller's
transaction; an email goes out at least once, and twice only when a sender dies (or loses its
lease) between starting an SMTP conversation and recording its outcome. Such a resend carries the
same Message-ID and is counted in the row's `resends`, which the admins' reminders page shows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select, union_all, update
from sqlalchemy.orm import Session, selectinload

from fundtracker.core import mail, observability
from fundtracker.core.time import FUND_TZ
from fundtracker.models import (
    EmailDelivery,
    EmailStatus,
    Notification,
    OutboxEmail,
    User,
    utcnow,
)
from fundtracker.services.errors import DomainError
from fundtracker.services.messages import text_of
from fundtracker.services.search import contains_folded

log = logging.getLogger(__name__)

# An email whose sender has not said it is alive for this long (app setting OUTBOX_LEASE_SECONDS)
# belonged to a process that died: another takes it over. The sender renews its batch's lease
# before each email, so a batch may take longer than the lease; one SMTP conversation may not.
LEASE_SECONDS = 600
# Emails claimed at once (app setting OUTBOX_BATCH_SIZE), sent over one SMTP conversation.
BATCH_SIZE = 50
# Seconds an SMTP operation may take; never more than half the lease.
SMTP_TIMEOUT = 30
# Waits before the 2nd, 3rd ... attempt; after the last, the email is marked failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
SUBJECT_MAX = 300


def app_path(endpoint: str, **values) -> str:
    """The path of a route, also outside a request (the scheduler has none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def external_link(path: str) -> str:
    if not path:
        return ""
    return current_app.config["EXTERNAL_URL"].rstrip("/") + path


def _settings_link() -> str:
    return external_link(app_path("notifications.settings"))


def render_email(recipient: User, template: str, subject: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) of `email/<template>` in the recipient's language. Rendered by the
    Jinja environment itself: the scheduler has no request for the page context processors."""
    env = current_app.jinja_env
    with force_locale(recipient.locale):
        context.update(user=recipient, subject=str(subject), settings_link=_settings_link())
        return (
            str(subject)[:SUBJECT_MAX],
            env.get_template(f"email/{template}.txt").render(context),
            env.get_template(f"email/{template}.html").render(context),
        )


def queue_email(
    session: Session, recipient: User, subject: str, text: str, html: str
) -> OutboxEmail:
    email = OutboxEmail(
        recipient=recipient,
        to_address=recipient.email,
        subject=subject,
        body_text=text,
        body_html=html,
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        message_id=mail.new_message_id(),
        request_id=observability.current_request_id(),
    )
    session.add(email)
    return email


def notify(
    session: Session,
    recipient: User,
    *,
    subject: str,
    body: str,
    url: str,
    email: bool = True,
) -> Notification | None:
    """Tell `recipient`. The caller renders `subject` and `body` in the recipient's language
    (flask_babel.force_locale(recipient.locale)); `url` is a path inside the app. Flushes,
    never commits; the email goes out after the caller's transaction commits. `email=False`
    keeps it to the in-app list. Deactivated accounts are told nothing."""
    if not recipient.active:
        return None
    daily = recipient.email_delivery == EmailDelivery.DAILY
    notification = Notification(
        user=recipient,
        subject=str(subject)[:SUBJECT_MAX],
        body=str(body),
        url=url or "",
        digest_pending=email and daily,
    )
    session.add(notification)
    if email and not daily:
        queue_email(
            session,
            recipient,
            *render_email(
                recipient, "notification", subject, body=str(body), link=external_link(url)
            ),
        )
    session.flush()
    return notification


# In-app notifications ----------------------------------------------------------------------------


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


@dataclass
class NotificationFilter:
    """What a user's list of notifications is narrowed to."""

    q: str = ""
    unread: bool = False


def list_query(user: User, flt: NotificationFilter | None = None) -> Select:
    """`user`'s notifications that match `flt`, the latest first: a select for `db.paginate`.
    The text is looked for in the subject and body as they were written (in the reader's
    language at the time), case-insensitively, Cyrillic included."""
    flt = flt or NotificationFilter()
    query = (
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
    )
    if flt.unread:
        query = query.where(Notification.read_at.is_(None))
    text = flt.q.strip()
    if text:
        query = query.where(
            or_(
                contains_folded(Notification.subject, text),
                contains_folded(Notification.body, text),
            )
        )
    return query


def by_ids(session: Session, ids: Iterable[int]) -> list[Notification]:
    """The notifications with these ids, whoever's they are (the caller checks each)."""
    ids = list(ids)
    if not ids:
        return []
    return list(session.scalars(select(Notification).where(Notification.id.in_(ids))))


def mark_read(session: Session, user: User, notification: Notification) -> None:
    if notification.user_id != user.id:
        raise DomainError(_l("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = utcnow()
    session.flush()


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def mark_many_read(session: Session, user: User, chosen: Iterable[Notification]) -> int:
    """Mark `user`'s own notifications among `chosen` as read; another user's are left as
    they are. Returns how many were unread and are read now."""
    now, marked = utcnow(), 0
    for notification in chosen:
        if notification.user_id == user.id and notification.read_at is None:
            notification.read_at = now
            marked += 1
    session.flush()
    return marked


def set_email_delivery(session: Session, user: User, choice: str) -> None:
    if choice not in EmailDelivery._value2member_map_:
        raise DomainError(_l("Choose immediate emails or a daily digest."), "email_delivery")
    user.email_delivery = choice
    session.flush()


# Daily digest ------------------------------------------------------------------------------------


def digest_moment(now: datetime) -> datetime:
    """The latest daily-digest time (DIGEST_SEND_TIME in Asia/Almaty) at or before `now`."""
    tz = FUND_TZ
    hours, minutes = (
        int(x) for x in current_app.config.get("DIGEST_SEND_TIME", "09:00").split(":")
    )
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(hours, minutes), tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=1)
    return moment.astimezone(UTC)


def collect_digests(session: Session, now: datetime) -> int:
    """Put each user's notifications waiting for the digest (those from before today's digest
    time) into one email. Run at any time: the same notifications never go into two digests."""
    moment = digest_moment(now)
    waiting = session.scalars(
        select(Notification)
        .where(Notification.digest_pending.is_(True), Notification.created_at <= moment)
        .options(selectinload(Notification.user))
        .order_by(Notification.user_id, Notification.id)
        .with_for_update(skip_locked=True)
    ).all()
    by_user: dict[int, list[Notification]] = {}
    for notification in waiting:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        for item in items:
            item.digest_pending = False
        if not user.active:
            continue
        with force_locale(user.locale):
            subject = str(_l("FundTracker: your daily digest (%(count)d)", count=len(items)))
        entries = [(*text_of(n, user.locale), external_link(n.url)) for n in items]
        queue_email(session, user, *render_email(user, "digest", subject, entries=entries))
        sent += 1
    session.flush()
    return sent


# Outbox ------------------------------------------------------------------------------------------


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS)))


@dataclass(frozen=True)
class Outgoing:
    """What sending one claimed email needs, as plain values read in the claim's transaction: after
    the claim commits, nothing touches the database until the outcome is recorded (an ORM object
    would load its expired attributes again, and on SQLite take the write lock, during the SMTP
    conversation). `token` is the claim's: every later step checks the email is still this
    sender's."""

    id: int
    token: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    # The request (or scheduler run) that queued it: the sender's log lines carry its id.
    request_id: str | None = None


def _due(now: datetime):
    return or_(
        and_(OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.next_attempt_at <= now),
        _stuck(now),
    )


def _stuck(now: datetime):
    return and_(OutboxEmail.status == EmailStatus.SENDING, OutboxEmail.claimed_at <= now - lease())


def is_stuck(email: OutboxEmail, now: datetime) -> bool:
    """Left "sending" past its lease: its sender stopped (the next run takes it over)."""
    return (
        email.status == EmailStatus.SENDING
        and email.claimed_at is not None
        and email.claimed_at <= now - lease()
    )


def claim_emails(
    session: Session, now: datetime, limit: int = BATCH_SIZE, token: str | None = None
) -> list[Outgoing]:
    """Claim up to `limit` due emails for this sender: pending ones whose time has come, and those
    whose sender's lease ran out. The caller commits the claim before sending, so another process
    skips them. Flushes."""
    token = token or uuid4().hex
    rows = session.scalars(
        select(OutboxEmail)
        .where(_due(now))
        .order_by(OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for email in rows:
        if email.status == EmailStatus.SENDING:
            log.warning("email %s: its sender's lease ran out, taking it over", email.id)
        email.status = EmailStatus.SENDING
        email.claimed_at = now
        email.claim_token = token
        if not email.message_id:  # queued before Message-IDs were stored
            email.message_id = mail.new_message_id()
    session.flush()
    return [
        Outgoing(
            e.id,
            token,
            e.to_address,
            e.subject,
            e.body_text,
            e.body_html or "",
            e.message_id,
            e.request_id,
        )
        for e in rows
    ]


def _held(session: Session, email: Outgoing) -> OutboxEmail | None:
    """The row, if this sender still holds it."""
    return session.scalar(
        select(OutboxEmail)
        .where(
            OutboxEmail.id == email.id,
            OutboxEmail.claim_token == email.token,
            OutboxEmail.status == EmailStatus.SENDING,
        )
        .with_for_update()
    )


def start_sending(session: Session, email: Outgoing, now: datetime) -> bool:
    """Record that the SMTP conversation for `email` starts now: one more attempt, and the lease
    of the sender's whole batch renewed. The caller commits before it talks to SMTP. When an
    earlier send's outcome is unknown (its sender died mid-send, or the conversation broke after
    the message was handed over), this one may be a duplicate: it is counted in `resends` and
    noted. False when the email is no longer this sender's (its lease ran out and another sender
    took it). Flushes."""
    row = _held(session, email)
    if row is None:
        return False
    if row.started_at is not None:
        row.resends += 1
        row.last_error = (
            f"Possibly sent twice: the send started at {row.started_at:%Y-%m-%d %H:%M:%S} UTC "
            "has no known outcome (its sender stopped, or the conversation broke before the "
            "server answered); sent again with the same Message-ID."
        )
        log.warning("email %s: sent again after a sender stopped mid-send", email.id)
    row.attempts += 1
    row.started_at = now
    session.flush()
    session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.claim_token == email.token, OutboxEmail.status == EmailStatus.SENDING)
        .values(claimed_at=now)
    )
    return True


def deliver(email: Outgoing, connection: mail.Connection | None = None) -> None:
    """Send one claimed email over `connection`, or a conversation of its own (raises on
    failure). Touches no database."""
    msg = mail.build_message(
        email.to_address, email.subject, email.body_text, email.body_html, email.message_id
    )
    if connection is None:
        mail.send(msg)
    else:
        connection.send(msg)


def _finish(row: OutboxEmail, outcome_known: bool = True) -> None:
    if row.started_at is None:  # a caller that sent without start_sending: count it now
        row.attempts += 1
    if outcome_known:
        row.started_at = None
    row.claim_token = None


def record_sent(session: Session, email: Outgoing, now: datetime) -> bool:
    """False when another sender took the email over meanwhile (its record stands). Flushes."""
    row = _held(session, email)
    if row is None:
        return False
    _finish(row)
    row.status = EmailStatus.SENT
    row.sent_at = now
    if not row.resends:
        row.last_error = ""
    session.flush()
    return True


def record_failure(
    session: Session, email: Outgoing, now: datetime, error: str, maybe_delivered: bool = False
) -> bool:
    """Wait for the next retry, or fail for good after MAX_ATTEMPTS. `maybe_delivered`: the
    conversation broke after the message was handed over, so the server may have taken it; the
    send stays "started", and the next one counts as a possible resend. Flushes."""
    row = _held(session, email)
    if row is None:
        return False
    _finish(row, outcome_known=not maybe_delivered)
    row.last_error = error[:2000]
    row.claimed_at = None
    if row.attempts >= MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
    else:
        row.status = EmailStatus.PENDING
        row.next_attempt_at = now + BACKOFF[row.attempts - 1]
    session.flush()
    return True


def release(session: Session, emails: Iterable[Outgoing]) -> int:
    """Give back claimed emails whose sending has not started: pending again, due as before, no
    attempt counted. Flushes."""
    emails = list(emails)
    if not emails:
        return 0
    result = session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id.in_([e.id for e in emails]),
            OutboxEmail.claim_token == emails[0].token,
            OutboxEmail.status == EmailStatus.SENDING,
        )
        .values(status=EmailStatus.PENDING, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def send_outbox(session: Session, commit: Callable[[], None]) -> Counter:
    """The outbox job: claim a batch (commit), send it over one SMTP conversation, each email's
    start and outcome recorded in short transactions of their own (`commit` after each, so no
    transaction, nor SQLite's write lock, is held while SMTP talks); until nothing is due.

    A conversation lost mid-batch (the server hung up, the network failed) fails the email being
    sent (it is retried with backoff) and gives the rest of the batch back, pending as before; when
    no email of the batch got through, the server is taken to be down and the run stops. Returns
    counts: sent, failed, put_back (given back unsent), lost (taken over by another sender)."""
    counts: Counter = Counter()
    limit = int(current_app.config.get("OUTBOX_BATCH_SIZE", BATCH_SIZE))
    timeout = min(SMTP_TIMEOUT, lease().total_seconds() / 2)
    while True:
        unstarted = claim_emails(session, utcnow(), limit)
        commit()
        if not unstarted:
            return counts
        try:
            with mail.Connection(timeout=timeout) as connection:
                went_on = _send_batch(session, commit, connection, unstarted, counts)
        except BaseException:  # the database's error, or the process told to stop
            session.rollback()
            _give_back_quietly(session, commit, unstarted)
            raise
        if not went_on:
            return counts


def _send_batch(
    session: Session,
    commit: Callable[[], None],
    connection: mail.Connection,
    unstarted: list[Outgoing],
    counts: Counter,
) -> bool:
    """Send the claimed emails in order, taking each out of `unstarted` once its start is
    committed. False when the conversation was lost before any email got through."""
    delivered = False
    while unstarted:
        email = unstarted[0]
        started = start_sending(session, email, utcnow())
        commit()
        unstarted.pop(0)
        if not started:
            counts["lost"] += 1
            continue
        try:
            with observability.carrying(email.request_id):
                deliver(email, connection)
                log.info("email %s sent to %s", email.id, email.to_address)
        except Exception as error:  # SMTP, network, refused address
            with observability.carrying(email.request_id):
                log.warning("email %s to %s failed: %s", email.id, email.to_address, error)
            record_failure(session, email, utcnow(), repr(error), connection.maybe_delivered)
            counts["failed"] += 1
            if connection.lost:
                if given_back := release(session, unstarted):
                    counts["put_back"] += given_back
                unstarted.clear()
                commit()
                return delivered
        else:
            record_sent(session, email, utcnow())
            counts["sent"] += 1
            delivered = True
        commit()
    return True


def _give_back_quietly(
    session: Session, commit: Callable[[], None], unstarted: list[Outgoing]
) -> None:
    """After an error (the database's, most likely), give back what was not started rather than
    leave it to the lease; if that fails too, the lease will."""
    try:
        release(session, unstarted)
        commit()
    except Exception:
        session.rollback()
        log.exception("could not give back %d claimed emails", len(unstarted))


RETRYABLE = (EmailStatus.FAILED, EmailStatus.PENDING)


def retry(session: Session, email: OutboxEmail, now: datetime) -> None:
    """An admin sends a failed (or waiting) email again at the next run, with a fresh set of
    retries. One being sent right now is left alone (setting it back to pending would send it
    twice); one left "sending" past its lease by a sender that stopped may be sent again (if that
    sender had started its SMTP conversation, the next send is recorded as a possible resend).
    Flushes."""
    if email.status == EmailStatus.SENT:
        raise DomainError(_l("This email has been sent already."))
    if email.status not in RETRYABLE and not is_stuck(email, now):
        raise DomainError(_l("This email is being sent now."))
    email.status = EmailStatus.PENDING
    email.next_attempt_at = now
    email.attempts = 0
    email.claim_token = None
    email.claimed_at = None
    session.flush()


def send_again(session: Session, emails: Iterable[OutboxEmail], now: datetime) -> tuple[int, int]:
    """`retry` for many emails at once: (queued again, left alone because sent or being sent).
    The caller checks each email is the user's to send. Flushes."""
    queued = refused = 0
    for email in emails:
        try:
            retry(session, email, now)
        except DomainError:
            refused += 1
        else:
            queued += 1
    return queued, refused


def emails_by_id(session: Session, ids: Iterable[int]) -> list[OutboxEmail]:
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.id.in_(list(ids)))))


def failed_count(session: Session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.FAILED)
    )


def failed_for_good(session: Session) -> list[OutboxEmail]:
    """Every email that failed for good (after an outage longer than the retries, all of them)."""
    return list(
        session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.status == EmailStatus.FAILED)
            .order_by(OutboxEmail.id)
        )
    )


def problems(
    session: Session, limit: int = 50, offset: int = 0, now: datetime | None = None
) -> list[OutboxEmail]:
    """What admins should see, latest first (`limit` of them after the first `offset`): emails
    that failed for good, wait for a retry after a failure, are left "sending" past their lease
    by a sender that stopped, or were sent again after one stopped mid-send (possibly twice)."""
    now = now or utcnow()
    # One indexed look per kind (an OR of them all reads the whole table on SQLite).
    ids = union_all(
        select(OutboxEmail.id).where(OutboxEmail.status == EmailStatus.FAILED),
        select(OutboxEmail.id).where(
            OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.attempts > 0
        ),
        select(OutboxEmail.id).where(_stuck(now)),
        select(OutboxEmail.id).where(OutboxEmail.resends > 0),
    )
    return list(
        session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.id.in_(ids))
            .order_by(OutboxEmail.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def pending_count(session: Session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.status.in_([EmailStatus.PENDING, EmailStatus.SENDING]))
    )
