"""Publishing a calendar year's outcome figures, and the board's portfolio page reading them.

    .venv/bin/python -m bench.publish --database-url sqlite:////tmp/ft-l.sqlite [--year 2025]

1. Publishing: `publications.publish` of the year (its quarters and half-years with it, as one
   linked set per measure), timed, with its peak memory (VmHWM, reset just before it, as
   bench/report_build.py does), and split into its parts: reading the year's results
   (cells.load), building the linked sets (cells.build), protecting and auditing them (protect:
   secondary suppression and the HiGHS intruder), storing the cells, and the commit.
2. The board portfolio page, `/outcomes/portfolio?period=<year>` as a board member: p50/p95
   through the in-process client with the page cache off (bench.pages.measure), against the
   officers' live portfolio page over the same year in the same run (the ratio of the p95s).

The publication is committed for the page, then removed (its cells and rows, the notifications
it sent, the results' locks), so the benchmark runs again on the same database; a year left
published by an interrupted run is removed first. `--keep` leaves it in place.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gc
import pstats
import signal
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from flask import url_for
from sqlalchemy import delete, func, select, update

from bench.pages import Page, measure
from fundtracker.core.extensions import db
from fundtracker.disclosure import grid
from fundtracker.models import (
    IndicatorResult,
    Notification,
    OutboxEmail,
    Publication,
    PublishedCell,
    Role,
    User,
)
from fundtracker.services import publications


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_mb(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


class OverBudget(Exception):
    """Publishing took longer than --budget: what was measured so far is printed."""


class Timers:
    """Time spent in the parts of publishing, by wrapping them where publish() finds them."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.outcomes: list[tuple[float, object, object]] = []  # (seconds, measure, outcome)
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner, name: str, label: str, *, each=None) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                self.seconds[label] += took
            if each:
                each(took, args, result)
            return result

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def replace(self, owner, name: str, value) -> None:
        self._undo.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def _primary_only(linked):
    """Not protection: the primary rule alone, no secondary cell and no audit (--skip-protection,
    to put the year's cells in place for the page when protecting them takes too long)."""
    from fundtracker.disclosure.display import unsafe
    from fundtracker.disclosure.linked import PRIMARY, SHOWN
    from fundtracker.disclosure.protect import Outcome

    for cell in linked.cells:
        if not cell.fixed:
            cell.status = PRIMARY if unsafe(cell.value) else SHOWN
    primary = sum(1 for c in linked.cells if c.status == PRIMARY and not c.fixed)
    return Outcome(primary, 0, primary, None, 0, 0.0)


def _modules():
    import importlib

    return (
        importlib.import_module("fundtracker.services.publications.publish"),
        importlib.import_module("fundtracker.services.publications.cells"),
    )


def remove(session, year: int, locked_before: set[int], marks: dict[str, int]) -> int:
    """Remove the year's publications (and what publishing them wrote); returns how many."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    ids = list(
        session.scalars(
            select(Publication.id).where(
                Publication.period_start >= first, Publication.period_end <= last
            )
        )
    )
    if ids:
        session.execute(delete(PublishedCell).where(PublishedCell.publication_id.in_(ids)))
        session.execute(delete(Publication).where(Publication.id.in_(ids)))
    unlock = update(IndicatorResult).where(
        IndicatorResult.period_end >= first,
        IndicatorResult.period_end <= last,
        IndicatorResult.locked.is_(True),
    )
    if locked_before:
        unlock = unlock.where(IndicatorResult.id.not_in(locked_before))
    session.execute(unlock.values(locked=False).execution_options(synchronize_session=False))
    for model in (Notification, OutboxEmail):
        if model.__tablename__ in marks:
            session.execute(delete(model).where(model.id > marks[model.__tablename__]))
    session.commit()
    return len(ids)


def publish_year(
    app, year: int, profile: bool = False, budget: int = 0, skip_protection: bool = False
) -> dict:
    """Publish the year once, timed; returns the figures (and leaves it committed)."""
    publish_module, cells_module = _modules()
    key = str(year)
    period = grid.parse(key)
    today = date(year + 1, 1, 15)
    with app.app_context():
        session = db.session
        officer = session.scalars(
            select(User).where(User.role == Role.OFFICER, User.active.is_(True)).order_by(User.id)
        ).first()
        waiting = publications.pending(session, period)
        if waiting:
            raise SystemExit(
                f"{waiting:,} results of {year} are not verified: this database was generated "
                "before bench/generate.py verified the years that have ended; generate it again."
            )
        removed = remove(session, year, set(), {})
        if removed:
            print(f"(removed {removed} publications of {year} left by an earlier run)")
        locked_before = set(
            session.scalars(
                select(IndicatorResult.id).where(
                    IndicatorResult.period_end >= period.start,
                    IndicatorResult.period_end <= period.end,
                    IndicatorResult.locked.is_(True),
                )
            )
        )
        marks = {
            m.__tablename__: session.scalar(select(func.coalesce(func.max(m.id), 0)))
            for m in (Notification, OutboxEmail)
        }
        session.commit()

        timers = Timers()

        def each_protect(took, args, outcome):
            cells = getattr(args[0], "cells", None)
            measure = cells[0].key[1:3] if cells else None  # (period, kind, id, ...)
            timers.outcomes.append((took, measure, outcome))
            if took > 1:
                print(
                    f"  (protected {measure}: {len(cells):,} cells, {outcome.primary} primary, "
                    f"{outcome.secondary} secondary, {outcome.solves} solves, {took:.1f} s)",
                    flush=True,
                )

        def each_part(label):
            def each(took, _args, _result):
                print(f"  ({label}: {took:.1f} s)", flush=True)

            return each

        timers.wrap(cells_module, "load", "cells.load", each=each_part("cells.load"))
        timers.wrap(cells_module, "build", "cells.build", each=each_part("cells.build"))
        if skip_protection:
            # For the page alone: the same cells stored, only the primary rule applied.
            timers.replace(publish_module, "protect", _primary_only)
        timers.wrap(publish_module, "protect", "protect", each=each_protect)
        timers.wrap(publish_module, "_store", "store")
        gc.collect()
        before = memory_mb("VmRSS")
        reset_peak()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()

        def over_budget(*_args):
            raise OverBudget

        if budget:
            signal.signal(signal.SIGALRM, over_budget)
            signal.alarm(budget)
        try:
            if profiler:
                profiler.enable()
            made = publications.publish(session, officer, key, today)
            if profiler:
                profiler.disable()
            signal.alarm(0)
            took = time.perf_counter() - started
            peak = memory_mb("VmHWM")
            started = time.perf_counter()
            session.commit()
            commit = time.perf_counter() - started
        except OverBudget:
            if profiler:
                profiler.disable()
            session.rollback()
            took = time.perf_counter() - started
            print(f"publish {year}: stopped after {took:.0f} s (--budget); so far:")
            for label, seconds in timers.seconds.items():
                print(f"  {label:<19} {seconds:>10.1f} s")
            done = sum(t for t, _m, _o in timers.outcomes)
            print(
                f"  {len(timers.outcomes)} linked sets protected ({done:.1f} s); the one under way"
            )
            print(f"  {took - sum(timers.seconds.values()):.1f} s so far")
            print(f"peak memory (VmHWM)   {memory_mb('VmHWM'):>10.0f} MB")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            raise SystemExit(1) from None
        finally:
            signal.alarm(0)
            timers.undo()
        audit = [p.audit for p in made]
        figures = {
            "periods": len(made),
            "cells": sum(a.get("cells", 0) for a in audit),
            "primary": sum(a.get("primary", 0) for a in audit),
            "secondary": sum(a.get("secondary", 0) for a in audit),
            "unsafe": sum(o.unsafe for _t, _m, o in timers.outcomes),
            "solves": sum(o.solves for _t, _m, o in timers.outcomes),
            "seconds": took,
            "commit": commit,
            "peak": peak,
            "before": before,
            "parts": dict(timers.seconds),
            "sets": len(timers.outcomes),
            "sets_list": list(timers.outcomes),
            "slowest": max(timers.outcomes, key=lambda t: t[0], default=None),
            "cleanup": (locked_before, marks),
            "profile": profiler,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, help="default: the last year that has ended")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the publication in place")
    parser.add_argument("--profile", action="store_true", help="cProfile publish(): top 25")
    parser.add_argument(
        "--budget", type=int, default=0, help="stop publishing after this many seconds"
    )
    parser.add_argument(
        "--skip-protection",
        action="store_true",
        help="for the page alone: store the cells with the primary rule only (NOT protected)",
    )
    args = parser.parse_args()

    from fundtracker import create_app

    year = args.year or date.today().year - 1
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url, WTF_CSRF_ENABLED=False)
    gc.freeze()  # as wsgi.py does in a served worker
    f = publish_year(app, year, args.profile, args.budget, args.skip_protection)
    try:
        parts = f["parts"]
        accounted = sum(parts.values())
        print(f"publish {year}: {f['periods']} periods, {f['sets']} linked sets (one per measure)")
        if args.skip_protection:
            print("  PROTECTION SKIPPED (--skip-protection): primary rule only, for the page")
        print(f"cells                 {f['cells']:>10,}")
        print(f"unsafe                {f['unsafe']:>10,}   (primary cells audited)")
        print(f"secondary             {f['secondary']:>10,}")
        print(f"solves                {f['solves']:>10,}")
        commit = f"publish(); the commit {f['commit']:.1f} s more"
        print(f"seconds               {f['seconds']:>10.1f}   ({commit})")
        for label in ("cells.load", "cells.build", "protect", "store"):
            if label in parts:
                print(f"  {label:<19} {parts[label]:>10.1f} s")
        print(f"  {'the rest':<19} {f['seconds'] - accounted:>10.1f} s")
        sets = sorted(f["sets_list"], key=lambda t: -t[0])[:5]
        if sets:
            print("  slowest sets: " + ", ".join(f"{m} {t:.1f} s" for t, m, _o in sets))
        if f["slowest"]:
            took, measure_, outcome = f["slowest"]
            hidden = f"{outcome.primary} primary, {outcome.secondary} secondary"
            print(f"  slowest set: {measure_} {took:.1f} s ({hidden}, {outcome.solves} solves)")
        print(
            f"peak memory (VmHWM)   {f['peak']:>10.0f} MB   ({f['before']:.0f} MB resident before)"
        )
        print(
            f"publish summary       cells {f['cells']}, unsafe {f['unsafe']}, "
            f"secondary {f['secondary']}, solves {f['solves']}, seconds {f['seconds']:.1f}, "
            f"peak {f['peak']:.0f} MB"
        )
        if f["profile"]:
            pstats.Stats(f["profile"]).sort_stats("cumulative").print_stats(25)
        if not args.no_pages:
            pages(app, year, args.repeat)
    finally:
        if not args.keep:
            locked_before, marks = f["cleanup"]
            with app.app_context():
                remove(db.session, year, locked_before, marks)


def pages(app, year: int, repeat: int) -> None:
    board = Page(
        "board portfolio, published",
        Role.BOARD,
        lambda: url_for("outcomes.portfolio", period=str(year)),
    )
    live = Page(
        "officers' live portfolio",
        Role.OFFICER,
        lambda: url_for(
            "outcomes.portfolio", start=date(year, 1, 1).isoformat(), end=f"{year}-12-31"
        ),
    )
    results = [measure(app, page, repeat) for page in (board, live)]
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for r in results:
        flag = "" if r.status == 200 else f"  (HTTP {r.status})"
        if r.samples < repeat:
            flag += f"  ({r.samples} requests: time budget)"
        print(f"{r.name:<28} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.queries:>8}{flag}")
    print(
        f"ratio (p95)           {results[0].p95_ms / results[1].p95_ms:.3f}   "
        f"(board page, published / officers' live page; target p95 <= 100 ms)"
    )


if __name__ == "__main__":
    main()
