"""The account pages under attack (issue 17): a mail server that is down loses nothing, no page
tells whether an email has an account, the mail limits hold across worker processes, a
stranger's guesses do not lock the owner out, and an account that registered itself confirms
its email before it drafts or uploads anything."""

from __future__ import annotations

import io
import re
import socket
import threading
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from pypdf import PdfWriter
from sqlalchemy import func, select

from fundtracker import create_app, permissions
from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    ApplicationFile,
    EmailStatus,
    OutboxEmail,
    User,
    utcnow,
)
from fundtracker.scheduler.jobs import outbox_job
from tests import factories
from tests.conftest import _Inbox, free_port
from tests.dbutil import fresh_database
from tests.factories import PASSWORD

OWNER_ADDRESS = "10.0.0.1"
STRANGER = "203.0.113.9"


def _page(response) -> str:
    return response.get_data(as_text=True)


def _login(client, email, password, address=OWNER_ADDRESS):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _registration(**overrides):
    data = {
        "name": "«Үміт» қоры",
        "bin": factories.valid_bin(77_101),
        "contact_name": "Ғалия Сейітова",
        "email": "galiya@umit.kz",
        "contact_phone": "",
        "locale": "kk",
        "password": "a long enough password",
        "password2": "a long enough password",
    }
    data.update(overrides)
    if "region_id" not in data:  # looked up in the database of the app in context
        data["region_id"] = str(factories.region("KZ-75").id)
    return data


def _outbox(to: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == to)))


def _link(message, path: str) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://\S+?({path}/\S+)", body).group(1)


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback, as conftest's, but not made MAIL_SERVER: these tests send
    to it only from the outbox job (`_deliver`), never while a request runs."""
    inbox = _Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _deliver(app, inbox) -> None:
    """The scheduler's outbox job, sending to the `smtp` server."""
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    try:
        outbox_job(app)
    finally:
        app.config.update(saved)


@pytest.fixture
def mail_server_watch(app):
    """MAIL_SERVER is a TCP listener on loopback that counts the connections made to it: a
    request that sent mail would show up here."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    connections: list[tuple] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1])
    try:
        yield connections
    finally:
        app.config.update(saved)
        stop.set()
        thread.join()
        listener.close()


@pytest.fixture
def smtp_down(app):
    """MAIL_SERVER names a port nobody listens on (connections are refused); `.start()` brings
    a real SMTP server up on it, as when the mail server comes back."""

    class Down:
        port = free_port()
        inbox = _Inbox()
        controller = None

        def start(self):
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    down = Down()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    try:
        yield down
    finally:
        app.config.update(saved)
        if down.controller is not None:
            down.controller.stop()


def _after_backoff(app) -> None:
    """The outbox job as it runs once the retry is due."""
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        outbox_job(app)


# Mail failures lose nothing -------------------------------------------------------------------


def test_smtp_down_while_an_admin_creates_a_user_loses_nothing(
    app, client, login, admin, smtp_down
):
    organisation = factories.OrganisationFactory()
    response = login(admin).post(
        "/admin/users/new",
        data={
            "email": "new.grantee@example.kz",
            "name": "Nurlan",
            "role": "grantee",
            "organisation_id": str(organisation.id),
            "locale": "kk",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "The account has been created" in _page(response)
    user = db.session.scalar(select(User).where(User.email == "new.grantee@example.kz"))
    (invitation,) = _outbox("new.grantee@example.kz")
    assert user is not None and invitation.status == EmailStatus.PENDING

    assert outbox_job(app) == {"failed": 1}  # the mail server refuses
    db.session.refresh(invitation)
    assert (
        invitation.status == EmailStatus.PENDING and "Connection refused" in invitation.last_error
    )

    smtp_down.start()
    _after_backoff(app)
    (message,) = smtp_down.inbox.messages
    client.post("/auth/logout")
    path = _link(message, "/auth/invite")
    response = client.post(path, data={"password": "my own password", "confirm": "my own password"})
    assert response.status_code == 302
    assert _login(client, "new.grantee@example.kz", "my own password").status_code == 302


def test_smtp_down_a_reset_and_a_registration_still_go_out_when_it_returns(app, client, smtp_down):
    factories.UserFactory(email="dana@example.kz")
    assert client.post("/auth/forgot", data={"email": "dana@example.kz"}).status_code == 302
    assert client.post("/register", data=_registration()).status_code == 302
    # The server down: the first email is charged a failed attempt, the other waits unharmed.
    assert outbox_job(app) == {"failed": 1, "put_back": 1}
    smtp_down.start()
    _after_backoff(app)
    assert sorted(m["To"] for m in smtp_down.inbox.messages) == [
        "dana@example.kz",
        "galiya@umit.kz",
    ]


def test_an_invitation_sent_again_is_queued_too(app, login, admin, smtp_down):
    user = factories.UserFactory(password_hash=None)
    response = login(admin).post(f"/admin/users/{user.id}/invite", follow_redirects=True)
    assert "An invitation has been sent" in _page(response)
    assert [e.status for e in _outbox(user.email)] == [EmailStatus.PENDING]


# No enumeration --------------------------------------------------------------------------------


def _answer(app, url, data, shown_email=None) -> tuple:
    """What a visitor learns: the status, where it is sent, and that page (with the address
    they typed taken out), each from a client of its own."""
    client = app.test_client()
    response = client.post(url, data=data)
    location = response.headers.get("Location")
    page = _page(client.get(location)) if location else _page(response)
    if shown_email:
        page = page.replace(shown_email, "EMAIL")
    signed_in = client.get("/applications/").status_code == 200
    return response.status_code, location, page, signed_in


def test_forgot_answers_alike_and_mails_nothing_inside_the_request(app, mail_server_watch):
    factories.UserFactory(email="dana@example.kz")
    known = _answer(app, "/auth/forgot", {"email": "dana@example.kz"})
    unknown = _answer(app, "/auth/forgot", {"email": "nobody@example.kz"})
    assert known == unknown
    assert known[0] == 302 and "If this address belongs to an account" in known[2]
    assert mail_server_watch == []  # neither request opened a connection to the mail server
    assert len(_outbox("dana@example.kz")) == 1 and _outbox("nobody@example.kz") == []
    outbox_job(app)  # the outbox job, by contrast, does: the watch sees it
    assert len(mail_server_watch) == 1


def test_register_answers_alike_for_a_known_email_and_mails_its_owner(app, mail_server_watch, smtp):
    owner = factories.UserFactory(email="galiya@umit.kz", name="Ғалия")
    known = _answer(app, "/register", _registration(), "galiya@umit.kz")
    unknown = _answer(
        app,
        "/register",
        _registration(email="new@umit.kz", bin=factories.valid_bin(77_102)),
        "new@umit.kz",
    )
    assert known == unknown
    status, location, page, signed_in = known
    assert (status, location, signed_in) == (302, "/auth/confirm", False)
    assert "Check your email" in page and "already exists" not in page
    assert mail_server_watch == []

    # The owner hears of it by email; the new address gets its confirmation link.
    _deliver(app, smtp)
    by_address = {m["To"]: m for m in smtp.messages}
    assert by_address.keys() == {"galiya@umit.kz", "new@umit.kz"}
    to_owner = by_address["galiya@umit.kz"].get_body(("plain",)).get_content()
    assert "/auth/forgot" in to_owner and "/auth/confirm/" not in to_owner
    assert "/auth/confirm/" in by_address["new@umit.kz"].get_body(("plain",)).get_content()
    assert db.session.scalar(select(func.count(User.id)).where(User.email == owner.email)) == 1


# The limits hold across worker processes -------------------------------------------------------


@pytest.mark.no_db
def test_mail_limits_hold_across_two_workers():
    """Two app instances with their own engines, as two gunicorn workers, on one database."""
    with fresh_database("mail-limits") as url:
        config = {"ACCOUNT_MAIL_MAX_PER_EMAIL": 3, "ACCOUNT_MAIL_MAX_PER_ADDRESS": 5}
        workers = [create_app("testing", SQLALCHEMY_DATABASE_URI=url, **config) for _ in "ab"]
        try:
            with workers[0].app_context():
                upgrade()
                factories.UserFactory(email="dana@example.kz")
                region_id = factories.region("KZ-75").id
                db.session.commit()

            def post(i, url, data, address):
                client = workers[i % 2].test_client()
                return client.post(url, data=data, environ_base={"REMOTE_ADDR": address})

            # Per email: 3 resets for dana, alternating workers, from different addresses.
            forgot = {"email": "dana@example.kz"}
            codes = [post(i, "/auth/forgot", forgot, f"10.1.0.{i}").status_code for i in range(5)]
            assert codes == [302, 302, 302, 429, 429]
            # Per address: registrations of new addresses from one client.
            codes = [
                post(
                    i,
                    "/register",
                    _registration(
                        email=f"org{i}@example.kz",
                        bin=factories.valid_bin(78_000 + i),
                        region_id=str(region_id),
                    ),
                    "10.9.0.1",
                ).status_code
                for i in range(7)
            ]
            assert codes == [302] * 5 + [429] * 2
            response = post(
                0,
                "/register",
                _registration(email="org9@example.kz", region_id=str(region_id)),
                "10.9.0.1",
            )
            assert "Too many requests" in _page(response)
            with workers[1].app_context():
                queued = db.session.scalars(select(OutboxEmail.to_address)).all()
            assert sorted(queued) == ["dana@example.kz"] * 3 + [
                f"org{i}@example.kz" for i in range(5)
            ]
        finally:
            for worker in workers:
                with worker.app_context():
                    db.session.remove()
                    db.engine.dispose()


# Lockout cannot be turned against the owner -----------------------------------------------------


def test_a_strangers_guesses_do_not_lock_the_owner_out(app):
    factories.UserFactory(email="aliya@example.kz")
    owner = app.test_client()
    assert _login(owner, "aliya@example.kz", PASSWORD).status_code == 302
    owner.post("/auth/logout")

    stranger = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    codes = [_login(stranger, "aliya@example.kz", "guess", STRANGER).status_code for _ in range(8)]
    assert codes == [401] * limit + [429] * (8 - limit)
    assert _login(stranger, "aliya@example.kz", PASSWORD, STRANGER).status_code == 429
    assert _login(owner, "aliya@example.kz", PASSWORD).status_code == 302


def test_guesses_from_many_addresses_pause_new_ones_and_tell_the_owner(app, smtp):
    factories.UserFactory(email="aliya@example.kz", name="Aliya")
    owner = app.test_client()
    assert _login(owner, "aliya@example.kz", PASSWORD).status_code == 302
    owner.post("/auth/logout")

    limit = app.config["LOGIN_MAX_FAILURES_ACCOUNT_WIDE"]
    for i in range(limit):
        assert (
            _login(app.test_client(), "aliya@example.kz", "guess", f"198.51.100.{i}").status_code
            == 401
        )
    for i in range(3):
        response = _login(app.test_client(), "aliya@example.kz", PASSWORD, f"192.0.2.{i}")
        assert response.status_code == 429 and "Too many failed attempts" in _page(response)
    assert _login(owner, "aliya@example.kz", PASSWORD).status_code == 302

    _deliver(app, smtp)
    (notice,) = smtp.messages
    assert notice["To"] == "aliya@example.kz"
    assert "/auth/forgot" in notice.get_body(("plain",)).get_content()


# Self-registration confirms the email ----------------------------------------------------------


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(client, application):
    return client.post(
        f"/applications/{application.id}/edit",
        data={
            "version": str(application.version_id),
            "save": "1",
            "document": "",
            "attachment": (io.BytesIO(_pdf()), "charter.pdf"),
        },
        content_type="multipart/form-data",
    )


def _files(application) -> int:
    return db.session.scalar(
        select(func.count(ApplicationFile.id)).where(
            ApplicationFile.application_id == application.id
        )
    )


def test_an_unconfirmed_account_may_not_draft_or_upload_until_it_confirms(app, client, smtp):
    call = factories.CallFactory()
    assert client.post("/register", data=_registration()).status_code == 302
    _deliver(app, smtp)
    (message,) = smtp.messages
    path = _link(message, "/auth/confirm")

    # Signing in works, and says to check the email.
    response = _login(client, "galiya@umit.kz", "a long enough password")
    assert response.headers["Location"] == "/auth/confirm"
    page = _page(client.get("/auth/confirm"))  # in Kazakh, the user's language
    assert 'action="/auth/confirm"' in page and 'value="galiya@umit.kz"' in page
    user = db.session.scalar(select(User).where(User.email == "galiya@umit.kz"))

    # No draft ...
    assert client.post(f"/calls/{call.id}/apply").status_code == 403
    assert db.session.scalar(select(func.count(Application.id))) == 0
    # ... and no upload, even to an application of its organisation made behind its back.
    planted = factories.ApplicationFactory(
        call=call, organisation=user.organisation, created_by=user
    )
    assert _upload(client, planted).status_code == 403
    assert _files(planted) == 0
    project = factories.ProjectFactory(organisation=user.organisation)
    assert not permissions.can_upload_documents(user, project)
    assert not permissions.can_report_on(user, project)
    assert not permissions.can_add_story(user, project)

    # The emailed link shows a button (a mail scanner opening it confirms nothing) ...
    assert client.get(path).status_code == 200
    db.session.refresh(user)
    assert not user.email_confirmed
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/calls/"
    db.session.refresh(user)
    assert user.email_confirmed

    # ... and then drafts and uploads work.
    response = client.post(f"/calls/{call.id}/apply")
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    assert _upload(client, planted).status_code in (200, 302, 422)
    assert _files(planted) == 1
    assert permissions.can_upload_documents(user, project)


def test_a_used_or_expired_confirmation_link_is_refused(app, client, smtp):
    client.post("/register", data=_registration())
    _deliver(app, smtp)
    path = _link(smtp.messages[0], "/auth/confirm")

    later = utcnow() + timedelta(seconds=app.config["CONFIRM_EMAIL_MAX_AGE"] + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(path, follow_redirects=True)
    assert "This link has expired" in _page(response)

    assert client.post(path).status_code == 302
    for method in (client.get, client.post):
        response = method(path, follow_redirects=True)
        assert "already been used" in _page(response)


def test_the_confirmation_link_can_be_asked_for_again_within_limits(app, client):
    client.post("/register", data=_registration())
    allowance = app.config["ACCOUNT_MAIL_MAX_PER_EMAIL"] - 1  # the registration used one
    for _ in range(allowance):
        response = client.post("/auth/confirm", data={"email": "galiya@umit.kz"})
        assert response.status_code == 302
    response = client.post("/auth/confirm", data={"email": "galiya@umit.kz"})
    assert response.status_code == 429 and "Too many requests" in _page(response)
    assert len(_outbox("galiya@umit.kz")) == 1 + allowance
    # An address without an account waiting is answered the same and mailed nothing.
    response = client.post("/auth/confirm", data={"email": "nobody@umit.kz"}, follow_redirects=True)
    assert "If this address belongs to an account waiting for confirmation" in _page(response)
    assert _outbox("nobody@umit.kz") == []
