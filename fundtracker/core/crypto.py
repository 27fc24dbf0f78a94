"""Personal data encrypted at rest (issue #19): a column type that stores authenticated
ciphertext (Fernet: AES-128-CBC with HMAC-SHA256, a random IV per value) and gives back the text.

The keys: `DATA_ENCRYPTION_KEYS`, Fernet keys separated by commas, newest first. A value is
written with the first and read with whichever opens it, so a new key is put in front, `flask
keys rotate` writes every value again with it, and the old key can then be dropped. Without the
setting, development keeps one key generated on first use in the instance folder (`data-key`,
readable by its owner only), so that changing SECRET_KEY loses nothing; tests derive one from
SECRET_KEY (`DATA_KEY_FROM_SECRET`); production refuses to start (config.ProductionConfig).

The keys are read and checked once per app (`init_app`), never per value. What is stored:

- NULL stays NULL and '' stays '': that a contact phone was left empty is not personal data, and
  the models' '' defaults keep working (and cost no ciphertext);
- anything else is a Fernet token, about 4/3 of the text's UTF-8 length plus 100 characters, so
  the column is Text whatever the length the form allows.

A value that no key opens raises `DecryptionError` naming its column; it never comes back as
garbage. An encrypted column cannot be searched, compared or sorted in SQL (the same text gives
a different token each time): the type refuses such expressions, except comparing with NULL or ''.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import Column, MetaData, Table, Text, bindparam, event, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

EXTENSION = "fundtracker.crypto"
KEY_FILE = "data-key"
ROTATE_BATCH = 500


class DataKeyError(RuntimeError):
    """The encryption keys are missing or malformed: the app does not start."""


class DecryptionError(RuntimeError):
    """A stored value that no key opens (a wrong or missing key, or an altered value)."""

    def __init__(self, column: str):
        self.column = column
        super().__init__(
            f"A value in {column} cannot be decrypted with any key in DATA_ENCRYPTION_KEYS: "
            "a key is missing (was an old key dropped before `flask keys rotate`?), or the "
            "stored value was altered."
        )


def new_key() -> str:
    """A fresh random Fernet key (32 bytes, URL-safe base64)."""
    return Fernet.generate_key().decode()


def parse_keys(
    value: str | list | tuple | None, source: str = "DATA_ENCRYPTION_KEYS"
) -> list[bytes]:
    """The keys of a DATA_ENCRYPTION_KEYS value (comma-separated, or a list), newest first;
    DataKeyError names the first malformed one by its position, never by its text."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    keys = []
    for position, item in enumerate(items, start=1):
        key = (item.decode() if isinstance(item, bytes) else str(item)).strip()
        if not key:
            continue
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise DataKeyError(
                f"{source}: key {position} is not a Fernet key (32 random bytes in "
                "URL-safe base64, 44 characters); make one with `flask keys new`."
            ) from None
        keys.append(key.encode())
    return keys


def _key_from_secret(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"data-key:" + secret.encode()).digest())


def _development_key(path: Path) -> bytes:
    """The development key kept in a file, made on first use (mode 0600). Written
    to a temporary file and linked into place, so two processes starting at once agree."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    keys = parse_keys(path.read_text(), source=str(path))
    if not keys:
        raise DataKeyError(f"{path} is empty: delete it to make a new development key.")
    return keys[0]


def default_key_file(app: Flask) -> Path:
    return Path(app.instance_path) / KEY_FILE


def keys_for(app: Flask) -> list[bytes]:
    """The app's keys, newest first: DATA_ENCRYPTION_KEYS; else, where DATA_KEY_FROM_SECRET is
    on (tests), one derived from SECRET_KEY; else the development key in DATA_KEY_FILE (by
    default the instance folder's `data-key`)."""
    configured = parse_keys(app.config.get("DATA_ENCRYPTION_KEYS"))
    if configured:
        return configured
    if app.config.get("DATA_KEY_FROM_SECRET"):
        return [_key_from_secret(app.config["SECRET_KEY"])]
    return [_development_key(Path(app.config.get("DATA_KEY_FILE") or default_key_file(app)))]


class Keyring:
    """The app's keys: writes with the newest, reads with any."""

    def __init__(self, keys: list[bytes]):
        if not keys:
            raise DataKeyError("No data encryption key.")
        self.count = len(keys)
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str, column: str = "an encrypted column") -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, UnicodeError):
            raise DecryptionError(column) from None

    def rotate(self, token: str, column: str = "an encrypted column") -> str:
        """The same text encrypted anew with the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise DecryptionError(column) from None


def init_app(app: Flask) -> Keyring:
    """Read and check the app's keys once; DataKeyError if they are malformed."""
    keyring = Keyring(keys_for(app))
    app.extensions[EXTENSION] = keyring
    return keyring


def keyring() -> Keyring:
    """The current app's keys (read on first use if create_app has not read them)."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    return found if found is not None else init_app(app)


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(token: str, column: str = "an encrypted column") -> str:
    return keyring().decrypt(token, column)


_ALLOWED = {operators.is_, operators.is_not}


class EncryptedText(TypeDecorator):
    """Text kept encrypted in the database (see the module's docstring); None stays None and
    '' stays ''. Each column's type knows its "table.column" name, for errors."""

    impl = Text
    cache_ok = True
    column_name = "an encrypted column"

    class comparator_factory(TypeDecorator.Comparator, Text.Comparator):  # noqa: N801 - SQLAlchemy's hook name
        def operate(self, op, *other, **kwargs):
            empty = op in (operators.eq, operators.ne) and other and other[0] in (None, "")
            if op not in _ALLOWED and not empty:
                raise TypeError(
                    f"{self.type.column_name} is encrypted: it cannot be searched, compared or "
                    "sorted in SQL (only compared with NULL or '')."
                )
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op, other, **kwargs):
            raise TypeError(f"{self.type.column_name} is encrypted: it cannot be used in SQL.")

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        return encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return decrypt(value, self.column_name)


@event.listens_for(Column, "after_parent_attach")
def _name_encrypted_column(column, table) -> None:
    if isinstance(column.type, EncryptedText) and isinstance(table, Table):
        column.type.column_name = f"{table.name}.{column.name}"


# Rotation (`flask keys rotate`): every EncryptedText column of every table, found in the
# metadata, so a column added later is rotated without being listed anywhere.


def encrypted_columns(metadata: MetaData) -> dict[Table, list[Column]]:
    """The tables with encrypted columns, and those columns, in the metadata's order."""
    found: dict[Table, list[Column]] = {}
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if columns:
            found[table] = columns
    return found


def _batches(connection: Connection, table: Table, columns: list[Column]) -> Iterator[list]:
    """The table's rows in primary key order, ROTATE_BATCH at a time: (key, token, ...), the
    tokens as stored (type_coerce to Text: no decryption)."""
    if len(table.primary_key.columns) != 1:
        raise DataKeyError(f"{table.name}: rotation needs a one-column primary key.")
    (key,) = table.primary_key.columns
    raw = [type_coerce(c, Text).label(c.name) for c in columns]
    last = None
    while True:
        query = select(key, *raw).order_by(key).limit(ROTATE_BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass
class Rotated:
    table: str
    rows: int  # rows written again
    values: int  # non-empty values re-encrypted


def check_table(connection: Connection, ring: Keyring, table: Table, columns: list[Column]) -> int:
    """The number of non-empty values; DecryptionError at the first that no key opens."""
    count = 0
    for rows in _batches(connection, table, columns):
        for row in rows:
            for column, token in zip(columns, row[1:], strict=True):
                if token:
                    ring.decrypt(token, f"{table.name}.{column.name}")
                    count += 1
    return count


def rotate_table(
    connection: Connection, ring: Keyring, table: Table, columns: list[Column]
) -> Rotated:
    """Write every non-empty value of the table's encrypted columns again with the newest key,
    a batch of rows per statement, on the caller's connection: the caller commits (one
    transaction per table). DecryptionError, before anything of the batch is written, at a
    value that no key opens."""
    (key,) = table.primary_key.columns
    # The values are tokens already: bound as plain Text, not through the type's encryption.
    statement = (
        table.update()
        .where(key == bindparam("_key"))
        .values({c.name: type_coerce(bindparam(f"_{c.name}"), Text) for c in columns})
    )
    done = Rotated(table.name, 0, 0)
    for rows in _batches(connection, table, columns):
        batch = []
        for row in rows:
            values = {"_key": row[0]}
            for column, token in zip(columns, row[1:], strict=True):
                values[f"_{column.name}"] = token and ring.rotate(
                    token, f"{table.name}.{column.name}"
                )
            if any(row[1:]):  # a row of NULLs and '' has nothing to write
                batch.append(values)
                done.values += sum(1 for token in row[1:] if token)
        if batch:
            connection.execute(statement, batch)
            done.rows += len(batch)
    return done
