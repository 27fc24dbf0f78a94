"""Throughput of the public transparency page (/transparency/, signed out, from its page cache)
as a ratio to the bare route of bench/bare_app.py (one indexed select), both under gunicorn
(2 workers) and measured with wrk on 127.0.0.1 in this run, against the same database; then the
same page with the cache off (every request renders it) and the app's /healthz (SELECT 1
through the whole app) for scale.

    .venv/bin/python -m bench.public_page --database-url sqlite:////tmp/ft-bench/l.sqlite

bench/generate.py leaves the signing date of the projects it adds empty (they would not be
public): each such project is given its start date as signing date here first (said in the
output), so that the page shows the data size the other benchmarks use.
"""

from __future__ import annotations

import argparse
import signal
import urllib.request

from sqlalchemy import create_engine, text

from bench.throughput import USER_AGENT, ensure_wrk, serve, wrk

PATH = "/transparency/?lang=ru"


def public_projects(database_url: str) -> int:
    """How many projects are public, once every project without a signing date took its start
    date (bench/generate.py leaves the date empty)."""
    engine = create_engine(database_url)
    count_sql = text(
        "SELECT count(*) FROM projects WHERE agreement_signed_on IS NOT NULL AND confidential = :no"
    )
    with engine.begin() as conn:
        signed = conn.execute(
            text(
                "UPDATE projects SET agreement_signed_on = start_date "
                "WHERE agreement_signed_on IS NULL"
            )
        ).rowcount
        if signed:
            print(f"signed {signed} projects (their start date) so that the page shows them")
        count = conn.execute(count_sql, {"no": False}).scalar_one()
    engine.dispose()
    return count


def check(url: str) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 200:
            raise SystemExit(f"{url}: {response.status}, not 200")
        if response.headers.get("Set-Cookie"):
            raise SystemExit(f"{url}: a public page set a cookie")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_wrk()
    print(f"public projects   {public_projects(args.database_url):>8}")
    results = {}
    for name, app_path, url_path, extra in (
        ("bare route", "bench.bare_app:app", "/bare", {}),
        ("healthz", "wsgi:app", "/healthz", {}),
        ("public page", "wsgi:app", PATH, {}),
        # The same page with the page cache off: every request renders it.
        ("public page, no cache", "wsgi:app", PATH, {"PAGE_CACHE_BYTES": "0"}),
    ):
        proc, port = serve(app_path, args.database_url, extra)
        try:
            url = f"http://127.0.0.1:{port}{url_path}"
            if app_path == "wsgi:app":
                check(url)
            wrk(url, None, 2)  # warm-up (and, with the cache on, each worker keeps the page)
            results[name] = wrk(url, None, args.seconds)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    bare = results["bare route"]
    print(f"bare route        {bare:>8.0f} req/s   (bench/bare_app.py: one indexed select)")
    print(f"healthz           {results['healthz']:>8.0f} req/s   (the whole app, SELECT 1)")
    page = results["public page"]
    print(f"public page       {page:>8.0f} req/s   ({PATH}, signed out, from the page cache)")
    print(f"ratio             {page / bare:>8.2f}   (public page / bare route)")
    cold = results["public page, no cache"]
    print(f"no cache          {cold:>8.0f} req/s   (every request renders the page)")
    print(f"ratio, no cache   {cold / bare:>8.2f}")


if __name__ == "__main__":
    main()
