"""Throughput of the filtered project list under gunicorn (2 workers), as a ratio to a bare Flask
route that runs one indexed select (bench/bare_app.py), both measured in this run with wrk on
127.0.0.1. Both servers run the same gunicorn settings against the same database.

    .venv/bin/python -m bench.throughput --database-url sqlite:////tmp/ft-l.sqlite
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-bench-secret-key-bench-secret"  # noqa: S105 - a throwaway for the run
DATA_KEY = "2vNfUe8C2yTqZ1y2m1mN0a0hC6jJQbK3g3pX9bXl1Ws="  # a throwaway Fernet key for the run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        FUNDTRACKER_CONFIG="production",
        SECRET_KEY=SECRET,
        DATA_ENCRYPTION_KEYS=DATA_KEY,
        DATABASE_URL=database_url,
        MAIL_SERVER="127.0.0.1",
        EXTERNAL_URL="https://bench.invalid",
    )


def production_app(database_url: str):
    """The app as gunicorn runs it here, made in this process to sign session cookies."""
    from fundtracker import create_app

    env = env_for(database_url)
    return create_app(
        "production",
        SECRET_KEY=SECRET,
        DATA_ENCRYPTION_KEYS=DATA_KEY,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_SERVER=env["MAIL_SERVER"],
        EXTERNAL_URL=env["EXTERNAL_URL"],
    )


def session_cookie(database_url: str) -> tuple[str, str]:
    """A signed-in officer's session cookie and the filtered list's path."""
    from flask import url_for
    from sqlalchemy import select

    from bench.signin import session_token
    from fundtracker.core.extensions import db
    from fundtracker.models import ProjectStatus, Region, Role, User

    app = production_app(database_url)
    with app.app_context():
        officer = db.session.scalars(
            select(User).where(User.role == Role.OFFICER).order_by(User.id)
        ).first()
        region = db.session.scalars(select(Region).order_by(Region.id)).first()
        with app.test_request_context():
            path = url_for("projects.index", region=region.id, status=ProjectStatus.ACTIVE.value)
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(officer)
            sess["_fresh"] = True
        cookie = client.get_cookie("session")
        return f"session={cookie.value}", path


def serve(
    app_path: str, database_url: str, extra: dict | None = None
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_path,
        ],
        cwd=ROOT,
        env=env_for(database_url) | (extra or {}),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            break
        except OSError as error:
            if getattr(error, "code", None):  # any HTTP answer: it is up
                break
            time.sleep(0.1)
    return proc, port


def wrk(url: str, cookie: str | None, seconds: int) -> float:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True)


USER_AGENT = "wrk-bench"


def as_a_browser(url: str, cookie: str) -> str:
    """Ask once as a browser would and keep the session cookie the server sends back (with the
    login's session identifier and CSRF secret in it), as a browser keeps it; exits unless 200."""
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Cookie": cookie, "User-Agent": USER_AGENT}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status != 200:
            sys.exit(f"{url}: {response.status}, not 200")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == "session":
                return f"session={rest.split(';', 1)[0]}"
    return cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_wrk()
    cookie, path = session_cookie(args.database_url)
    results = {}
    for name, app_path, url_path, ck, extra in (
        ("bare route", "bench.bare_app:app", "/bare", None, {}),
        ("project list", "wsgi:app", path, cookie, {}),
        # The same list with the page cache off: every request renders the page.
        ("project list, no cache", "wsgi:app", path, cookie, {"PAGE_CACHE_BYTES": "0"}),
    ):
        proc, port = serve(app_path, args.database_url, extra)
        try:
            url = f"http://127.0.0.1:{port}{url_path}"
            if ck:
                ck = as_a_browser(url, ck)
            wrk(url, ck, 2)  # warm-up
            results[name] = wrk(url, ck, args.seconds)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    bare, listing = results["bare route"], results["project list"]
    cold = results["project list, no cache"]
    print(f"bare route        {bare:>8.0f} req/s")
    print(f"project list      {listing:>8.0f} req/s   (the same page again: from the page cache)")
    print(f"ratio             {listing / bare:>8.2f}   (target >= 0.5)")
    print(f"no cache          {cold:>8.0f} req/s   (every request renders the list)")
    print(f"ratio, no cache   {cold / bare:>8.2f}")


if __name__ == "__main__":
    main()
