"""Migration 0033: child well-being domains. It adds the eight domains of the index, in order and
named in kk/ru/en, and links no indicator; going down drops both tables, and up again works."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database


@pytest.fixture
def app_at_0032():
    with fresh_database("migration33") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0032")
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_the_index_domains_are_added_and_no_indicator_is_linked(app_at_0032):
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO standard_indicators (code, name_kk, name_ru, name_en, definition_kk,"
                " definition_ru, definition_en, unit_kk, unit_ru, unit_en, type, active,"
                " version_id, created_at, updated_at) VALUES ('M-KIDS', '', '', 'Kids', '', '',"
                " '', '', '', '', 'count', true, 1, '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(revision="0033")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT code, name_kk, name_ru, name_en, active FROM wellbeing_domains"
                " ORDER BY position"
            )
        ).all()
        assert [r.code for r in rows] == [
            "HEALTH",
            "MENTAL",
            "EDUCATION",
            "PROTECTION",
            "MATERIAL",
            "FAMILY",
            "LIVING",
            "PARTICIPATION",
        ]
        assert all(r.name_kk and r.name_ru and r.name_en and r.active for r in rows)
        assert conn.execute(text("SELECT count(*) FROM standard_indicator_domains")).scalar() == 0

    downgrade(revision="0032")
    names = set(inspect(db.engine).get_table_names())
    assert not names & {"wellbeing_domains", "standard_indicator_domains"}
    assert "standard_indicators" in names
    upgrade(revision="0033")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM wellbeing_domains")).scalar() == 8
        assert conn.execute(text("SELECT count(*) FROM standard_indicators")).scalar() == 1
