"""Engine-level settings that keep SQLite honest: foreign keys on, and real transactions.

pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the SQLAlchemy docs'
recipe hands transaction control to SQLAlchemy instead.
"""

from functools import wraps

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_READS_ONLY = "fundtracker_reads_only"


def reads_only(view):
    """For a view that never writes: on SQLite its transaction starts with a plain (deferred)
    BEGIN, which takes no lock, so such pages do not queue behind each other for the write lock.
    Goes outside the permission check, which loads the user and so starts the transaction."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        setattr(g, _READS_ONLY, True)
        return view(*args, **kwargs)

    return wrapper


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
        # (A reading view, see reads_only, needs no lock: WAL gives it a snapshot.)
        # Straight on the DB-API connection: this runs for every request.
        reads_only = has_app_context() and g.get(_READS_ONLY, False)
        conn.connection.dbapi_connection.execute("BEGIN" if reads_only else "BEGIN IMMEDIATE")
