"""Telling people about things: an in-app notification, and an email now or in a daily digest,
as each recipient chose. The reminders work implements it; other services call `notify`.

Emails are never sent inside the caller's transaction: `notify` writes an outbox row, and the
scheduler's outbox job claims pending rows (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises the claim), sends them, and retries failures with backoff.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from fundtracker.core import mail
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

# An email claimed this long ago and still not sent belonged to a process that died: reclaim it.
CLAIM_LEASE = timedelta(minutes=10)
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


def recent(session: Session, user: User, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


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


def claim_emails(session: Session, now: datetime, limit: int = 50) -> list[OutboxEmail]:
    """Mark up to `limit` due emails as being sent by this process. The caller commits the claim
    before sending, so another process skips them; one left claimed by a process that died is
    reclaimed after CLAIM_LEASE."""
    rows = session.scalars(
        select(OutboxEmail)
        .where(
            or_(
                and_(
                    OutboxEmail.status == EmailStatus.PENDING,
                    OutboxEmail.next_attempt_at <= now,
                ),
                and_(
                    OutboxEmail.status == EmailStatus.SENDING,
                    OutboxEmail.claimed_at <= now - CLAIM_LEASE,
                ),
            )
        )
        .order_by(OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for email in rows:
        email.status = EmailStatus.SENDING
        email.claimed_at = now
    session.flush()
    return list(rows)


def deliver(email: OutboxEmail) -> None:
    """Send one claimed email over SMTP (raises on failure)."""
    mail.send(mail.build_message(email.to_address, email.subject, email.body_text, email.body_html))


def record_sent(session: Session, email: OutboxEmail, now: datetime) -> None:
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.attempts += 1
    email.last_error = ""
    session.flush()


def record_failure(session: Session, email: OutboxEmail, now: datetime, error: str) -> None:
    email.attempts += 1
    email.last_error = error[:2000]
    email.claimed_at = None
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
    else:
        email.status = EmailStatus.PENDING
        email.next_attempt_at = now + BACKOFF[email.attempts - 1]
    session.flush()


RETRYABLE = (EmailStatus.FAILED, EmailStatus.PENDING)


def retry(session: Session, email: OutboxEmail, now: datetime) -> None:
    """An admin sends a failed (or waiting) email again at the next run. One being sent right
    now is left alone: setting it back to pending would send it twice."""
    if email.status == EmailStatus.SENT:
        raise DomainError(_l("This email has been sent already."))
    if email.status not in RETRYABLE:
        raise DomainError(_l("This email is being sent now."))
    email.status = EmailStatus.PENDING
    email.next_attempt_at = now
    email.attempts = 0
    session.flush()


def problems(session: Session, limit: int = 50, offset: int = 0) -> list[OutboxEmail]:
    """Emails that failed for good or are waiting for a retry after a failure, latest first:
    `limit` of them after the first `offset`."""
    return list(
        session.scalars(
            select(OutboxEmail)
            .where(
                or_(
                    OutboxEmail.status == EmailStatus.FAILED,
                    and_(OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.attempts > 0),
                )
            )
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
