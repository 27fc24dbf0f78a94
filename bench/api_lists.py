"""Server-side latency (p50, p95) and SQL query count of the API's list endpoints, against the
bare `GET /api/v1/me` (the token check and nothing else) in the same run, with the ratio of the
p95s.

    .venv/bin/python -m bench.api_lists --database-url sqlite:////tmp/ft-bench/l.sqlite

Run it against a database made by `bench.generate` (the figures mean most at L). Each list is
requested through the WSGI app in-process (no network), with a personal access token of an
officer (the whole portfolio) or of the grantee with the most projects, as an integrator would
page through it: the first page, a page deep in the list, the largest page size, and a
synchronisation (`updated_since`). Every request also counts the token's use (one UPDATE and a
commit, as in production), the baseline included. The rate limit is lifted for the run.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event, func, select

from bench.pages import percentile
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import Milestone, Project, Role, User
from fundtracker.services import api_tokens


@dataclass
class Call:
    name: str
    role: str  # "officer" | "grantee"
    path: str


def _calls(since: dict[str, str]) -> list[Call]:
    deep = "page=200"  # rows 4,976-5,000 of a list of the portfolio's size at L
    return [
        Call("me (baseline)", "officer", "/api/v1/me"),
        Call("projects", "officer", "/api/v1/projects"),
        Call("projects, deep page", "officer", f"/api/v1/projects?{deep}"),
        Call("projects, 100 a page", "officer", "/api/v1/projects?page_size=100"),
        Call(
            "projects, updated_since",
            "officer",
            f"/api/v1/projects?updated_since={since['projects']}",
        ),
        Call("projects, grantee", "grantee", "/api/v1/projects"),
        Call("milestones", "officer", "/api/v1/milestones"),
        Call("milestones, deep page", "officer", f"/api/v1/milestones?{deep}"),
        Call(
            "milestones, updated_since",
            "officer",
            f"/api/v1/milestones?updated_since={since['milestones']}",
        ),
        Call("milestones, grantee", "grantee", "/api/v1/milestones"),
        Call("tranches", "officer", "/api/v1/tranches"),
        Call("indicators", "officer", "/api/v1/indicators"),
        Call("indicators, 100 a page", "officer", "/api/v1/indicators?page_size=100"),
        Call("organisations", "officer", "/api/v1/organisations"),
        Call("calls", "officer", "/api/v1/calls"),
        Call("calls, grantee", "grantee", "/api/v1/calls"),
        Call("applications", "officer", "/api/v1/applications"),
        Call("applications, deep page", "officer", f"/api/v1/applications?{deep}"),
        Call("publications", "officer", "/api/v1/publications"),
    ]


@dataclass
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    status: int
    rows: int
    total: int | None


def _busiest_grantee() -> User:
    org = db.session.scalar(
        select(Project.organisation_id)
        .group_by(Project.organisation_id)
        .order_by(func.count().desc(), Project.organisation_id)
        .limit(1)
    )
    return db.session.scalars(
        select(User).where(User.organisation_id == org, User.active.is_(True)).order_by(User.id)
    ).first()


SYNCED = {"projects": Project, "milestones": Milestone}


def _last_tenth(model) -> str:
    """The time from which the last tenth of `model`'s rows changed (its 90th percentile)."""
    count = db.session.scalar(select(func.count()).select_from(model))
    stamp = db.session.scalar(
        select(model.updated_at).order_by(model.updated_at).offset(count * 9 // 10).limit(1)
    )
    return stamp.isoformat().replace("+00:00", "Z")


def _token(user: User) -> str:
    _token_row, raw = api_tokens.create(
        db.session, user, name="bench", scopes=["read"], expires_on=today() + timedelta(days=1)
    )
    db.session.commit()
    return raw


def measure(app, call: Call, headers: dict, repeat: int, warmup: int = 3) -> Result:
    client = app.test_client()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    times: list[float] = []
    status = rows = 0
    total = None
    event.listen(engine, "before_cursor_execute", count)
    try:
        for i in range(repeat + warmup):
            statements.clear()
            started = time.perf_counter()
            response = client.get(call.path, headers=headers)
            body = response.get_data()
            took = time.perf_counter() - started
            status = response.status_code
            if i >= warmup:
                times.append(took * 1000)
        queries = len(statements)
        data = json.loads(body)
        rows = len(data) if isinstance(data, list) else 1
        if "X-Pagination" in response.headers:
            total = json.loads(response.headers["X-Pagination"])["total"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return Result(
        call.name, percentile(times, 50), percentile(times, 95), queries, status, rows, total
    )


def run(database_url: str, repeat: int) -> list[Result]:
    from fundtracker import create_app

    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, API_RATE_LIMIT_PER_MINUTE=10**9
    )
    with app.app_context():
        officer = db.session.scalars(
            select(User).where(User.role == Role.OFFICER, User.active.is_(True)).order_by(User.id)
        ).first()
        headers = {
            "officer": {"Authorization": f"Bearer {_token(officer)}"},
            "grantee": {"Authorization": f"Bearer {_token(_busiest_grantee())}"},
        }
        # A synchronisation that finds the last tenth of the changes.
        since = {name: _last_tenth(model) for name, model in SYNCED.items()}
        db.session.remove()
    gc.freeze()  # as wsgi.py does in a served worker
    return [measure(app, c, headers[c.role], repeat) for c in _calls(since)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    results = run(args.database_url, args.repeat)
    base = results[0].p95_ms
    print(
        f"{'API list':<28} {'p50 ms':>8} {'p95 ms':>8} {'× me':>6} {'queries':>8} "
        f"{'rows':>5} {'total':>8}  {args.label}"
    )
    for r in results:
        flag = "" if r.status == 200 else f"  (HTTP {r.status})"
        total = "" if r.total is None else f"{r.total:,}"
        print(
            f"{r.name:<28} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p95_ms / base:>6.1f} "
            f"{r.queries:>8} {r.rows:>5} {total:>8}{flag}"
        )
    lists = [r for r in results[1:] if r.status == 200]
    worst = max(lists, key=lambda r: r.p95_ms)
    print(
        f"\nslowest list p95 {worst.p95_ms:.1f} ms ({worst.name}): {worst.p95_ms / base:.1f}× "
        f"the bare /api/v1/me ({base:.1f} ms) in the same run"
    )


if __name__ == "__main__":
    main()
