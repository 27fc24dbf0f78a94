"""`flask` commands: create an admin, seed demo data, back up and restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from fundtracker import cli_audit, cli_import, cli_keys, cli_opendata, cli_storage
from fundtracker.core.backup import BackupError
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES
from fundtracker.core.time import today
from fundtracker.demo import seed_demo
from fundtracker.models import Role
from fundtracker.pdf import cli as reports_cli
from fundtracker.scheduler import backups
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


@click.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the archive into (default: BACKUP_FOLDER, instance/backups).",
)
@with_appcontext
def backup_command(folder: Path | None) -> None:
    """Write one archive of the database, the uploaded files and the stored reports, with a
    manifest of their hashes (see README, "Backup and restore")."""
    try:
        made = backups.make(folder)
    except BackupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    manifest = made.manifest
    files = (
        ", ".join(f"{count} in {label}" for label, count in manifest["files"].items())
        or "kept in the database"
    )
    click.echo(
        f"Backed up the {manifest['database']} database ({len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows) and the files ({files}) into {made.path} "
        f"({made.size} bytes)."
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a `flask backup` archive into an empty database and empty file folders. The
    archive is checked against its manifest first; nothing is changed if it or the targets
    are wrong."""
    try:
        restored = backups.restore(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = restored.manifest
    files = (
        ", ".join(f"{count} in {label}" for label, count in restored.files.items())
        or "kept in the database"
    )
    click.echo(
        f"Restored the backup of {manifest['created_at']} (FundTracker {manifest['app_version']},"
        f" database revision {manifest['alembic_revision']}): {len(restored.tables)} tables, "
        f"{sum(restored.tables.values())} rows; files: {files}."
    )
    if restored.mismatches:
        lines = [
            f"  {name}: {want} rows in the backup, {got} restored"
            for name, (want, got) in sorted(restored.mismatches.items())
        ]
        raise click.ClickException("Row counts differ from the manifest:\n" + "\n".join(lines))
    click.echo("Every table's row count matches the manifest.")


def init_cli(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(refresh_risk_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    init_scheduler_cli(app)
    reports_cli.init_app(app)
    cli_keys.init_app(app)
    cli_audit.init_app(app)
    cli_storage.init_app(app)
    cli_opendata.init_app(app)
    cli_import.init_app(app)
