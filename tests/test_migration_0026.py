"""Migration 0026: every active grantee account that exists manages its organisation's people
(until now each could do everything for it); inactive and staff accounts do not; going down drops
the column and keeps every account and what refers to it."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database

T = "2026-01-01 00:00:00"


@pytest.fixture
def app_at_0025():
    with fresh_database("migration26") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0025")
            yield app
            db.session.remove()
            db.engine.dispose()


def _add_user(conn, email: str, role: str, organisation_id, active: bool) -> None:
    conn.execute(
        text(
            "INSERT INTO users (email, name, locale, role, organisation_id, active,"
            " email_confirmed, session_token, email_delivery, created_at, updated_at)"
            " VALUES (:email, 'Old', 'kk', :role, :org, :active, true, :email, 'immediate',"
            " :t, :t)"
        ),
        {"email": email, "role": role, "org": organisation_id, "active": active, "t": T},
    )


@pytest.mark.no_db
def test_existing_active_grantees_become_managers_and_down_keeps_every_row(app_at_0025):
    with db.engine.begin() as conn:
        org_id = conn.execute(
            text(
                "INSERT INTO organisations (name, bin, region_id, address, contact_name,"
                " contact_email, contact_phone, created_at, updated_at)"
                " SELECT 'Old', '000000000001', id, '', '', '', '', :t, :t FROM regions LIMIT 1"
                " RETURNING id"
            ),
            {"t": T},
        ).scalar_one()
        _add_user(conn, "first@example.kz", "grantee", org_id, True)
        _add_user(conn, "second@example.kz", "grantee", org_id, True)
        _add_user(conn, "gone@example.kz", "grantee", org_id, False)
        _add_user(conn, "officer@example.kz", "officer", None, True)
        user_id = conn.execute(
            text("SELECT id FROM users WHERE email = 'first@example.kz'")
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO notifications (user_id, subject, body, url, created_at,"
                " digest_pending) VALUES (:user, 'Old', '', '', :t, false)"
            ),
            {"user": user_id, "t": T},
        )
    upgrade()
    with db.engine.connect() as conn:
        managers = dict(conn.execute(text("SELECT email, org_manager FROM users")).all())
    assert {email: bool(flag) for email, flag in managers.items()} == {
        "first@example.kz": True,
        "second@example.kz": True,
        "gone@example.kz": False,
        "officer@example.kz": False,
    }

    downgrade(revision="0025")
    assert "org_manager" not in {c["name"] for c in inspect(db.engine).get_columns("users")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 4
        assert conn.execute(text("SELECT count(*) FROM notifications")).scalar_one() == 1
    upgrade()
