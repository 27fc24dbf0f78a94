"""Load test (a benchmark, not a test; issue #22): the production set-up on this machine under
a mix of users for a bounded time, then a check that nothing was lost or stored twice.

Set-up, as deploy/ describes it: a PostgreSQL cluster of its own (scripts/pg.sh) with the demo
data, two gunicorn processes (deploy/gunicorn.conf.py) behind nginx (scripts/nginx_site.py), and
the scheduler (`flask scheduler`). Users (bench/load/locustfile.py, headless locust in a
process of its own): officers reading pages, grantees saving milestone drafts with an evidence
file, reviewers, board members on the portfolio and downloading the board report.

Printed: per kind of page, the count and p50/p95/p99 in ms; the error rate; the page cache's
hit rate over the run (from the app processes' /metrics); and the check:
- every draft saved (302) has its evidence file stored exactly once, on its milestone's update;
- no file of a refused save was kept (nothing half-written);
- no email is in the outbox twice.

    uv sync --group load
    .venv/bin/python -m bench.load.run --users 50 --seconds 60
    .venv/bin/python -m bench.load.run --users 50,100,150 --seconds 60   # until p95 > 1 s

Needs nginx and the PostgreSQL server binaries (scripts/test.sh installs both).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
PASSWORD = "load-test password 2026"


def _seed(url: str, folders: dict) -> dict:
    """The demo data, every account's password set to PASSWORD; the plan for locust."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from fundtracker import create_app
    from fundtracker.core.extensions import db
    from fundtracker.demo import seed_demo
    from fundtracker.models import (
        Milestone,
        MilestoneStatus,
        Project,
        ProjectStatus,
        Role,
        User,
    )
    from fundtracker.services.accounts import hash_password

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **folders)
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        digest = hash_password(PASSWORD)
        for user in db.session.scalars(select(User)):
            user.password_hash = digest
        db.session.commit()
        users = list(db.session.scalars(select(User).where(User.active.is_(True))))
        by_role = {r: [u for u in users if u.role == r] for r in Role}
        milestones = []
        for grantee in by_role[Role.GRANTEE]:
            found = db.session.scalars(
                select(Milestone.id)
                .join(Project)
                .where(
                    Project.organisation_id == grantee.organisation_id,
                    Project.status == ProjectStatus.ACTIVE,
                    Milestone.status.in_(
                        [MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED]
                    ),
                )
                .order_by(Milestone.due_date)
            ).all()
            # One user a milestone: two colleagues of an organisation share its milestones.
            taken = {m["milestone"] for m in milestones}
            milestones += [
                {"email": grantee.email, "milestone": m} for m in found[:10] if m not in taken
            ]
        plan = {
            "password": PASSWORD,
            "officers": [u.email for u in by_role[Role.OFFICER]],
            "reviewer": by_role[Role.REVIEWER][0].email,
            "board": by_role[Role.BOARD][0].email,
            "projects": list(db.session.scalars(select(Project.id).order_by(Project.id))),
            "milestones": milestones,
        }
        db.session.remove()
        db.engine.dispose()
    return plan


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _board_report(base: str, plan: dict) -> str:
    """Ask for the board report as the board member does; the scheduler builds it."""
    client = requests.Session()
    form = client.get(f"{base}/auth/login", timeout=30)
    client.post(
        f"{base}/auth/login",
        data={"csrf_token": _csrf(form.text), "email": plan["board"], "password": PASSWORD},
        timeout=30,
    )
    page = client.get(f"{base}/reports/", timeout=30)
    asked = client.post(
        f"{base}/reports/board",
        data={
            "csrf_token": _csrf(page.text),
            "period": "2025",
            "area": "",
            "region": "",
            "language": "ru",
        },
        allow_redirects=False,
        timeout=30,
    )
    report = re.search(r"/reports/(\d+)", asked.headers.get("Location", "")).group(1)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(f"{base}/reports/{report}/status", timeout=30).json()
        if status["finished"]:
            return f"/reports/{report}/download"
        time.sleep(1)
    raise SystemExit("the board report was not built in 5 minutes")


def _cache(apps: list[str]) -> Counter:
    counts: Counter = Counter()
    for app in apps:
        text = requests.get(f"{app}/metrics", timeout=30).text
        for result, value in re.findall(
            r'^fundtracker_page_cache_total\{result="(\w+)"\} (\S+)$', text, re.M
        ):
            counts[result] += float(value)
    return counts


def _check(url: str, journal: list[dict], uploads: Path, backend: str) -> dict:
    from sqlalchemy import create_engine, text

    from fundtracker.core.storage import upload_name

    engine = create_engine(url)
    with engine.connect() as conn:
        keys = conn.execute(
            text("SELECT storage_key FROM stored_files WHERE original_name LIKE 'load-%'")
        ).scalars()
        if backend == "database":
            kept = set(
                conn.execute(
                    text("SELECT key FROM stored_blobs WHERE area = 'uploads' AND seq = 0")
                ).scalars()
            )
            no_content = sum(1 for key in keys if key not in kept)
        else:
            no_content = sum(1 for key in keys if not (uploads / upload_name(key)).is_file())
        stored = Counter(
            dict(
                conn.execute(
                    text(
                        "SELECT original_name, count(*) FROM stored_files WHERE original_name"
                        " LIKE 'load-%' AND deleted_at IS NULL GROUP BY original_name"
                    )
                ).all()
            )
        )
        twice_mail = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT to_address, subject, body_text FROM outbox_emails"
                " GROUP BY to_address, subject, body_text HAVING count(*) > 1) AS d"
            )
        ).scalar()
        resent = conn.execute(text("SELECT count(*) FROM outbox_emails WHERE resends > 0")).scalar()
    engine.dispose()
    saved = [j for j in journal if j["status"] == 302]
    refused = [j for j in journal if j["status"] != 302]
    return {
        "drafts saved": len(saved),
        "saves refused, by status": dict(Counter(j["status"] for j in refused)),
        "saved files missing": sum(1 for j in saved if stored[j["file"]] == 0),
        "saved files stored twice": sum(1 for j in saved if stored[j["file"]] > 1),
        f"stored files whose content is not in {backend} storage": no_content,
        "refused saves whose file was kept": sum(1 for j in refused if stored[j["file"]] > 0),
        "emails in the outbox twice": twice_mail,
        "emails sent again after a sender died mid-send": resent,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Requests that end this long after the last user started are the steady state: every user has
# signed in (50 argon2 hashes in the first seconds load the CPU as no office does at once).
SETTLE_SECONDS = 5


def _table(requests_: list, spawned_at: float | None) -> list[dict]:
    """Per kind of page, and for all pages (the sign-in left out: its password hashing is slow
    on purpose, and a user signs in once), over the whole run and over the steady state: count,
    failures, p50/p95/p99 in ms."""
    kinds: dict[str, list] = {}
    for name, ms, ok, _at in requests_:
        kinds.setdefault(name, []).append((ms, ok))
    pages = [r for r in requests_ if not r[0].startswith("login")]
    kinds["ALL PAGES (no sign-in)"] = [(ms, ok) for _n, ms, ok, _at in pages]
    if spawned_at is not None:
        kinds["ALL PAGES, all users signed in"] = [
            (ms, ok) for _n, ms, ok, at in pages if at >= spawned_at + SETTLE_SECONDS
        ]
    rows = []
    for name, seen in kinds.items():
        times = [ms for ms, _ok in seen]
        rows.append(
            {
                "name": name,
                "count": len(seen),
                "failures": sum(1 for _ms, ok in seen if not ok),
                **{f"p{q}": _percentile(times, q / 100) for q in (50, 95, 99)},
            }
        )
    return rows


def run(users: int, seconds: int, base: str, apps: list[str], tmp: Path, plan: dict) -> dict:
    plan_file, journal_file = tmp / "plan.json", tmp / f"journal-{users}.json"
    plan_file.write_text(json.dumps(plan))
    before = _cache(apps)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users // 10, 1)),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=dict(os.environ, LOAD_PLAN=str(plan_file), LOAD_JOURNAL=str(journal_file)),
        check=False,
        cwd=ROOT,
    )
    after = _cache(apps)
    hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
    if not journal_file.exists():  # locust failed: nothing to check is not nothing lost
        raise SystemExit(f"locust wrote no journal ({journal_file}): the run failed")
    journal = json.loads(journal_file.read_text())
    return {
        "table": _table(journal.get("requests", []), journal.get("spawned_at")),
        "journal": journal.get("saves", []),
        "cache": hits / (hits + misses) if hits + misses else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="FundTracker's load test")
    parser.add_argument("--users", default="50", help="users, or several: 50,100,150")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per process")
    parser.add_argument(
        "--storage", choices=["local", "database"], default="local", help="STORAGE_BACKEND"
    )
    args = parser.parse_args()
    import local_stack
    import nginx_site

    tmp = local_stack.workdir("ft-load-")
    pg_dir = Path(tempfile.mkdtemp(prefix="ft-load-pg-"))
    processes: list[subprocess.Popen] = []
    url = local_stack.start_postgres(pg_dir)
    folders = {
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "REPORTS_FOLDER": str(tmp / "reports"),
        "STORAGE_BACKEND": args.storage,
    }
    try:
        print("seeding the demo data…", flush=True)
        plan = _seed(url, folders)
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            **folders,
            "TRUSTED_PROXIES": 1,
            "X_ACCEL_REDIRECT": True,
            "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 100000,
        }
        ports = [local_stack.free_port(), local_stack.free_port()]
        for n, port in enumerate(ports):
            processes.append(local_stack.start_gunicorn(config, port, tmp, str(n), args.workers))
        for port, process in zip(ports, processes, strict=True):
            local_stack.wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        # The scheduler on the same settings (the same encryption keys) as the app processes.
        scheduler_code = (
            "from fundtracker import create_app\n"
            "from fundtracker.scheduler.runner import build_scheduler\n"
            f"app = {local_stack.app_factory(config).replace('fundtracker:', '')}\n"
            "app.config['SCHEDULER_INTERVAL_SECONDS'] = 5\n"
            "build_scheduler(app).start()\n"
        )
        scheduler_log = open(tmp / "scheduler.log", "w")  # noqa: SIM115 - for the process's life
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and code
                [sys.executable, "-c", scheduler_code],
                cwd=ROOT,
                stdout=scheduler_log,
                stderr=subprocess.STDOUT,
            )
        )
        front = local_stack.free_port()
        site = nginx_site.render(
            server_name="localhost",
            upstreams=[f"127.0.0.1:{p}" for p in ports],
            listen=f"127.0.0.1:{front}",
            upload_root=folders["UPLOAD_FOLDER"],
            reports_root=folders["REPORTS_FOLDER"],
            max_body_mb=100,
            access_log="off",
            error_log=str(tmp / "nginx-error.log"),
        )
        processes.append(local_stack.start_nginx(tmp, site, workers="auto"))
        base = f"http://127.0.0.1:{front}"
        local_stack.wait_until_up(f"{base}/healthz", processes[-1])
        print("building the board report through the scheduler…", flush=True)
        plan["report_url"] = _board_report(base, plan)
        apps = [f"http://127.0.0.1:{p}" for p in ports]
        lost = False
        for users in (int(u) for u in args.users.split(",")):
            print(f"\n== {users} users, {args.seconds} s", flush=True)
            result = run(users, args.seconds, base, apps, tmp, plan)
            lost = _print(result, url, Path(folders["UPLOAD_FOLDER"]), args.storage) or lost
            steady = [r for r in result["table"] if r["name"].startswith("ALL PAGES")][-1]
            if steady["p95"] > 1000:
                print(f"p95 over 1 s at {users} users: stopping here")
                break
    finally:
        local_stack.stop(processes)
        local_stack.stop_postgres(pg_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    if lost:
        raise SystemExit("something was lost or kept twice: see the checks above")


# The checks that count something lost or kept twice: any of them above 0 fails the run.
LOSSES = (
    "saved files missing",
    "saved files stored twice",
    "refused saves whose file was kept",
    "emails in the outbox twice",
)


def _print(result: dict, url: str, uploads: Path, backend: str) -> bool:
    """Print the run's figures and checks; True when something was lost or kept twice."""
    print(f"{'page':40} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in result["table"]:
        print(
            f"{row['name'][:40]:40} {row['count']:>7} {row['failures']:>5}"
            f" {row['p50']:>6.0f} {row['p95']:>6.0f} {row['p99']:>6.0f}"
        )
    pages = next(r for r in result["table"] if r["name"].startswith("ALL PAGES"))
    print(f"error rate: {pages['failures'] / pages['count'] if pages['count'] else 0:.2%}")
    if result["cache"] is not None:
        print(f"page cache hit rate: {result['cache']:.1%}")
    checks = _check(url, result["journal"], uploads, backend)
    for name, value in checks.items():
        print(f"{name}: {value}")
    return any(checks[name] for name in LOSSES)


if __name__ == "__main__":
    main()
