"""Benchmark (not a test): importing a portfolio of 1,000 projects from a workbook (issue #24).

Builds a workbook of `--projects` projects (default 1,000), each with its organisation, two
regions, three budget lines, five milestones and five tranches adding up to the award, and
prints, on a throwaway database migrated to head:

- the baseline: openpyxl reading every row of the same workbook (read-only), in this run;
- the check (the preview: read, parse, match, no writes), and its ratio to the baseline;
- applying it and committing (one transaction), and the rows written per second;
- the same workbook checked again (everything unchanged), and its ratio to the baseline;
- the peak memory (VmHWM) of this process over the check and the import.

Run: .venv/bin/python -m bench.import_portfolio [--projects 1000]
(SQLite in a temporary folder; set DATABASE_URL to an empty PostgreSQL database instead).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from openpyxl import Workbook, load_workbook

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.demo.organisations import demo_bin
from fundtracker.models import Role, User
from fundtracker.services import imports

REGIONS = ("KZ-19", "KZ-71", "KZ-75", "KZ-11")
TODAY = date(2026, 12, 5)


def workbook(projects: int) -> bytes:
    book = Workbook(write_only=True)
    sheets = {
        name: book.create_sheet(name)
        for name in (
            "organisations",
            "projects",
            "project_regions",
            "budget_lines",
            "milestones",
            "tranches",
        )
    }
    sheets["organisations"].append(["bin", "name", "region"])
    sheets["projects"].append(
        [
            "code",
            "title_ru",
            "organisation_bin",
            "area",
            "status",
            "awarded",
            "start_date",
            "end_date",
        ]
    )
    sheets["project_regions"].append(["project_code", "region"])
    sheets["budget_lines"].append(["project_code", "category", "description", "amount"])
    sheets["milestones"].append(["project_code", "title", "due_date"])
    sheets["tranches"].append(["project_code", "milestone", "planned_date", "amount"])
    for n in range(projects):
        bin_ = demo_bin("2301", 10_000 + n)
        code = f"BENCH-{n:05d}"
        award = 10_000_000 + n * 1000  # tenge
        start = date(2025, 1, 1) + timedelta(days=n % 300)
        sheets["organisations"].append([bin_, f"Қор №{n}", REGIONS[n % 4]])
        sheets["projects"].append(
            [
                code,
                f"Проект {n}",
                bin_,
                "healthcare",
                "active",
                award,
                start.strftime("%d.%m.%Y"),
                (start + timedelta(days=700)).strftime("%d.%m.%Y"),
            ]
        )
        for region in (REGIONS[n % 4], REGIONS[(n + 1) % 4]):
            sheets["project_regions"].append([code, region])
        for category, share in (("equipment", 5), ("personnel", 3), ("training", 2)):
            sheets["budget_lines"].append([code, category, f"{category} {n}", award * share / 10])
        for m in range(5):
            due = start + timedelta(days=120 * (m + 1))
            title = f"Этап {m + 1}"
            sheets["milestones"].append([code, title, due.strftime("%d.%m.%Y")])
            sheets["tranches"].append([code, title, due.strftime("%d.%m.%Y"), award // 5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def read_alone(data: bytes) -> tuple[float, int]:
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for ws in book.worksheets for _ in ws.iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ft-import-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    data = workbook(args.projects)
    with app.app_context(), app.test_request_context():
        upgrade()
        admin = User(email="bench-admin@example.kz", name="Bench", role=Role.ADMIN, locale="en")
        db.session.add(admin)
        db.session.commit()
        baseline, rows = read_alone(data)
        reset_peak()
        start = time.perf_counter()
        ctx = imports.check(db.session, admin, data, "bench.xlsx", TODAY)
        checked = time.perf_counter() - start
        if ctx.problems:
            raise SystemExit(f"the generated workbook has problems: {ctx.problems[:5]}")
        changes = sum(1 for c in ctx.changes if c.action != "unchanged")
        start = time.perf_counter()
        imports.apply(ctx, source="bench.xlsx")
        db.session.commit()
        applied = time.perf_counter() - start
        peak = peak_mb()
        db.session.expire_all()
        start = time.perf_counter()
        again = imports.check(db.session, admin, data, "bench.xlsx", TODAY)
        rechecked = time.perf_counter() - start
        unchanged = all(c.action == "unchanged" for c in again.changes) and not again.problems
    print(f"database:                    {url.split(':')[0]}")
    print(
        f"workbook:                    {args.projects} projects, {rows} rows, "
        f"{len(data) / 1e6:.1f} MB"
    )
    print(f"baseline, openpyxl reading:  {baseline:6.2f} s")
    print(
        f"check (preview):             {checked:6.2f} s   ({checked / baseline:.1f}× the baseline)"
    )
    print(
        f"apply + commit:              {applied:6.2f} s   ({changes} rows written, "
        f"{changes / applied:,.0f} rows/s)"
    )
    print(
        f"check again (all unchanged): {rechecked:6.2f} s   ({rechecked / baseline:.1f}× the "
        f"baseline; unchanged: {unchanged})"
    )
    print(f"peak memory (check + import): {peak:.0f} MB")


if __name__ == "__main__":
    main()
