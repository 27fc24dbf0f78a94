"""Ending a session from another browser signs that browser out at its next request, in every
worker: real gunicorn with two sync worker processes on a database of its own, two HTTP clients
(two cookie jars) signed in as the same user, CSRF on as in production."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Role, UserSession
from fundtracker.services import users
from tests.conftest import free_port
from tests.dbutil import migrated_app
from tests.services.test_sessions import CHROME_ANDROID, FIREFOX_WINDOWS

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two workers, one user"
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
ENOUGH = 40  # requests of B after the ending, asked again until both workers answered some


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still starting
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def served(tmp_path):
    """(base URL, access log) of the app under gunicorn -w 2, and a user to sign in as."""
    with migrated_app("sessions") as app:
        user = users.create_user(
            db.session,
            None,
            users.UserData(email="dana@example.kz", name="Dana", role=Role.OFFICER, locale="en"),
            password=PASSWORD,
        )
        db.session.commit()
        user_id = user.id
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
        port = free_port()
        access_log = tmp_path / "access.log"
        error_log = tmp_path / "error.log"
        factory = (
            f"fundtracker:create_app('testing', SQLALCHEMY_DATABASE_URI={url!r},"
            f" WTF_CSRF_ENABLED=True, TESTING=False, UPLOAD_FOLDER={str(tmp_path)!r})"
        )
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                f"--access-logfile={access_log}",
                "--access-logformat=%(p)s %(U)s %(s)s",
                f"--error-logfile={error_log}",
                factory,
            ],
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, server, error_log)
            yield base, access_log, user_id
        finally:
            server.terminate()
            server.wait(timeout=30)


def _sign_in(base: str, agent: str) -> requests.Session:
    client = requests.Session()
    client.headers["User-Agent"] = agent
    form = client.get(f"{base}/auth/login", timeout=10)
    response = client.post(
        f"{base}/auth/login",
        data={"csrf_token": _csrf(form.text), "email": "dana@example.kz", "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return client


def _status(client: requests.Session, base: str) -> int:
    return client.get(f"{base}/tasks", allow_redirects=False, timeout=10).status_code


def _workers_that_answered(access_log: Path, path: str, status: int) -> set[str]:
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    lines = access_log.read_text().splitlines()
    return {line.split()[0] for line in lines if line.split()[1:] == [path, str(status)]}


def test_ending_a_session_signs_the_other_browser_out_in_every_worker(served):
    base, access_log, user_id = served
    a = _sign_in(base, FIREFOX_WINDOWS)
    b = _sign_in(base, CHROME_ANDROID)
    assert all(_status(b, base) == 200 for _ in range(10))

    page = a.get(f"{base}/account/sessions", timeout=10)
    assert page.status_code == 200 and "Chrome on Android" in page.text
    b_id = db.session.scalar(  # the fixture's app context, on the server's database
        select(UserSession.id).where(
            UserSession.user_id == user_id, UserSession.browser == "Chrome"
        )
    )
    db.session.remove()
    assert f"/account/sessions/{b_id}/end" in page.text
    response = a.post(
        f"{base}/account/sessions/{b_id}/end",
        data={"csrf_token": _csrf(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302

    # Every request of B goes to the login page, until both workers have answered one (which
    # worker accepts a connection is the kernel's choice: ask again rather than hope).
    statuses: list[int] = []
    while len(statuses) < 20 * ENOUGH:
        statuses += [_status(b, base) for _ in range(ENOUGH)]
        if len(_workers_that_answered(access_log, "/tasks", 302)) == 2:
            break
    assert set(statuses) == {302}, statuses
    assert len(_workers_that_answered(access_log, "/tasks", 302)) == 2
    assert all(_status(a, base) == 200 for _ in range(10))  # A goes on
