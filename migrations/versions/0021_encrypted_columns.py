"""Personal data encrypted at rest (issue #19; fundtracker.core.crypto).

These columns become Text holding Fernet tokens, written with the newest key of the running
app's DATA_ENCRYPTION_KEYS (in development, instance/data-key; in tests, derived from
SECRET_KEY), so that key must be set before upgrading:

- `organisations.contact_email` (was String(254)) and `organisations.contact_phone`
  (String(40)): the contact person's email and phone. `contact_name` stays as it is: lists show
  and sort by it, and it is the grantee user's name (`users.name`) anyway.
- `impact_stories.title` (String(200)) and `impact_stories.body` (already Text): a story tells of
  a person, often a child and their health. `consent` stays a plain flag (nothing personal, and
  the reports filter on it).

Every non-empty value is encrypted, ROWS at a time; NULL and '' stay as they are (the type reads
'' as ''). The totp secrets of 0020 are encrypted from the start.

On PostgreSQL each column is altered in place (ALTER COLUMN ... TYPE text) and its values
rewritten. SQLite cannot change a column's type in place, and a batch copying `organisations`
would drop the old table, which with foreign keys on deletes or refuses every row that refers to
it (users, projects, registrations): so each column is added anew as `<name>_new` (Text, not
null, server default ''), filled, the old column dropped and the new one renamed (SQLite 3.35),
with recreate="never". The columns keep that '' server default on SQLite, and move to the end of
the table.

Going down decrypts every value and puts the old types back. A decrypted value longer than its
old column (the forms never let one through, but a script might have) stops the downgrade before
anything is changed, naming the rows: nothing is cut short silently.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from fundtracker.core import crypto

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ROWS = 500
# table -> ((column, its type before this revision), ...)
COLUMNS: dict[str, tuple[tuple[str, sa.types.TypeEngine], ...]] = {
    "organisations": (
        ("contact_email", sa.String(length=254)),
        ("contact_phone", sa.String(length=40)),
    ),
    "impact_stories": (
        ("title", sa.String(length=200)),
        ("body", sa.Text()),
    ),
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _retyped(table: str) -> list[tuple[str, sa.types.TypeEngine]]:
    return [(c, type_) for c, type_ in COLUMNS[table] if not isinstance(type_, sa.Text)]


def _rows(table: str, columns: list[str]):
    """(id, value, ...) of every row, ROWS at a time, in the order of `id`."""
    t = sa.table(table, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in columns))
    bind = op.get_bind()
    last = 0
    while True:
        query = sa.select(t.c.id, *(t.c[c] for c in columns)).where(t.c.id > last)
        rows = bind.execute(query.order_by(t.c.id).limit(ROWS)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _convert(table: str, pairs: list[tuple[str, str]], convert: Callable[[str, str], str]):
    """Write convert(column, value) of each non-empty value of each (source, target) column
    pair into the target (the same column, or its new copy); NULL and '' are copied as they
    are."""
    sources = [source for source, _target in pairs]
    t = sa.table(
        table, sa.column("id", sa.Integer), *(sa.column(target, sa.Text) for _s, target in pairs)
    )
    update = t.update().where(t.c.id == sa.bindparam("_id"))
    update = update.values({target: sa.bindparam(f"_{target}") for _s, target in pairs})
    bind = op.get_bind()
    for rows in _rows(table, sources):
        batch = []
        for row in rows:
            values = {"_id": row.id}
            for (source, target), value in zip(pairs, row[1:], strict=True):
                values[f"_{target}"] = convert(source, value) if value else value
            batch.append(values)
        bind.execute(update, batch)


def upgrade() -> None:
    keyring = crypto.keyring()

    def encrypt(_column: str, value: str) -> str:
        return keyring.encrypt(value)

    for table, columns in COLUMNS.items():
        retyped = _retyped(table)
        if _sqlite():
            with op.batch_alter_table(table, recreate="never") as batch_op:
                for column, _type in retyped:
                    batch_op.add_column(
                        sa.Column(f"{column}_new", sa.Text(), server_default="", nullable=False)
                    )
            new = {column for column, _type in retyped}
            pairs = [(c, f"{c}_new" if c in new else c) for c, _type in columns]
            _convert(table, pairs, encrypt)
            _replace(table, [column for column, _type in retyped], "_new")
        else:
            for column, type_ in retyped:
                op.alter_column(
                    table, column, type_=sa.Text(), existing_type=type_, existing_nullable=False
                )
            _convert(table, [(c, c) for c, _type in columns], encrypt)


def _replace(table: str, columns: list[str], suffix: str) -> None:
    """Drop each column and rename its `<column><suffix>` copy to its name (SQLite)."""
    with op.batch_alter_table(table, recreate="never") as batch_op:
        for column in columns:
            batch_op.drop_column(column)
    with op.batch_alter_table(table, recreate="never") as batch_op:
        for column in columns:
            batch_op.alter_column(f"{column}{suffix}", new_column_name=column)


def downgrade() -> None:
    keyring = crypto.keyring()

    def decrypt(column: str, value: str, table: str) -> str:
        return keyring.decrypt(value, f"{table}.{column}")

    _refuse_what_does_not_fit(decrypt)
    for table, columns in COLUMNS.items():
        retyped = _retyped(table)

        def plain(column: str, value: str, table: str = table) -> str:
            return decrypt(column, value, table)

        if _sqlite():
            with op.batch_alter_table(table, recreate="never") as batch_op:
                for column, type_ in retyped:
                    batch_op.add_column(
                        sa.Column(f"{column}_old", type_, server_default="", nullable=False)
                    )
            old = {column for column, _type in retyped}
            pairs = [(c, f"{c}_old" if c in old else c) for c, _type in columns]
            _convert(table, pairs, plain)
            _replace(table, [column for column, _type in retyped], "_old")
        else:
            _convert(table, [(c, c) for c, _type in columns], plain)
            for column, type_ in retyped:
                op.alter_column(
                    table, column, type_=type_, existing_type=sa.Text(), existing_nullable=False
                )


def _refuse_what_does_not_fit(decrypt: Callable[[str, str, str], str]) -> None:
    """Stop before changing anything if a decrypted value would not fit its old column (or no
    key opens one: crypto.DecryptionError)."""
    too_long = []
    for table, columns in COLUMNS.items():
        retyped = _retyped(table)
        names = [column for column, _type in columns]
        for rows in _rows(table, names):
            for row in rows:
                for column, value in zip(names, row[1:], strict=True):
                    if not value:
                        continue
                    text = decrypt(column, value, table)
                    length = dict(retyped).get(column, sa.Text()).length
                    if length is not None and len(text) > length:
                        too_long.append(f"{table}.{column} (id {row.id}): {len(text)} > {length}")
    if too_long:
        raise RuntimeError(
            "Cannot go below 0021: these values are longer than their columns were; shorten "
            "them first:\n" + "\n".join(too_long)
        )
