"""The daily job forgets sign-in sessions over for long, and keeps the others."""

from datetime import timedelta

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import UserSession, utcnow
from fundtracker.scheduler import DAILY_JOBS
from fundtracker.scheduler.jobs import sessions_job
from fundtracker.services import sessions
from tests import factories


def test_the_daily_job_forgets_long_ended_sessions(app):
    assert sessions_job in DAILY_JOBS
    user = factories.UserFactory()
    long_ago = utcnow() - sessions.KEPT_AFTER_END - timedelta(days=1)
    old, _ = sessions.start(
        db.session, user, address="", user_agent="", remember=False, now=long_ago
    )
    sessions.end_one(db.session, user, old, now=long_ago)
    kept, _ = sessions.start(db.session, user, address="", user_agent="", remember=False)
    db.session.commit()

    assert sessions_job(app) == 1
    db.session.expire_all()
    assert list(db.session.scalars(select(UserSession.id))) == [kept.id]
    assert sessions_job(app) == 0  # safe to run again
