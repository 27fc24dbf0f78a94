"""`flask opendata export DIR`: the fund's open-data files (360Giving JSON and spreadsheet, IATI
activities XML) written to a folder, e.g. for a website that mirrors them. The same files as
/open-data/ serves; it only reads."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from fundtracker.core.extensions import db
from fundtracker.services import opendata


@click.group("opendata")
def opendata_group() -> None:
    """The open-data files (360Giving, IATI)."""


@opendata_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@with_appcontext
def export_command(folder: str) -> None:
    """Write 360giving.json, 360giving.xlsx and iati-activities.xml into FOLDER."""
    for path in opendata.write_all(db.session, folder):
        click.echo(path)


def init_app(app: Flask) -> None:
    app.cli.add_command(opendata_group)
