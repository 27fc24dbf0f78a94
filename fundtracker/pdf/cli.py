"""`flask reports ...`: build queued reports now, or queue the latest published period's board
report."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from fundtracker.pdf import jobs

reports_cli = AppGroup("reports", help="PDF reports.")


@reports_cli.command("build-pending")
def build_pending_command() -> None:
    """Build every queued report once (the scheduler runs the same job)."""
    built = jobs.build_pending(current_app._get_current_object())
    click.echo(f"Reports built: {built}")


@reports_cli.command("monthly")
def monthly_command() -> None:
    """Queue and build the latest published period's board report; board members are told when
    it is ready."""
    built = jobs.monthly_board_report(current_app._get_current_object())
    click.echo(f"Reports built: {built}")


def init_app(app: Flask) -> None:
    app.cli.add_command(reports_cli)
