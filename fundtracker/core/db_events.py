"""Engine-level settings that keep SQLite honest: foreign keys on, and real transactions.

pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the SQLAlchemy docs'
recipe hands transaction control to SQLAlchemy instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Readers do not block the writer (web server and scheduler share the file).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        dbapi_connection.create_function("ft_casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front (waiting up to busy_timeout): a deferred
        # transaction that reads and then writes fails at once with "database is locked" when
        # another request wrote in between.
        # A GET never writes (tests/test_access_matrix.py watches for it), so it takes no lock:
        # WAL gives it a snapshot, and a slow page does not hold up every writer.
        # Straight on the DB-API connection: this runs for every request.
        reads = has_app_context() and g.get(_READING, False)
        conn.connection.dbapi_connection.execute("BEGIN" if reads else "BEGIN IMMEDIATE")


_READING = "fundtracker_get_request"


def only_reading() -> None:
    """The rest of this app context only reads: on SQLite its transactions take no write lock
    (a look at a queue every second must not wait for, or hold up, a writer)."""
    g.setdefault(_READING, True)


@contextmanager
def writing() -> Iterator[None]:
    """Within it, a reading request's new transactions take the write lock again: for the one
    small write a GET may make (the audit log's record of a download, a session's last use).
    End the reading transaction before entering."""
    reading = g.pop(_READING, None) if has_app_context() else None
    try:
        yield
    finally:
        if reading is not None:
            setattr(g, _READING, reading)


def mark_reading_requests(app: Flask) -> None:
    """Note which requests only read (GET, HEAD). A hook, not request.method, so that work run in
    a made-up request context (the scheduler's report builds, which write) keeps its lock."""

    @app.before_request
    def _mark():
        setattr(g, _READING, request.method in ("GET", "HEAD"))

    @app.teardown_request
    def _unmark(_error=None):
        g.pop(_READING, None)
