"""The jobs: each takes the app, works inside its app context, commits its own transactions."""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import utcnow
from fundtracker.services import notifications, reminders
from fundtracker.services.status import refresh_risk

log = logging.getLogger(__name__)


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
    """Claim due emails (commit), send each, record the outcome (commit per email)."""
    counts: Counter = Counter()
    with app.app_context():
        try:
            while True:
                claimed = notifications.claim_emails(db.session, utcnow())
                db.session.commit()
                if not claimed:
                    break
                for email in claimed:
                    try:
                        notifications.deliver(email)
                    except Exception as error:  # SMTP, network, refused address
                        log.warning("email %s to %s failed: %s", email.id, email.to_address, error)
                        notifications.record_failure(db.session, email, utcnow(), repr(error))
                        counts["failed"] += 1
                    else:
                        notifications.record_sent(db.session, email, utcnow())
                        counts["sent"] += 1
                    db.session.commit()
        finally:
            db.session.remove()
    return counts


def risk_job(app: Flask) -> tuple[int, int]:
    """Flag running projects with overdue milestones or underspending as at risk, and lift the
    flags this check set once the signals are gone (services.status.refresh_risk)."""
    with app.app_context():
        try:
            flagged, lifted = refresh_risk(db.session, today())
            db.session.commit()
        finally:
            db.session.remove()
    if flagged or lifted:
        log.info("risk: %s flagged, %s lifted", flagged, lifted)
    return flagged, lifted
