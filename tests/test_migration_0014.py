"""Migration 0014: every account that exists counts as confirmed, every earlier login attempt as
a guess that was looked at; going down drops the columns and the table and keeps every row of
the users and of what refers to them."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import Notification, User
from tests import factories
from tests.dbutil import fresh_database


@pytest.fixture
def app_at_0013():
    with fresh_database("migration14") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0013")
            yield app
            db.session.remove()
            db.engine.dispose()


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


@pytest.mark.no_db
def test_existing_accounts_are_confirmed_and_down_keeps_every_row(app_at_0013):
    with db.engine.begin() as conn:
        org_id = conn.execute(
            text(
                "INSERT INTO organisations (name, bin, region_id, address, contact_name,"
                " contact_email, contact_phone, created_at, updated_at)"
                " SELECT 'Old', '000000000001', id, '', '', '', '', :t, :t FROM regions LIMIT 1"
                " RETURNING id"
            ),
            {"t": "2026-01-01 00:00:00"},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO users (email, name, locale, role, organisation_id, active,"
                " session_token, email_delivery, created_at, updated_at)"
                " VALUES ('old@example.kz', 'Old', 'kk', 'grantee', :org, true, 'tok', "
                " 'immediate', :t, :t)"
            ),
            {"org": org_id, "t": "2026-01-01 00:00:00"},
        )
        user_id = conn.execute(text("SELECT id FROM users")).scalar_one()
        # A row that cascades from the user: a migration that copies `users` and drops the old
        # table (SQLite's batch mode) would delete it with foreign keys on.
        conn.execute(
            text(
                "INSERT INTO notifications (user_id, subject, body, url, created_at,"
                " digest_pending) VALUES (:user, 'Old', '', '', :t, false)"
            ),
            {"user": user_id, "t": "2026-01-01 00:00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO login_attempts (email, address, succeeded, created_at)"
                " VALUES ('old@example.kz', '10.0.0.1', false, :t)"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
    upgrade()
    user = db.session.scalars(select(User)).one()
    assert user.email_confirmed is True
    assert db.session.scalars(select(Notification.subject)).all() == ["Old"]
    throttled = db.session.execute(text("SELECT throttled FROM login_attempts")).scalar_one()
    assert not throttled
    assert "account_mail_requests" in inspect(db.session.connection()).get_table_names()

    # A user of after the migration, with rows that refer to it (one cascading).
    newer = factories.UserFactory(email="new@example.kz", email_confirmed=False)
    db.session.add(Notification(user=newer, subject="Hello", body="", url=""))
    db.session.commit()
    db.session.remove()

    downgrade(revision="0013")
    assert "email_confirmed" not in _columns("users")
    assert "throttled" not in _columns("login_attempts")
    assert "account_mail_requests" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        emails = set(conn.execute(text("SELECT email FROM users")).scalars())
        notifications = conn.execute(text("SELECT count(*) FROM notifications")).scalar_one()
    assert emails == {"old@example.kz", "new@example.kz"}
    assert notifications == 2

    upgrade()  # and up again: what was unconfirmed counts as confirmed, as every old account
    assert db.session.scalar(select(User).where(User.email == "new@example.kz")).email_confirmed
