"""Peak memory (VmHWM, the resident set's high-water mark) of a gunicorn web worker after it has
served every key page of bench.pages several times, against the given database.

    .venv/bin/python -m bench.memory --database-url sqlite:////tmp/ft-l.sqlite
"""

from __future__ import annotations

import argparse
import signal
import urllib.request
from pathlib import Path

from bench.pages import PAGES
from bench.throughput import production_app, serve

# Every page that bench.pages measures, the outcomes portfolio included.
KEY_PAGES = PAGES


def high_water_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def page_paths(database_url: str) -> list[tuple[str, str]]:
    """(path, cookie) for each key page, signed in as the page's role."""
    from sqlalchemy import select

    from bench.signin import session_token
    from fundtracker.core.extensions import db
    from fundtracker.models import User

    app = production_app(database_url)
    found = []
    with app.app_context():
        for page in KEY_PAGES:
            user = (
                page.user()
                if page.user
                else db.session.scalars(
                    select(User).where(User.role == page.role, User.active.is_(True))
                ).first()
            )
            with app.test_request_context():
                path = page.url()
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = session_token(user)
                sess["_fresh"] = True
            found.append((path, f"session={client.get_cookie('session').value}"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pages = page_paths(args.database_url)
    proc, port = serve("wsgi:app", args.database_url)
    try:
        for _ in range(args.rounds):
            for path, cookie in pages:
                request = urllib.request.Request(  # noqa: S310
                    f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}
                )
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
        workers = children(proc.pid)
        peaks = [high_water_mb(pid) for pid in workers]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    print(f"web worker peak RSS   {max(peaks):>7.1f} MB   (target <= 250 MB; {len(peaks)} workers)")


if __name__ == "__main__":
    main()
