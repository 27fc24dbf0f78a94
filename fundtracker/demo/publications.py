"""Demo publications: the outcome figures of every period that has ended and whose results are
all verified are published when the demo is seeded, oldest first, as the demo's officer, so that
a board member sees figures at once. Board members and officers are told of the latest one only.

Idempotent: a period published already is left as it is. Only adds and flushes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.demo.organisations import DEMO_DOMAIN
from fundtracker.models import Publication, User
from fundtracker.services import notifier, publications
from fundtracker.services.errors import DomainError
from fundtracker.services.publications.publish import PUBLISHED_EVENT, oldest_first, readiness


def seed_publications(session: Session, today: date) -> list[str]:
    """Publish the demo's ready periods; returns the keys of the periods published."""
    officer = session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    done: list[Publication] = []
    for row in oldest_first(readiness(session, today)):
        if row.publication is not None or publications.problems(session, row.period, today):
            continue
        try:
            with session.begin_nested():  # one that cannot be protected alone is left out
                done += publications.publish(session, officer, row.period.key, today, tell=False)
        except DomainError:
            continue
    if done:
        latest = max(done, key=lambda p: (p.period_end, p.period_end - p.period_start))
        notifier.announce(session, officer, PUBLISHED_EVENT, latest, email=False)
    session.flush()
    return [p.period for p in done]
