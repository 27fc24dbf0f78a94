"""`flask audit verify`: check the audit log's hash chain (fundtracker/services/audit.py)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from fundtracker.core.extensions import db
from fundtracker.services import audit

audit_cli = AppGroup("audit", help="The append-only audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the audit log in id order, working every row's hash out again. Prints the number of
    events and the last hash (note it somewhere else: a chain cut short at its end is found by
    comparing it), or the first broken row, and then exits with status 1."""
    verdict = audit.verify(db.session)
    if verdict.intact:
        click.echo(f"{verdict.checked} events, chain intact (last hash {verdict.last_hash})")
        return
    click.echo(
        f"Chain broken at event {verdict.broken_id}: {verdict.reason} "
        f"({verdict.checked} events before it are intact)",
        err=True,
    )
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_cli)
