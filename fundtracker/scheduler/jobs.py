"""The jobs: each takes the app, works inside its app context, commits its own transactions."""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask
from flask_babel import force_locale
from sqlalchemy.orm.exc import StaleDataError

from fundtracker.core import db_events
from fundtracker.core.extensions import db
from fundtracker.core.readiness import beat
from fundtracker.core.time import today
from fundtracker.models import utcnow
from fundtracker.services import (
    accounts,
    notifications,
    publications,
    registration,
    reminders,
    sessions,
)
from fundtracker.services.errors import DomainError
from fundtracker.services.publications.publish import oldest_first, readiness
from fundtracker.services.status import apply_risk_change, risk_changes

log = logging.getLogger(__name__)


def heartbeat_job(app: Flask) -> None:
    """The scheduler is running: /readyz of every app machine reads when it last ran."""
    with app.app_context():
        try:
            beat(db.session)
            db.session.commit()
        finally:
            db.session.remove()


def reminders_job(app: Flask) -> Counter:
    """Send every reminder that is due; one transaction per reminder, so each is claimed and
    notified together or not at all."""
    counts: Counter = Counter()
    with app.app_context():
        try:
            now = utcnow()
            due = reminders.due_occurrences(db.session, now)
            db.session.rollback()  # end the read; each claim is its own transaction
            for occurrence in due:
                try:
                    status = reminders.send(db.session, occurrence, now)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    log.exception("reminder %s failed", occurrence)
                    counts["error"] += 1
                    continue
                counts[status.value if status else "taken"] += 1
        finally:
            db.session.remove()
    if counts:
        log.info("reminders: %s", dict(counts))
    return counts


def digest_job(app: Flask) -> int:
    with app.app_context():
        try:
            queued = notifications.collect_digests(db.session, utcnow())
            db.session.commit()
        finally:
            db.session.remove()
    return queued


def outbox_job(app: Flask) -> Counter:
    """Send the due emails: notifications.send_outbox commits the claim, talks to SMTP with
    no transaction open, and records each start and outcome in a short transaction."""
    with app.app_context():
        try:
            return notifications.send_outbox(db.session, db.session.commit)
        finally:
            db.session.remove()


def unconfirmed_accounts_job(app: Flask) -> tuple[int, int]:
    """Remove self-registered accounts still unconfirmed after UNCONFIRMED_ACCOUNT_DAYS, with
    the organisations their registrations made when nothing else refers to them; and forget
    the login attempts and account-mail requests older than any limit looks back."""
    with app.app_context():
        try:
            now = utcnow()
            removed = registration.remove_unconfirmed(
                db.session, now, app.config["UNCONFIRMED_ACCOUNT_DAYS"]
            )
            accounts.forget_old_requests(db.session, now)
            db.session.commit()
        finally:
            db.session.remove()
    if any(removed):
        log.info("unconfirmed accounts: %s removed, %s organisations with them", *removed)
    return removed


def sessions_job(app: Flask) -> int:
    """Forget the sign-in sessions over (ended, idle or run out) for longer than
    services.sessions.KEPT_AFTER_END. Safe twice: the second run finds nothing."""
    with app.app_context():
        try:
            forgotten = sessions.forget_old(db.session, utcnow())
            db.session.commit()
        finally:
            db.session.remove()
    if forgotten:
        log.info("sign-in sessions: %s old ones forgotten", forgotten)
    return forgotten


def risk_job(app: Flask) -> tuple[int, int]:
    """Flag running projects with overdue milestones or underspending as at risk, and lift the
    flags this check set once the signals are gone (services.status). The projects are read
    without a write lock, then each change is made in a short transaction of its own, checked
    against the project's version: when two schedulers run the check at once, each change is made
    by one of them, and the other leaves it (no StaleDataError, no traceback)."""
    with app.app_context():
        try:
            db_events.only_reading()  # on SQLite a plain BEGIN: the read holds up no writer
            changes = risk_changes(db.session, today())
        finally:
            db.session.remove()
    flagged = lifted = taken = 0
    with app.app_context():
        try:
            for change in changes:
                try:
                    made = apply_risk_change(db.session, change)
                    db.session.commit()
                except StaleDataError:  # another check changed it first, and committed
                    db.session.rollback()
                    made = False
                if made:
                    flagged += change.flag
                    lifted += not change.flag
                else:
                    taken += 1
        finally:
            db.session.remove()
    if flagged or lifted or taken:
        log.info("risk: %s flagged, %s lifted, %s left to another check", flagged, lifted, taken)
    return flagged, lifted


# How long after a period ends the monthly job waits before publishing it, so that results
# reported a little late still go in (app.config["PUBLISH_AFTER_DAYS"] changes it). Officers
# may publish a period as soon as it has ended.
PUBLISH_AFTER_DAYS = 30


def _published_meanwhile(key: str) -> bool:
    """After publishing `key` failed: whether another scheduler running the same job at the same
    time published it first (its publication is unique per period, so this one's insert, or its
    lock of the results, lost the race). Logged as such, not as an error."""
    found = publications.find(db.session, key) is not None
    db.session.rollback()
    if found:
        log.info("publications: %s was published meanwhile by another scheduler", key)
    return found


def publish_job(app: Flask) -> dict:
    """Publish, oldest first, every period of the grid that has ended (at least
    PUBLISH_AFTER_DAYS ago) and is not published yet, once all its results are verified; each
    in its own transaction, as the scheduler (actor None), telling the board and the officers.
    A period that cannot be published is logged with the reason and left for the officers (or
    next month); it never stops the others. Returns {"published": [keys], "skipped": {key:
    reason}}."""
    done: list[str] = []
    skipped: dict[str, str] = {}
    with app.app_context(), force_locale("en"):  # the log's language
        try:
            day = today()
            wait = int(app.config.get("PUBLISH_AFTER_DAYS", PUBLISH_AFTER_DAYS))
            rows = oldest_first(readiness(db.session, day))
            db.session.rollback()  # end the read; each publication is its own transaction
            for row in rows:
                key = row.period.key
                if row.publication is not None or key in done:  # e.g. Q2, with Q1
                    continue
                if (day - row.period.end).days <= wait:
                    skipped[key] = f"it ended less than {wait} days ago"
                    continue
                try:
                    found = publications.problems(db.session, row.period, day)
                    if found:
                        db.session.rollback()
                        if not _published_meanwhile(key):
                            skipped[key] = str(found[0])
                        continue
                    made = publications.publish(db.session, None, key, day)
                    db.session.commit()
                except DomainError as error:
                    db.session.rollback()
                    if _published_meanwhile(key):  # by the other scheduler, after our read
                        continue
                    skipped[key] = str(error.message)
                except Exception as error:  # a bug or the database: the next period still goes
                    db.session.rollback()
                    if _published_meanwhile(key):
                        continue
                    log.exception("publishing %s failed", key)
                    skipped[key] = repr(error)
                else:
                    done += [p.period for p in made]
        finally:
            db.session.remove()
    for key in done:  # e.g. a quarter that could not be protected alone, but with its half-year
        skipped.pop(key, None)
    for key, reason in skipped.items():
        log.info("publications: %s not published: %s", key, reason)
    if done:
        log.info("publications: published %s", ", ".join(done))
    return {"published": done, "skipped": skipped}
