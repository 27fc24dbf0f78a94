"""The migrations build the schema from empty, match the models exactly, and go back down."""

import pycountry
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import ProgrammeArea, Region
from tests.dbutil import fresh_database


@pytest.fixture
def empty_app():
    with fresh_database("migrations") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_upgrade_to_head_matches_the_models_and_downgrades_to_base(empty_app):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"

    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()

    upgrade()  # and up again: downgrade left nothing behind that blocks it
    assert "projects" in inspect(db.engine).get_table_names()


def test_regions_are_kazakhstans_iso_subdivisions(app):
    iso = {s.code: s.type for s in pycountry.subdivisions.get(country_code="KZ")}
    rows = {r.code: r.kind.value for r in db.session.scalars(select(Region))}
    assert rows.keys() == iso.keys()
    assert len(rows) == 20
    assert {code for code, kind in rows.items() if kind == "city"} == {
        code for code, kind in iso.items() if kind == "City"
    }
    for region in db.session.scalars(select(Region)):
        assert region.name_kk and region.name_ru and region.name_en


def test_programme_areas(app):
    codes = set(db.session.scalars(select(ProgrammeArea.code)))
    assert codes == {"healthcare", "education", "social_protection"}


def test_constraints_are_named_by_the_convention(app):
    inspector = inspect(db.session.connection())  # the test's own connection holds the lock
    for table in set(inspector.get_table_names()) - {"alembic_version"}:  # Alembic's own
        for fk in inspector.get_foreign_keys(table):
            if db.engine.dialect.name != "sqlite":  # SQLite does not keep FK names
                assert fk["name"].startswith("fk_"), (table, fk)
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"].startswith("uq_"), (table, unique)
        for check in inspector.get_check_constraints(table):
            assert check["name"] and check["name"].startswith("ck_"), (table, check)
        for index in inspector.get_indexes(table):
            if not index.get("duplicates_constraint"):  # PostgreSQL lists unique constraints too
                assert index["name"].startswith("ix_"), (table, index)
        if db.engine.dialect.name != "sqlite":  # SQLite does not keep primary key names
            assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
