"""Run every benchmark and print one summary table.

    .venv/bin/python -m bench.run_all [--scales S,M,L] [--databases sqlite,postgresql]
    bash bench/run_all.sh  (the same)

Makes the databases (SQLite files under --workdir, and a throwaway PostgreSQL cluster started
with scripts/pg.sh unless --postgres-url names a server to create them on), generates each scale
on each database with bench.generate (a database that already holds its scale is reused with
--reuse), then runs:

- bench.pages at every scale and database (p50, p95, SQL queries of each page);
- bench.publish at M and L on each database (publishing a calendar year: cells, unsafe,
  secondary, solves, seconds, peak memory; the board portfolio page reading it against the
  officers' live page);
- at the largest scale, on each database: bench.reminders (the sweep), bench.throughput (list
  against the bare route, same run) and bench.memory (web worker peak);
- once: bench/report_build.py (board report build against WeasyPrint alone; stored report;
  the build's peak memory).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")


def sh(cmd: list[str], log: Path) -> str:
    print("$", " ".join(cmd), flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    with log.open("a") as f:
        f.write(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}\n")
    out = proc.stdout
    print("\n".join(line for line in out.splitlines() if not line.startswith("INFO")), flush=True)
    print(f"  ({time.perf_counter() - started:.0f} s, exit {proc.returncode})", flush=True)
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
    return out


def pg_start(workdir: Path) -> str:
    return subprocess.run(
        ["bash", "scripts/pg.sh", "start", str(workdir / "pg")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def pg_database(server_url: str, name: str) -> tuple[str, bool]:
    """The URL of database `name` on the server, created if missing; (url, existed)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        existed = bool(
            conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        )
        if not existed:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name, existed


def has_scale(url: str, scale: str) -> bool:
    from sqlalchemy import create_engine, text

    want = {"S": 67, "M": 1_000, "L": 10_000}[scale]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.scalar(text("SELECT count(*) FROM projects"))
    except Exception:
        return False
    finally:
        engine.dispose()
    return n == want


def generate(scale: str, url: str, log: Path) -> None:
    sh([PY, "-m", "bench.generate", "--scale", scale, "--database-url", url], log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="S,M,L")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workdir", default="/tmp/ft-bench")
    parser.add_argument("--postgres-url", help="an existing server (default: a throwaway one)")
    parser.add_argument("--reuse", action="store_true", help="keep databases already generated")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=10, help="wrk's duration per target")
    parser.add_argument("--no-report", action="store_true", help="skip the board report")
    args = parser.parse_args()
    scales = [s.strip().upper() for s in args.scales.split(",")]
    databases = [d.strip() for d in args.databases.split(",")]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "run_all.log"
    started = time.perf_counter()
    own_pg = "postgresql" in databases and not args.postgres_url
    server = pg_start(workdir) if own_pg else args.postgres_url
    pages: dict[tuple[str, str], list[tuple[str, float, float, int]]] = {}
    extra: dict[str, dict[str, str]] = {}
    try:
        for database in databases:
            for scale in scales:
                label = f"{database} {scale}"
                if database == "sqlite":
                    path = workdir / f"{scale.lower()}.sqlite"
                    url = f"sqlite:///{path}"
                    if not (args.reuse and has_scale(url, scale)):
                        path.unlink(missing_ok=True)
                        sh(
                            [PY, "-m", "bench.generate", "--scale", scale, "--database-url", url],
                            log,
                        )
                else:
                    url, existed = pg_database(server, f"ft_bench_{scale.lower()}")
                    if existed and not (args.reuse and has_scale(url, scale)):
                        from sqlalchemy import create_engine, text

                        engine = create_engine(server, isolation_level="AUTOCOMMIT")
                        with engine.connect() as conn:
                            conn.execute(text(f"DROP DATABASE ft_bench_{scale.lower()}"))
                            conn.execute(text(f"CREATE DATABASE ft_bench_{scale.lower()}"))
                        engine.dispose()
                        existed = False
                    if not existed or not has_scale(url, scale):
                        sh(
                            [PY, "-m", "bench.generate", "--scale", scale, "--database-url", url],
                            log,
                        )
                cmd = [PY, "-m", "bench.pages", "--database-url", url]
                cmd += ["--repeat", str(args.repeat), "--label", label]
                out = sh(cmd, log)
                rows = re.findall(r"^(\S.*?)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", out, re.M)
                pages[(database, scale)] = [(n, float(a), float(b), int(q)) for n, a, b, q in rows]
                if scale in ("M", "L"):
                    figures = extra.setdefault(label, {})
                    cmd = [PY, "-m", "bench.publish", "--database-url", url]
                    out = sh(cmd + ["--repeat", str(args.repeat)], log)
                    m = re.search(r"^publish summary\s+(.*)$", out, re.M)
                    figures["publish a year"] = m[1] if m else "?"
                    for key in ("board portfolio, published", "officers' live portfolio"):
                        m = re.search(
                            rf"^{re.escape(key)}\s+([\d.]+)\s+([\d.]+)\s+(\d+)", out, re.M
                        )
                        figures[key] = f"{m[1]} / {m[2]} ms, {m[3]}q" if m else "?"
                    m = re.search(r"^ratio \(p95\)\s+([\d.]+)", out, re.M)
                    figures["board page / live page (p95)"] = m[1] if m else "?"
                if scale == scales[-1]:
                    figures = extra.setdefault(label, {})
                    out = sh([PY, "-m", "bench.reminders", "--database-url", url], log)
                    for key in ("find due (median)", "due occurrences found"):
                        m = re.search(rf"^{re.escape(key)}\s+(.*)$", out, re.M)
                        figures[f"reminder sweep: {key}"] = m[1] if m else "?"
                    m = re.search(r"^send a day's reminders\s+(.*)$", out, re.M)
                    figures["reminder sweep: send"] = m[1] if m else "?"
                    cmd = [PY, "-m", "bench.throughput", "--database-url", url]
                    out = sh(cmd + ["--seconds", str(args.seconds)], log)
                    for key in (
                        "bare route",
                        "project list",
                        "ratio",
                        "no cache",
                        "ratio, no cache",
                    ):
                        m = re.search(rf"^{key}\s+(.*)$", out, re.M)
                        figures[f"throughput: {key}"] = m[1].strip() if m else "?"
                    out = sh([PY, "-m", "bench.memory", "--database-url", url], log)
                    m = re.search(r"^web worker peak RSS\s+(.*)$", out, re.M)
                    figures["web worker peak RSS"] = m[1] if m else "?"
        if not args.no_report:
            out = sh([PY, "bench/report_build.py"], log)
            figures = extra.setdefault("board report (sqlite, demo)", {})
            for line in out.splitlines():
                if ":" in line and not line.startswith("INFO"):
                    key, _, value = line.partition(":")
                    figures[key.strip()] = value.strip()
    finally:
        if own_pg:
            subprocess.run(["bash", "scripts/pg.sh", "stop", str(workdir / "pg")], cwd=ROOT)

    print("\n=== Summary ===")
    names = list(dict.fromkeys(n for rows in pages.values() for n, *_ in rows))
    header = f"{'page':<24}" + "".join(f"{f'{d} {s}':>26}" for d, s in pages)
    print(header)
    print(f"{'':<24}" + "".join(f"{'p50 / p95 ms, queries':>26}" for _ in pages))
    for name in names:
        cells = []
        for rows in pages.values():
            found = [r for r in rows if r[0] == name]
            cells.append(
                f"{found[0][1]:.0f} / {found[0][2]:.0f}, {found[0][3]}q" if found else "not run"
            )
        print(f"{name:<24}" + "".join(f"{c:>26}" for c in cells))
    for label, figures in extra.items():
        print(f"\n{label}")
        for key, value in figures.items():
            print(f"  {key:<44} {value}")
    print(f"\ntotal time {(time.perf_counter() - started) / 60:.1f} min; log: {log}")


if __name__ == "__main__":
    main()
