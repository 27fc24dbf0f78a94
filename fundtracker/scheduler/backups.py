"""Backups of this app (issue #19): what is backed up (the database, the upload folder and the
folder of built reports), where to, and the nightly job. The archive itself is
fundtracker.core.backup's; `flask backup` and `flask restore` (fundtracker/cli.py) call `make`
and `restore` here.

The nightly job runs with the scheduler's jobs every minute and makes a backup once the day's
BACKUP_TIME (Asia/Almaty) has passed and the folder holds no archive made since: a scheduler that
was down at that hour makes it when it comes back, and one that runs twice makes it once (a lock
file, then the folder is looked at again). A failed backup is logged, tried again an hour later,
and the administrators are told of the first failure of each night.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from fundtracker.core import backup, storage
from fundtracker.core.extensions import db
from fundtracker.core.time import FUND_TZ
from fundtracker.models import Role, User, utcnow
from fundtracker.pdf.service import reports_folder
from fundtracker.services import audit, notifications

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(hours=1)
_LOCK = ".backup.lock"
_FAILED = ".backup-failed.json"


def sources() -> dict[str, Path]:
    """The folders a backup holds, by the name they have in the archive: none when the files
    are kept in the database (STORAGE_BACKEND=database), whose dump holds them, in the same
    snapshot as their rows; the folders are then only this machine's copies."""
    if storage.backend() == "database":
        return {}
    return {"uploads": storage.file_storage().root, "reports": reports_folder()}


def destination(app: Flask) -> Path:
    return Path(app.config.get("BACKUP_FOLDER") or Path(app.instance_path) / "backups")


def app_version() -> str:
    try:
        return importlib.metadata.version("fundtracker")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def make(into: Path | None = None) -> backup.Made:
    """Back up the app of the current app context into `into` (BACKUP_FOLDER by default) and
    record it in the audit log (committed)."""
    app = current_app
    made = backup.make_backup(
        db.engine,
        sources(),
        into or destination(app),
        app_version=app_version(),
        pg_bin=app.config.get("BACKUP_PG_BIN"),
    )
    db.session.rollback()  # the archive is made; the audit row is a transaction of its own
    audit.record(
        db.session,
        None,
        "backup.made",
        details={
            "archive": made.path.name,
            "size": made.size,
            "database": made.manifest["database"],
            "rows": sum(made.manifest["tables"].values()),
            "files": made.manifest["files"],
        },
    )
    db.session.commit()
    return made


def restore(archive: Path) -> backup.Restored:
    """Restore `archive` into the (empty) database and folders of the current app context."""
    db.session.remove()
    return backup.restore(
        db.engine, sources(), archive, pg_bin=current_app.config.get("BACKUP_PG_BIN")
    )


# The nightly job ----------------------------------------------------------------------------


def last_slot(now: datetime, at: time) -> datetime:
    """The latest moment, at or before `now`, that the clock in Almaty read `at` (UTC)."""
    local = now.astimezone(FUND_TZ)
    slot = datetime.combine(local.date(), at, tzinfo=FUND_TZ)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=FUND_TZ)
    return slot.astimezone(UTC)


def due(folder: Path, slot: datetime) -> bool:
    made = backup.archives(folder)
    return not made or made[-1][0] < slot


@contextlib.contextmanager
def _locked(folder: Path):
    """Yields True while this process holds the backup folder's lock, False if another does."""
    with (folder / _LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _failure(folder: Path) -> dict | None:
    try:
        return json.loads((folder / _FAILED).read_text())
    except (OSError, ValueError):
        return None


def backup_job(app: Flask) -> Path | None:
    """Make the nightly backup if it is due; returns the archive made, if any."""
    spec = app.config.get("BACKUP_TIME")
    if not spec:
        return None
    hour, minute = (int(x) for x in spec.split(":"))
    now = utcnow()
    slot = last_slot(now, time(hour, minute))
    folder = destination(app)
    if not due(folder, slot):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with app.app_context(), _locked(folder) as held:
        if not held or not due(folder, slot):
            return None
        failed = _failure(folder)
        failed_this_night = failed is not None and failed.get("slot") == slot.isoformat()
        if failed_this_night and now - datetime.fromisoformat(failed["at"]) < RETRY_AFTER:
            return None
        try:
            made = make(folder)
        except Exception as error:
            db.session.rollback()
            log.exception("The nightly backup failed")
            (folder / _FAILED).write_text(
                json.dumps({"slot": slot.isoformat(), "at": now.isoformat()})
            )
            if not failed_this_night:
                _tell_admins(error)
            return None
        finally:
            db.session.remove()
        (folder / _FAILED).unlink(missing_ok=True)
        removed = backup.prune(folder, int(app.config.get("BACKUP_KEEP", 14)))
        log.info(
            "Nightly backup %s (%d bytes); removed %d older: %s",
            made.path,
            made.size,
            len(removed),
            ", ".join(p.name for p in removed) or "none",
        )
        return made.path


def _tell_admins(error: Exception) -> None:
    """Tell the active administrators, in their language, that the nightly backup failed."""
    try:
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active))
        for admin in admins:
            with force_locale(admin.locale):
                subject = _("The nightly backup failed")
                body = _(
                    "FundTracker could not make the nightly backup (%(error)s). It tries again "
                    "in an hour; the scheduler's log says more.",
                    error=str(error)[:300] or type(error).__name__,
                )
            notifications.notify(db.session, admin, subject=subject, body=body, url="")
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Telling the administrators of the failed backup failed")
    finally:
        db.session.remove()
