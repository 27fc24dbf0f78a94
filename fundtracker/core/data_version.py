"""The data version: one number that goes up whenever a transaction that changed the fund's data
commits, so that work derived from the data can be reused until it changes.

Every statement that goes through the engine is looked at (ORM flushes, bulk statements and raw
SQL alike); a transaction that inserted, updated or deleted rows of any table but the excluded ones
bumps the number just before it commits, in the same transaction. A reader that reads the number
*before* it reads the data therefore never keeps data older than the number says.

The bump takes the row's lock only for the moment between it and COMMIT, so writers do not hold
it while they work. A bump too many (a change rolled back to a savepoint) only costs a cache
miss; a missed bump would serve stale pages, hence the whole engine is watched.

A database made with metadata.create_all() instead of the migrations has no row: current() is
None, and the page cache and report stamps switch themselves off.
"""

from __future__ import annotations

import contextvars
import re

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from fundtracker.models import Base, DataVersion

# Tables whose rows nothing cached is made from (neither the project list nor a report): the
# counter, stored-report bookkeeping, failed logins, the reminder log and outgoing email. The
# scheduler writes the last two every minute; they must not make every cached page stale.
EXCLUDED = frozenset(
    {
        "data_version",
        "reports",
        "alembic_version",
        "login_attempts",
        "account_mail_requests",
        # What was done and read, not data shown: a logged download must not empty the page
        # cache nor make the stored reports stale.
        "audit_events",
        # Sign-ins and their once-a-minute "last used" are not data pages show.
        "user_sessions",
        "reminders",
        "outbox_emails",
        # The scheduler's heartbeat, written every minute for /readyz.
        "scheduler_heartbeat",
        # The versions per table, bumped with this one.
        "table_versions",
        # The bytes of stored files (STORAGE_BACKEND=database): pages show the rows that name
        # them, which change with them; a built report's PDF must not make itself stale.
        "stored_blobs",
    }
)
_FLAG = "fundtracker_data_changed"
_TABLES = "fundtracker_tables_written"
# Tables rows were deleted from (or replaced in): only a delete makes the database change other
# tables by itself (ON DELETE CASCADE / SET NULL; no foreign key here acts on update).
_DELETED = "fundtracker_tables_deleted_from"
_DELETES = re.compile(r"\s*(?:DELETE\b|REPLACE\b|INSERT\s+OR\s+REPLACE\b)", re.IGNORECASE)
ANY_TABLE = "*"  # a write whose table is not known: every kept page depends on it
_DML = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)",
    re.IGNORECASE,
)
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"
# Migrations change rows before 0009 makes the table (and after a downgrade drops it): bump only
# where it exists, in one round trip on PostgreSQL.
_BUMP_IF_THERE = {
    "sqlite": (
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_version'",
        _BUMP,
    ),
    "postgresql": (
        None,
        "DO $$ BEGIN IF to_regclass('data_version') IS NOT NULL THEN " + _BUMP + "; END IF; END $$",
    ),
}


# Anything else that may write (a data-modifying WITH, MERGE, TRUNCATE, COPY ... FROM) counts,
# whatever its table: a bump too many is cheap.
_OTHER_WRITES = re.compile(
    r"\s*(?:WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b|MERGE\b|TRUNCATE\b|COPY\b.*\bFROM\b)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENTS = re.compile(r"\s*(?:--[^\n]*\n|/\*.*?\*/)", re.DOTALL)


def _without_comments(statement: str) -> str:
    while (comment := _COMMENTS.match(statement)) is not None:
        statement = statement[comment.end() :]
    return statement


def written_table(statement: str) -> str | None:
    """The table a statement writes (ANY_TABLE when it writes but its table is not known), or
    None when it writes nothing the data version follows."""
    statement = _without_comments(statement)
    match = _DML.match(statement)
    if match:
        table = match.group(1).lower()
        return None if table in EXCLUDED else table
    return ANY_TABLE if _OTHER_WRITES.match(statement) is not None else None


def changes_data(statement: str) -> bool:
    return written_table(statement) is not None


def _bump(conn: Connection) -> None:
    # Straight on the DB-API connection: inside the transaction being committed, and without
    # going through the engine's events again.
    check, bump = _BUMP_IF_THERE[conn.dialect.name]
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if check is not None:
            cursor.execute(check)
            if cursor.fetchone() is None:
                return
        cursor.execute(bump)
    finally:
        cursor.close()


_TABLE_BUMP = (
    "INSERT INTO table_versions (name, version) VALUES ({p}, 1) "
    "ON CONFLICT (name) DO UPDATE SET version = table_versions.version + 1"
)
_TABLE_VERSIONS_THERE = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'table_versions'",
    "postgresql": "SELECT to_regclass('table_versions')",
}


def _bump_tables(conn: Connection, tables: set[str]) -> None:
    """Each written table's version, in name order (two writers lock rows in the same order),
    where the table of versions exists (a database migrated to 0035)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_TABLE_VERSIONS_THERE[conn.dialect.name])
        found = cursor.fetchone()
        if found is None or found[0] is None:
            return
        bump = _TABLE_BUMP.format(p="?" if conn.dialect.paramstyle == "qmark" else "%s")
        for table in sorted(tables):
            cursor.execute(bump, (table[:64],))
    finally:
        cursor.close()


_cascades: dict[str, frozenset[str]] | None = None


def with_cascades(tables: set[str]) -> set[str]:
    """`tables` and every table the database changes when they change: those whose foreign
    keys to them delete or set null on their own (transitively), which no statement names."""
    global _cascades
    if _cascades is None:
        direct: dict[str, set[str]] = {}
        for table in Base.metadata.tables.values():
            for fk in table.foreign_keys:
                if (fk.ondelete or "").upper() in ("CASCADE", "SET NULL", "SET DEFAULT"):
                    direct.setdefault(fk.column.table.name, set()).add(table.name)
        _cascades = {name: frozenset(children) for name, children in direct.items()}
    out, todo = set(tables), list(tables)
    while todo:
        for child in _cascades.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def bump_if_changed(conn: Connection) -> None:
    tables = conn.info.pop(_TABLES, None)
    deleted = conn.info.pop(_DELETED, set())
    if conn.info.pop(_FLAG, False):
        _bump(conn)
        if tables:
            _bump_tables(conn, tables | (with_cascades(deleted) - EXCLUDED))


# Which tables a kept page's statements read (fundtracker.core.page_cache): a set while a page
# is being made, None otherwise.
reading: contextvars.ContextVar[set | None] = contextvars.ContextVar("reading", default=None)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def install(engine: Engine) -> None:
    known = None

    @event.listens_for(engine, "after_cursor_execute")
    def _seen(conn, _cursor, statement, _parameters, _context, _executemany):
        nonlocal known
        table = written_table(statement)
        if table is not None:
            conn.info[_FLAG] = True
            conn.info.setdefault(_TABLES, set()).add(table)
            if _DELETES.match(_without_comments(statement)) is not None:
                conn.info.setdefault(_DELETED, set()).add(table)
        read = reading.get()
        if read is not None:
            if known is None:
                known = frozenset(Base.metadata.tables)
            # Every table named in the statement: more than it reads at worst (a column named
            # like a table), which only makes a kept page go stale sooner.
            read.update(known.intersection(_WORD.findall(statement.lower())))

    # Only at COMMIT: bumping when a savepoint is released would hold the row's lock for the
    # rest of the transaction (and a savepoint rolled back keeps the flag: a bump too many).
    event.listen(engine, "commit", bump_if_changed)

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        if conn.invalidated:
            # The database went away (a restart, a failover): the connection is thrown away,
            # and its flag with it. Asking for conn.info would raise and turn the rollback of
            # the failed request into a second error.
            return
        conn.info.pop(_FLAG, None)
        conn.info.pop(_TABLES, None)
        conn.info.pop(_DELETED, None)


def table_versions(session: Session) -> tuple[int | None, dict[str, int]]:
    """(the global version, {table: version}) read in one statement."""
    rows = session.execute(
        text(
            "SELECT 'data_version' AS name, version FROM data_version WHERE id = 1 "
            "UNION ALL SELECT name, version FROM table_versions"
        )
    ).all()
    versions = {name: version for name, version in rows}
    return versions.pop("data_version", None), versions


def current(session: Session) -> int | None:
    """The version now; None where the row is missing (a database not migrated to 0009)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.id == 1))
