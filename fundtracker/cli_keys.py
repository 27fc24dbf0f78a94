"""`flask keys`: the keys that encrypt personal data at rest (fundtracker.core.crypto; README,
"Encryption keys").

- `flask keys new` prints a fresh key, to put in front of DATA_ENCRYPTION_KEYS.
- `flask keys rotate` writes every encrypted value of every table again with the newest key, so
  the older keys can then be dropped. The encrypted columns are found in the models' metadata
  (every EncryptedText column), so a column added later is rotated too. Every value is read
  first: if one cannot be decrypted with any key, nothing is written. Then each table is
  rewritten in batches, in one transaction of its own; running it again is harmless.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from fundtracker import models  # noqa: F401 - every table in the metadata
from fundtracker.core import crypto
from fundtracker.core.extensions import db
from fundtracker.services import audit


@click.group("keys")
def keys_group() -> None:
    """Data encryption keys: make one, or re-encrypt everything with the newest."""


@keys_group.command("new")
def new_command() -> None:
    """Print a freshly generated key (Fernet: 32 random bytes, URL-safe base64)."""
    click.echo(crypto.new_key())


@keys_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-encrypt every encrypted value with the first key of DATA_ENCRYPTION_KEYS."""
    ring = crypto.keyring()
    tables = crypto.encrypted_columns(db.metadata)
    with db.engine.connect() as connection:
        for table, columns in tables.items():
            try:
                crypto.check_table(connection, ring, table, columns)
            except crypto.DecryptionError as error:
                raise click.ClickException(f"{error} Nothing was changed.") from None
    counts = {}
    for table, columns in tables.items():
        with db.engine.begin() as connection:  # one transaction per table
            done = crypto.rotate_table(connection, ring, table, columns)
        counts[table.name] = done.values
        names = ", ".join(c.name for c in columns)
        click.echo(f"{table.name} ({names}): {done.values} values re-encrypted, rows: {done.rows}")
    audit.record(db.session, None, "keys.rotated", details={"keys": ring.count, "values": counts})
    db.session.commit()
    click.echo(
        f"Every value is encrypted with the newest of the {ring.count} keys; the older keys "
        "can be taken out of DATA_ENCRYPTION_KEYS."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(keys_group)
