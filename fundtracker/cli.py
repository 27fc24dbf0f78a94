"""`flask` commands: create an admin, seed demo data."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES
from fundtracker.core.time import today
from fundtracker.demo import seed_demo
from fundtracker.models import Role
from fundtracker.pdf import cli as reports_cli
from fundtracker.scheduler.runner import init_scheduler_cli
from fundtracker.services.errors import DomainError
from fundtracker.services.status import refresh_risk
from fundtracker.services.users import UserData, create_user


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--locale", type=click.Choice(LANGUAGES), default="kk", show_default=True)
@click.password_option()
@with_appcontext
def create_admin_command(email: str, name: str, locale: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = create_user(
            db.session,
            None,
            UserData(email=email, name=name, role=Role.ADMIN, locale=locale),
            password=password,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created admin {user.email}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo organisations, users and projects (safe to run again)."""
    report = seed_demo(db.session)
    db.session.commit()
    click.echo(report)


@click.command("refresh-risk")
@with_appcontext
def refresh_risk_command() -> None:
    """Flag running projects with overdue milestones or underspending as at risk (and lift
    flags set by this check once the signals are gone). Safe to run at any time."""
    flagged, lifted = refresh_risk(db.session, today())
    db.session.commit()
    click.echo(f"At risk: {flagged} flagged, {lifted} lifted")


def init_cli(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(refresh_risk_command)
    init_scheduler_cli(app)
    reports_cli.init_app(app)
