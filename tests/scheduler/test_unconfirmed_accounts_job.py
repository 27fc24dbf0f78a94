"""The daily job removes self-registered accounts left unconfirmed for a week, with the empty
organisations their registrations made, and forgets old failed logins."""

from datetime import timedelta

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import LoginAttempt, Organisation, User, utcnow
from fundtracker.scheduler import DAILY_JOBS
from fundtracker.scheduler.jobs import unconfirmed_accounts_job
from fundtracker.services import accounts
from fundtracker.services import registration as svc
from tests import factories


def _register(n: int, days_ago: int) -> User:
    user = svc.request_registration(
        db.session,
        svc.RegistrationData(
            name=f"Org {n}",
            bin=factories.valid_bin(93_000 + n),
            region_id=factories.region("KZ-75").id,
            contact_name="Contact",
            email=f"contact{n}@example.kz",
            password="a long enough password",
        ),
    )
    user.created_at = utcnow() - timedelta(days=days_ago)
    return user


def test_the_daily_job_removes_week_old_unconfirmed_accounts(app):
    assert unconfirmed_accounts_job in DAILY_JOBS
    stale, fresh = _register(1, days_ago=8), _register(2, days_ago=1)
    stale_org = stale.organisation_id
    accounts.begin_attempt(db.session, "x@example.kz", "10.0.0.1", now=utcnow() - timedelta(days=9))
    db.session.commit()

    assert unconfirmed_accounts_job(app) == (1, 1)
    db.session.expire_all()
    emails = set(db.session.scalars(select(User.email)))
    assert "contact1@example.kz" not in emails and fresh.email in emails
    assert db.session.get(Organisation, stale_org) is None
    assert db.session.scalars(select(LoginAttempt)).all() == []
    assert unconfirmed_accounts_job(app) == (0, 0)  # safe to run again
