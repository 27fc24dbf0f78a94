"""Test fixtures. The whole suite runs against the database TEST_DATABASE_URL names (SQLite by
default; a throwaway PostgreSQL cluster under scripts/test.sh). The schema is built once by the
Alembic migrations; every test runs inside a transaction that is rolled back."""

from __future__ import annotations

import contextvars
import logging
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from fundtracker import create_app
from fundtracker.core import data_version
from fundtracker.core.extensions import db
from fundtracker.models import Role
from fundtracker.services import sessions
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories
from tests.dbutil import fresh_database


@pytest.fixture(scope="session")
def database_url():
    with fresh_database("suite") as url:
        yield url


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, so it gets its own app context, `g` and database
    session as it would in a server, even though the test holds an app context of its own."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def session(request, app):
    """Bind db.session to one connection whose outer transaction is rolled back after the test;
    commits in the code under test release savepoints inside it."""
    if "no_db" in request.keywords:
        yield None
        return
    connection = db.engine.connect()
    transaction = connection.begin()
    # The per-test transaction never commits: each savepoint released (a commit of the code
    # under test) counts as the commit it stands for.
    event.listen(
        connection, "release_savepoint", lambda conn, *_: data_version.bump_if_changed(conn)
    )
    original = db.session
    # SQLAlchemy's own Session: Flask-SQLAlchemy's picks engines by bind key and would ignore
    # the connection given here.
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture(params=["local", "database"])
def each_storage(request, app, tmp_path):
    """Run the test once with each storage backend (fundtracker.core.storage), on folders of its
    own: with "database" the files are rows in the test's transaction, the folders a cache."""
    names = ("STORAGE_BACKEND", "UPLOAD_FOLDER", "REPORTS_FOLDER")
    saved = {name: app.config.get(name) for name in names}
    app.config.update(
        STORAGE_BACKEND=request.param,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        REPORTS_FOLDER=str(tmp_path / "reports"),
    )
    try:
        yield request.param
    finally:
        app.config.update(saved)


@pytest.fixture
def client(app):
    return app.test_client()


def login_as(client, user, proved: bool = True) -> str:
    """Sign a test client in as `user` without going through the login form: a new sign-in
    session (flushed into the test's transaction) whose token the client keeps, and (`proved`)
    a proof of identity as fresh as a sign-in leaves it. Returns the token."""
    _row, token = sessions.start(
        db.session, user, address="127.0.0.1", user_agent="pytest", remember=False
    )
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
        if proved:
            sess[REAUTH_KEY] = proof(user)
    return token


def api_headers(user, scopes=None) -> dict[str, str]:
    """Headers for an API call as `user` with a new personal access token (flushed into the
    test's transaction) holding `scopes` (by default all that the user's role may have)."""
    from datetime import timedelta

    from fundtracker.core.time import today
    from fundtracker.services import api_tokens

    _token, raw = api_tokens.create(
        db.session,
        user,
        name="pytest",
        scopes=list(scopes or api_tokens.scopes_for(user)),
        expires_on=today() + timedelta(days=30),
    )
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def login(client):
    def _login(user):
        login_as(client, user)
        return client

    return _login


@pytest.fixture
def officer():
    return factories.UserFactory(role=Role.OFFICER, name="Officer Olzhas")


@pytest.fixture
def admin():
    return factories.UserFactory(role=Role.ADMIN, name="Admin Aliya")


@pytest.fixture
def grantee():
    return factories.UserFactory(grantee=True, name="Grantee Gulnara")


@pytest.fixture
def sql_log(app):
    """Records the SQL statements run while the fixture is active."""
    statements: list[str] = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", _record)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); the app sends to it during the test."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def app_log():
    """What the app logs during the test (a handler of its own on the app's logger; see
    tests/logutil.py)."""
    from tests.logutil import Records

    records = Records()
    logger = logging.getLogger("fundtracker")
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
