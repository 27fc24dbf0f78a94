"""Making and dropping whole databases for tests: a file for SQLite, CREATE DATABASE for
PostgreSQL (on the server that TEST_DATABASE_URL names)."""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def base_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "sqlite://")


def is_postgres() -> bool:
    return base_url().startswith("postgresql")


@contextmanager
def fresh_database(label: str):
    """Yield the URL of a new, empty database; drop it afterwards."""
    if not is_postgres():
        with tempfile.TemporaryDirectory(prefix=f"ft-{label}-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'db.sqlite'}"
        return
    url = make_url(base_url())
    name = f"ft_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_app(label: str, **config):
    """An app of its own on a new database migrated to head, inside its app context: for tests
    that commit for real (several connections, processes or locks). Dropped afterwards."""
    from flask_migrate import upgrade

    from fundtracker import create_app
    from fundtracker.core.extensions import db

    with fresh_database(label) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **config)
        with app.app_context():
            upgrade()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()
