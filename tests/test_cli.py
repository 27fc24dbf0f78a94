"""The flask commands: seed-demo and create-admin."""

from datetime import date

from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import (
    Organisation,
    Project,
    ProjectStatus,
    Region,
    Role,
    User,
    bin_is_valid,
)
from fundtracker.services import accounts
from tests import factories


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_the_fund_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo-password-2026" in first.output
    counts = (_count(Organisation), _count(User), _count(Project))
    assert counts[2] == 67 and 25 <= counts[0] <= 35
    assert {u.role for u in db.session.scalars(select(User))} == set(Role)
    assert all(bin_is_valid(o.bin) for o in db.session.scalars(select(Organisation)))
    projects = db.session.scalars(select(Project)).all()
    assert {p.area.code for p in projects} == {"healthcare", "education", "social_protection"}
    used = {r.code for p in projects for r in p.regions}
    assert used == set(db.session.scalars(select(Region.code)))
    assert all(p.title_kk and p.title_ru and p.title_en for p in projects)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert (_count(Organisation), _count(User), _count(Project)) == counts


def test_demo_accounts_can_log_in(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    limits = accounts.LoginLimits.from_config(app.config)
    attempt = accounts.begin_attempt(db.session, "officer@demo.fundtracker.kz", "127.0.0.1")
    user = accounts.authenticate(db.session, attempt, "demo-password-2026", limits)
    assert user.role == Role.OFFICER


def test_create_admin(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Root@Fund.kz", "--name", "Root", "--locale", "ru"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "root@fund.kz"))
    assert user.role == Role.ADMIN and user.locale == "ru"


def test_create_admin_refuses_a_short_password_and_writes_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "root@fund.kz", "--name", "Root"],
        input="short\nshort\n",
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User).where(User.email == "root@fund.kz")) is None


def test_refresh_risk_flags_projects_with_overdue_milestones(app):
    late = factories.ProjectFactory()
    factories.MilestoneFactory(project=late, due_date=date(2020, 1, 1))
    result = app.test_cli_runner().invoke(args=["refresh-risk"])
    assert result.exit_code == 0 and "1 flagged" in result.output
    db.session.refresh(late)
    assert late.status == ProjectStatus.AT_RISK
    assert "0 flagged" in app.test_cli_runner().invoke(args=["refresh-risk"]).output
