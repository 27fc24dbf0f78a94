"""Backing up and restoring a whole FundTracker: the database and the folders of files, in one
tar archive with a manifest of hashes (issue #19). No rule of the fund's: the caller names the
folders (`flask backup`, the nightly job in fundtracker/scheduler/backups.py).

An archive, `fundtracker-backup-YYYYMMDD-HHMMSS.tar` (the moment in UTC), holds

- `database/fundtracker.pgdump`: PostgreSQL by `pg_dump --format=custom` (compressed), or
  `database/fundtracker.sqlite`: SQLite by its online backup API (a running app is fine);
- `<folder>/<path>`: every file of each folder (`uploads/…`, `reports/…`);
- `manifest.json` (last): format, app version, Alembic revision, database kind, when, each
  member's size and SHA-256, and the row count of every table.

Not compressed: the dump compresses itself, and uploads and PDFs are compressed already.

Consistency. The row counts and the dump are one snapshot: on PostgreSQL the counts are read in a
REPEATABLE READ transaction whose snapshot pg_dump imports (`--snapshot`); on SQLite they are
counted in the copy. The files are copied after the database: the app writes a file under a new
random name (renamed into place when whole) before the row naming it commits, and never rewrites
one, so every file the dump refers to is there when the folders are read. Files written during
the backup may be included too (harmless: nothing refers to them); temporary files (names
starting with a dot, or ending in .part) are left out; a file removed while the backup runs is
left out.

The archive is written under a temporary name in the destination folder and linked to its final
name when whole, so an archive with the final name is always complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL

from fundtracker.core.storage import FILE_MODE

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {
    "postgresql": "database/fundtracker.pgdump",
    "sqlite": "database/fundtracker.sqlite",
}
ARCHIVE_NAME = re.compile(r"^fundtracker-backup-(\d{8}-\d{6})\.tar$")
_STAMP = "%Y%m%d-%H%M%S"
_TEMP_PREFIX = ".fundtracker-backup-"
_CHUNK = 1024 * 1024
PG_TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Made:
    path: Path
    manifest: dict

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass
class Restored:
    manifest: dict
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)


def archive_name(moment: datetime) -> str:
    return f"fundtracker-backup-{moment.astimezone(UTC).strftime(_STAMP)}.tar"


def archives(folder: Path) -> list[tuple[datetime, Path]]:
    """The backup archives in `folder` (by their names), oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            found.append((datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC), path))
    return sorted(found)


def prune(folder: Path, keep: int, now: datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` archives (only files named like one), and temporary
    files of backups that stopped over a day ago; returns what was deleted."""
    removed = [path for _, path in archives(folder)[: -keep if keep > 0 else None]]
    stale = (now or datetime.now(UTC)) - timedelta(days=1)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith(_TEMP_PREFIX):
                modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                if modified < stale:
                    removed.append(path)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


# Databases -------------------------------------------------------------------------------------


def database_kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"Backing up a {kind} database is not supported.")
    return kind


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows in every table of the default schema, by table name."""
    names = sorted(inspect(conn).get_table_names())
    return {name: conn.scalar(select(func.count()).select_from(table(name))) for name in names}


def _revision(conn: Connection, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


def pg_tool(name: str, folder: str | None = None) -> str:
    """The path of pg_dump or pg_restore: in `folder` if given, else the newest PostgreSQL's
    binaries in /usr/lib/postgresql/*/bin (Debian keeps each version there), else on PATH."""
    if folder:
        candidates = [Path(folder) / name]
    else:

        def version(path: Path) -> tuple:
            return tuple(int(p) if p.isdigit() else 0 for p in path.parent.parent.name.split("."))

        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)[::-1]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} was not found: install the PostgreSQL client (postgresql-client).")


def pg_environment(url: URL) -> dict[str, str]:
    """libpq's environment for `url`: the password goes by PGPASSWORD, never on a command line
    (where `ps` would show it)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host or url.query.get("host"),
        "PGPORT": str(url.port) if url.port else url.query.get("port"),
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    # What the URL leaves out, libpq takes from the environment, as the app's own driver does.
    for key, value in values.items():
        if value:
            env[key] = str(value) if not isinstance(value, tuple) else str(value[0])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - our own argument list, no shell
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupError(f"{what} failed: {error}") from error
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


def _dump_postgresql(engine: Engine, target: Path, pg_bin: str | None) -> tuple[dict, str | None]:
    pg_dump = pg_tool("pg_dump", pg_bin)
    reading = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with reading as conn, conn.begin():
        snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
        tables = row_counts(conn)
        revision = _revision(conn, tables)
        # pg_dump reads the very snapshot counted above, while this transaction holds it.
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
            + [f"--file={target}"],
            pg_environment(engine.url),
            "pg_dump",
        )
    return tables, revision


def _copy_sqlite(engine: Engine, target: Path) -> tuple[dict, str | None]:
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)
        finally:
            copy.close()
    finally:
        raw.close()
    counter = create_engine(f"sqlite:///{target}")
    try:
        with counter.connect() as conn:
            tables = row_counts(conn)
            return tables, _revision(conn, tables)
    finally:
        counter.dispose()


# Archives --------------------------------------------------------------------------------------


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with path.open("rb") as stream:
        stat = os.fstat(stream.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        hashing = _Hashing(stream)
        tar.addfile(info, hashing)
    return {"name": name, "size": hashing.size, "sha256": hashing.digest.hexdigest()}


def _kept(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return not any(p.startswith(".") for p in parts) and not path.name.endswith(".part")


def make_backup(
    engine: Engine,
    folders: dict[str, Path],
    into: Path,
    *,
    app_version: str,
    pg_bin: str | None = None,
    now: datetime | None = None,
) -> Made:
    """Write one archive of the database and `folders` ({label: folder}) into `into`."""
    kind = database_kind(engine)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    into.mkdir(parents=True, exist_ok=True)
    final = into / archive_name(moment)
    if final.exists():
        raise BackupError(f"{final} already exists.")
    work = Path(tempfile.mkdtemp(dir=into, prefix=f"{_TEMP_PREFIX}work-"))
    partial = into / f"{_TEMP_PREFIX}{final.name}.{os.getpid()}.part"
    try:
        dump = work / "database"
        if kind == "postgresql":
            tables, revision = _dump_postgresql(engine, dump, pg_bin)
        else:
            tables, revision = _copy_sqlite(engine, dump)
        members = []
        counts = {}
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            members.append(_add_file(tar, DATABASE_MEMBERS[kind], dump))
            dump.unlink()
            for label, root in folders.items():
                counts[label] = 0
                if not root.is_dir():
                    continue
                for path in sorted(root.rglob("*")):
                    if path.is_symlink() or not path.is_file() or not _kept(path, root):
                        continue
                    name = f"{label}/{path.relative_to(root).as_posix()}"
                    try:
                        members.append(_add_file(tar, name, path))
                    except FileNotFoundError:
                        log.info("backup: %s was removed while the backup ran", path)
                        continue
                    counts[label] += 1
            manifest = {
                "format": FORMAT,
                "app": "fundtracker",
                "app_version": app_version,
                "alembic_revision": revision,
                "database": kind,
                "created_at": moment.isoformat(),
                "tables": tables,
                "files": counts,
                "members": members,
            }
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(moment.timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(body))
        with partial.open("rb") as done:
            os.fsync(done.fileno())
        try:
            os.link(partial, final)  # never replaces an archive of the same name
        except FileExistsError:
            raise BackupError(f"{final} already exists.") from None
        _sync_folder(into)
        return Made(path=final, manifest=manifest)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _safe_name(name: str, labels: set[str]) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name == MANIFEST or name in DATABASE_MEMBERS.values() or path.parts[0] in labels


def verify_archive(archive: Path, labels: set[str]) -> dict:
    """The manifest of `archive` once every member is checked against it (names, sizes,
    SHA-256, nothing missing or extra); raises BackupError otherwise. Reads, changes nothing."""
    try:
        tar = tarfile.open(archive, "r:")  # noqa: SIM115 - closed by the `with tar` below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive} is not a FundTracker backup archive: {error}") from None
    with tar:
        try:
            entries = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{archive} is damaged: {error}") from None
        manifest, expected = _read_manifest(tar, archive, [m.name for m in entries])
        _check_members(archive, entries, expected, labels, manifest["database"])
        for entry in entries:
            if entry.name != MANIFEST:
                _check_hash(tar, archive, entry, expected[entry.name])
    return manifest


def _read_manifest(tar: tarfile.TarFile, archive: Path, names: list[str]) -> tuple[dict, dict]:
    if MANIFEST not in names:
        raise BackupError(f"{archive} has no {MANIFEST}: not a FundTracker backup.")
    try:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{archive} is damaged: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a manifest of format {FORMAT}.")
    if manifest.get("database") not in DATABASE_MEMBERS:
        raise BackupError(f"{archive}: unknown database kind in the manifest.")
    try:
        expected = {m["name"]: m for m in manifest["members"]}
        tables = {str(k): int(v) for k, v in manifest["tables"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BackupError(f"{archive}: the manifest is incomplete.") from None
    if not tables:
        raise BackupError(f"{archive}: the manifest counts no tables.")
    return manifest, expected


def _check_members(archive, entries, expected: dict, labels: set[str], kind: str) -> None:
    names = [m.name for m in entries]
    if len(names) != len(set(names)):
        raise BackupError(f"{archive} names a member twice.")
    unsafe = [m.name for m in entries if not m.isfile() or not _safe_name(m.name, labels)]
    if unsafe:
        raise BackupError(f"{archive} holds unexpected members: {', '.join(unsafe[:5])}")
    missing = sorted(set(expected) - set(names))
    extra = sorted(set(names) - set(expected) - {MANIFEST})
    if missing or extra:
        raise BackupError(
            f"{archive} does not match its manifest (missing: {missing[:5]}, extra: {extra[:5]})."
        )
    if DATABASE_MEMBERS[kind] not in expected:
        raise BackupError(f"{archive} holds no database.")


def _check_hash(tar: tarfile.TarFile, archive: Path, entry: tarfile.TarInfo, want: dict) -> None:
    try:
        hashing = _Hashing(tar.extractfile(entry))
        while hashing.read(_CHUNK):
            pass
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is damaged at {entry.name}: {error}") from None
    if hashing.size != want.get("size") or hashing.digest.hexdigest() != want.get("sha256"):
        raise BackupError(
            f"{archive} is damaged: {entry.name} does not match its size and SHA-256 in the "
            "manifest."
        )


def _database_problem(engine: Engine) -> str | None:
    """Why the database cannot be restored into (None when it is empty)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            return "An in-memory SQLite database cannot be restored into: set DATABASE_URL."
        if not Path(path).exists() or Path(path).stat().st_size == 0:
            return None
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            objects = conn.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
            )
        else:
            objects = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
                    " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
                )
            )
    if objects:
        return f"The database is not empty ({objects} tables or other objects)."
    return None


def _folder_problem(label: str, root: Path) -> str | None:
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        return f"The {label} folder {root} is not empty."
    return None


def restore(
    engine: Engine,
    folders: dict[str, Path],
    archive: Path,
    *,
    pg_bin: str | None = None,
) -> Restored:
    """Restore `archive` into the empty database of `engine` and the empty `folders`. Checks
    the archive and the targets first and changes nothing when either is wrong."""
    manifest = verify_archive(archive, set(folders))
    kind = database_kind(engine)
    if manifest["database"] != kind:
        raise BackupError(
            f"The archive holds a {manifest['database']} database; this app uses {kind}."
        )
    problems = [_database_problem(engine)]
    problems += [_folder_problem(label, root) for label, root in folders.items()]
    problems = [p for p in problems if p]
    if problems:
        raise BackupError(
            "Restore refused, nothing was changed: "
            + " ".join(problems)
            + " Restore into a new, empty database and empty folders."
        )
    restored = Restored(manifest=manifest)
    with tarfile.open(archive, "r:") as tar:
        member = DATABASE_MEMBERS[kind]
        if kind == "postgresql":
            _restore_postgresql(engine, tar, member, pg_bin)
        else:
            _restore_sqlite(engine, tar, member)
        for label, root in folders.items():
            restored.files[label] = 0
            for entry in tar.getmembers():
                if not entry.name.startswith(f"{label}/"):
                    continue
                target = root.joinpath(*PurePosixPath(entry.name).parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{target.name}.part")
                with tar.extractfile(entry) as source, partial.open("wb") as out:
                    shutil.copyfileobj(source, out, _CHUNK)
                partial.chmod(FILE_MODE)  # as the app stores them, whatever the umask
                os.replace(partial, target)
                restored.files[label] += 1
    engine.dispose()
    with engine.connect() as conn:
        restored.tables = row_counts(conn)
    for name, count in manifest["tables"].items():
        if restored.tables.get(name) != count:
            restored.mismatches[name] = (count, restored.tables.get(name))
    return restored


def _restore_postgresql(engine: Engine, tar: tarfile.TarFile, member: str, pg_bin) -> None:
    pg_restore = pg_tool("pg_restore", pg_bin)
    engine.dispose()
    with tempfile.TemporaryDirectory(prefix="fundtracker-restore-") as work:
        dump = Path(work) / "fundtracker.pgdump"
        with tar.extractfile(member) as source, dump.open("wb") as out:
            shutil.copyfileobj(source, out, _CHUNK)
        # One transaction: a restore that fails leaves the database as empty as it was. Owners
        # and grants are the restoring role's (the new server's roles may differ).
        _run(
            [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
            + ["--no-password", f"--dbname={engine.url.database}", str(dump)],
            pg_environment(engine.url),
            "pg_restore",
        )


def _restore_sqlite(engine: Engine, tar: tarfile.TarFile, member: str) -> None:
    path = Path(engine.url.database)
    engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restore.part")
    with tar.extractfile(member) as source, partial.open("wb") as out:
        shutil.copyfileobj(source, out, _CHUNK)
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)  # they belong to the empty database being replaced
    os.replace(partial, path)
