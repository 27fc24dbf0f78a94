"""Server-side latency (p50, p95) and SQL query count of FundTracker's key pages.

    .venv/bin/python -m bench.pages --database-url sqlite:////tmp/ft-m.sqlite [--repeat 30]

Run it against a database made by `bench.generate`. Each page is requested through the WSGI app
in-process (no network, no browser): what is timed is FundTracker's own work, from the request to
the finished response body, database included. The first requests warm the caches and are not
counted. The rendered-page cache (fundtracker.core.page_cache) is off here (the testing
configuration): every request renders its page, as after any change to the data. Each
capability's pages add an entry to PAGES.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, url_for
from sqlalchemy import event, func, select

from bench.signin import session_token
from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Milestone,
    Project,
    ProjectStatus,
    Region,
    Role,
    User,
)


@dataclass
class Page:
    name: str
    role: Role
    url: Callable[[], str]  # built inside a request context
    user: Callable[[], User] | None = None  # default: the first active user of the role


def _busiest_project() -> Project:
    """The project with the most milestones: the heaviest project page."""
    pid = db.session.scalar(
        select(Milestone.project_id)
        .group_by(Milestone.project_id)
        .order_by(func.count().desc(), Milestone.project_id)
        .limit(1)
    )
    return db.session.get(Project, pid)


def _largest_region() -> Region:
    return db.session.scalars(select(Region).order_by(Region.id)).first()


def _busiest_grantee() -> User:
    org = db.session.scalar(
        select(Project.organisation_id)
        .group_by(Project.organisation_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    return db.session.scalars(
        select(User).where(User.organisation_id == org, User.active.is_(True)).order_by(User.id)
    ).first()


def _busiest_call() -> int:
    """The call with the most applications past drafting: the longest ranking."""
    return db.session.scalar(
        select(Application.call_id)
        .where(Application.status != ApplicationStatus.DRAFT)
        .group_by(Application.call_id)
        .order_by(func.count().desc(), Application.call_id)
        .limit(1)
    )


PAGES: list[Page] = [
    Page("officer dashboard", Role.OFFICER, lambda: url_for("main.dashboard_view")),
    Page(
        "project list, filtered",
        Role.OFFICER,
        lambda: url_for(
            "projects.index",
            region=_largest_region().id,
            status=ProjectStatus.ACTIVE.value,
            sort="code",
        ),
    ),
    Page(
        "project page",
        Role.OFFICER,
        lambda: url_for("projects.detail", project_id=_busiest_project().id),
    ),
    Page("grantee home", Role.GRANTEE, lambda: url_for("main.index"), user=_busiest_grantee),
    Page(
        "call ranking",
        Role.OFFICER,
        lambda: url_for("applications.call_ranking", call_id=_busiest_call()),
    ),
    Page("reminders admin", Role.ADMIN, lambda: url_for("notifications.admin_index")),
    Page("outcomes portfolio", Role.OFFICER, lambda: url_for("outcomes.portfolio")),
    # The lists that grow with the fund (#18): a page of 25 rows, however long the list.
    Page("applications list", Role.OFFICER, lambda: url_for("applications.index")),
    Page(
        "applications list, search",
        Role.OFFICER,
        lambda: url_for("applications.index", q="№1234"),
    ),
    Page(
        # Every generated title has these words: the search reads and counts them all.
        "applications list, broad search",
        Role.OFFICER,
        lambda: url_for("applications.index", q="ОҢАЛТУ", status=ApplicationStatus.SUBMITTED.value),
    ),
    Page(
        "applications list, grantee",
        Role.GRANTEE,
        lambda: url_for("applications.index"),
        user=_busiest_grantee,
    ),
    Page("organisations list", Role.OFFICER, lambda: url_for("organisations.index")),
    Page(
        "organisations list, search",
        Role.OFFICER,
        lambda: url_for("organisations.index", q="ҚОР №12", verified="yes"),
    ),
    Page("calls list", Role.OFFICER, lambda: url_for("applications.calls")),
    Page("calls list, search", Role.OFFICER, lambda: url_for("applications.calls", q="КОНКУРС")),
    Page(
        "notifications", Role.GRANTEE, lambda: url_for("notifications.index"), user=_busiest_grantee
    ),
]


@dataclass
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    status: int
    samples: int = 0
    size: int = 0  # bytes of the response body


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(app: Flask, page: Page, repeat: int, warmup: int = 3, budget: float = 60) -> Result:
    with app.app_context():
        user = (
            page.user()
            if page.user
            else db.session.scalars(
                select(User).where(User.role == page.role, User.active.is_(True)).order_by(User.id)
            ).first()
        )
        with app.test_request_context():
            url = page.url()
        token = session_token(user)
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = None
    with app.app_context():
        engine = db.engine
    times = []
    status = size = 0
    event.listen(engine, "before_cursor_execute", count)
    try:
        i, begun = 0, time.perf_counter()
        while len(times) < repeat:
            statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            size = len(response.get_data())
            took = time.perf_counter() - started
            status = response.status_code
            if i == 0 and took > 1:
                warmup = min(warmup, 1)  # a slow page: one warm-up is enough
            if i >= warmup:
                times.append(took * 1000)
            i += 1
            # A page that takes seconds gets a time budget instead of `repeat` requests (at
            # least 2 timed): the figure says how many it is based on.
            if len(times) >= 2 and time.perf_counter() - begun > budget:
                break
        queries = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return Result(
        page.name, percentile(times, 50), percentile(times, 95), queries, status, len(times), size
    )


def run(database_url: str, repeat: int, pages: list[Page] | None = None) -> list[Result]:
    from fundtracker import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False)
    gc.freeze()  # as wsgi.py does in a served worker
    return [measure(app, page, repeat) for page in pages or PAGES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--label", default="")
    parser.add_argument("--pages", help="comma-separated parts of page names (default: all)")
    parser.add_argument("--exclude", help="comma-separated parts of page names to leave out")
    args = parser.parse_args()
    wanted = [w.strip() for w in args.pages.split(",")] if args.pages else None
    unwanted = [w.strip() for w in args.exclude.split(",")] if args.exclude else []
    pages = [
        p
        for p in PAGES
        if (not wanted or any(w in p.name for w in wanted))
        and not any(w in p.name for w in unwanted)
    ]
    results = run(args.database_url, args.repeat, pages)
    print(f"{'page':<32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}  {args.label}")
    for r in results:
        flag = "" if r.status == 200 else f"  (HTTP {r.status})"
        if r.samples < args.repeat:
            flag += f"  ({r.samples} requests: time budget)"
        print(
            f"{r.name:<32} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.queries:>8} "
            f"{r.size / 1024:>7.1f}{flag}"
        )


if __name__ == "__main__":
    main()
