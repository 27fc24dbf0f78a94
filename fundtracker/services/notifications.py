"""Telling people about things: an in-app notification, and an email now or in a daily digest,
as each recipient chose. The reminders work implements it; other services call `notify`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fundtracker.models import User


def notify(session: Session, recipient: User, *, subject: str, body: str, url: str) -> None:
    """Tell `recipient`. The caller renders `subject` and `body` in the recipient's language
    (flask_babel.force_locale(recipient.locale)); `url` is a path inside the app. Flushes,
    never commits; the email goes out after the caller's transaction commits."""
    # Placeholder until the reminders work lands: nothing is stored or sent yet.
    return None
