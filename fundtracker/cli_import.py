"""`flask import FILE`: a portfolio workbook (or one CSV sheet) imported from the command line,
for the first migration of a fund's data. The same check and the same all-or-nothing import as
the Import portfolio page, as a staff user (--as; the first active administrator by default)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES
from fundtracker.core.time import today
from fundtracker.models import Role, User
from fundtracker.services import imports
from fundtracker.services.imports.core import ordered_sheets


def _actor(email: str | None) -> User:
    query = select(User).where(User.active.is_(True), User.role.in_([Role.ADMIN, Role.OFFICER]))
    if email:
        query = query.where(User.email == User.normalise_email(email))
    else:
        query = query.where(User.role == Role.ADMIN).order_by(User.id)
    user = db.session.scalar(query.limit(1))
    if user is None:
        raise click.ClickException(
            f"no active fund officer or administrator {email}"
            if email
            else "no active administrator"
        )
    return user


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", help="The staff user the import is made as (default: an admin).")
@click.option("--sheet", help="For a CSV file: the sheet it holds (e.g. projects).")
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", help="Language of messages.")
@with_appcontext
def import_command(file: str, email: str | None, sheet: str | None, dry_run: bool, lang: str):
    """Import a portfolio workbook: every problem is listed with its place, and nothing is
    written unless the whole file is clean (exit status 1 otherwise)."""
    path = Path(file)
    actor = _actor(email)
    with force_locale(lang):
        ctx = imports.check(db.session, actor, path.read_bytes(), path.name, today(), sheet)
        labels = {s.key: s for s in ordered_sheets()}
        for problem in ctx.problems:
            where = []
            if problem.sheet:
                where.append(
                    str(labels[problem.sheet].label) if problem.sheet in labels else problem.sheet
                )
            if problem.row:
                where.append(f"row {problem.row}")
            if problem.column and problem.sheet in labels:
                column = next(
                    (c for c in labels[problem.sheet].columns if c.key == problem.column), None
                )
                where.append(str(column.label) if column else problem.column)
            click.echo(f"{', '.join(where) or path.name}: {problem.text()}", err=True)
        for key, counts in ctx.summary().items():
            name = str(labels[key].label) if key in labels else key
            click.echo(
                f"{name}: {counts.get('create', 0)} new, {counts.get('update', 0)} changed, "
                f"{counts.get('unchanged', 0)} unchanged"
            )
    # The check wrote nothing: no rollback needed (nor wanted: it would end the caller's).
    if ctx.problems:
        click.echo(f"{len(ctx.problems)} problems: nothing was imported.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    imports.apply(ctx, source=f"flask import {path.name}")
    db.session.commit()
    click.echo("Imported.")


def init_app(app: Flask) -> None:
    app.cli.add_command(import_command)
