"""`flask storage copy` and `flask storage check` (fundtracker/core/storage_admin.py)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from fundtracker.core import storage, storage_admin
from fundtracker.core.extensions import db

storage_cli = AppGroup("storage", help="Uploaded files and built reports.")


@storage_cli.command("copy")
@click.option("--from", "source", type=click.Choice(storage.BACKENDS), required=True)
@click.option("--to", "target", type=click.Choice(storage.BACKENDS), required=True)
def copy_command(source: str, target: str) -> None:
    """Copy the files kept in one backend into the other (the folders UPLOAD_FOLDER and
    REPORTS_FOLDER, or the database), skipping those already there. Run it before setting
    STORAGE_BACKEND to the target; it can be run again, and the source is left as it was."""
    if source == target:
        raise click.ClickException("--from and --to name the same backend.")
    done = storage_admin.copy(db.session, source, target, db.session.commit)
    for area, count in done.copied.items():
        vanished = done.vanished[area]
        click.echo(
            f"{area}: {count} copied, {done.present[area]} were there already"
            + (f", {vanished} gone before they could be read" if vanished else "")
        )


@storage_cli.command("check")
def check_command() -> None:
    """Check that every file a row names is in the storage in use (STORAGE_BACKEND) with the
    SHA-256 recorded when it was stored; exits with status 1 naming those that are not."""
    checked = storage_admin.check(db.session)
    db.session.rollback()
    for label in checked.missing:
        click.echo(f"missing: {label}", err=True)
    for label in checked.damaged:
        click.echo(f"damaged: {label}", err=True)
    click.echo(
        f"{checked.files} files checked in {storage.backend()} storage: "
        f"{len(checked.missing)} missing, {len(checked.damaged)} damaged"
    )
    if not checked.ok:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(storage_cli)
