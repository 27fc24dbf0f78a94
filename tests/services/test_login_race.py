"""Parallel guesses at one account: no more get their password checked than the limit allows."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from fundtracker.core.extensions import db
from fundtracker.services import accounts
from fundtracker.services.errors import InvalidCredentials, LoginThrottled
from tests import factories
from tests.dbutil import migrated_app

LIMITS = accounts.LoginLimits(window=timedelta(minutes=15), per_account=5, per_address=1000)


@pytest.mark.no_db
def test_parallel_wrong_guesses_are_limited():
    with migrated_app("login-race"):
        factories.UserFactory(email="target@example.kz")
        db.session.commit()
        db.session.remove()
        engine = db.engine

        def guess(i: int) -> str:
            # One worker's request: its own connection and transaction, as in the view.
            with Session(engine) as session:
                attempt = accounts.begin_attempt(session, "target@example.kz", f"10.1.0.{i}")
                session.commit()
                try:
                    accounts.authenticate(session, attempt, "wrong guess", LIMITS)
                except InvalidCredentials:
                    return "checked"
                except LoginThrottled:
                    return "throttled"
                finally:
                    session.rollback()
            return "signed in"

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(guess, range(30)))
    assert outcomes.count("checked") <= LIMITS.per_account
    assert outcomes.count("throttled") >= 30 - LIMITS.per_account
