"""`flask import`: a fund's first migration from the command line."""

from __future__ import annotations

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Project, Role
from tests import factories
from tests.blueprints.imports.test_routes import portfolio


def test_a_clean_workbook_is_imported_and_a_dry_run_writes_nothing(app, tmp_path):
    admin = factories.UserFactory(role=Role.ADMIN)
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(portfolio())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", str(path), "--as", admin.email, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Projects: 1 new, 0 changed, 0 unchanged" in dry.output
    assert db.session.scalar(select(Project).where(Project.code == "IMP-1")) is None
    done = runner.invoke(args=["import", str(path), "--as", admin.email])
    assert done.exit_code == 0 and "Imported." in done.output
    assert db.session.scalar(select(Project).where(Project.code == "IMP-1")) is not None


def test_problems_are_listed_with_their_place_and_nothing_is_written(app, tmp_path):
    admin = factories.UserFactory(role=Role.ADMIN)
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(portfolio(award="12"))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--as", admin.email])
    assert result.exit_code == 1
    assert "Tranches, row 2, Amount, ₸: Project IMP-1's tranches add up to" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(Project).where(Project.code == "IMP-1")) is None
