"""Migration 0029: follow-ups after closure. Every programme area gets the default months
(6, 12, 24); it makes no follow-up (projects closed before it get none); going down drops the
tables and the column, and up again works."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database


@pytest.fixture
def app_at_0025():
    with fresh_database("migration29") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0025")
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_areas_get_the_default_months_and_no_follow_up_is_made(app_at_0025):
    upgrade(revision="0029")
    with db.engine.connect() as conn:
        months = set(conn.execute(text("SELECT follow_up_months FROM programme_areas")).scalars())
        assert months == {"6,12,24"}
        assert conn.execute(text("SELECT count(*) FROM follow_ups")).scalar() == 0

    downgrade(revision="0025")
    names = set(inspect(db.engine).get_table_names())
    assert "follow_ups" not in names and "follow_up_cells" not in names
    assert "follow_up_months" not in {
        c["name"] for c in inspect(db.engine).get_columns("programme_areas")
    }
    upgrade(revision="0029")
    assert "follow_ups" in inspect(db.engine).get_table_names()
