"""The nightly backup job (fundtracker.scheduler.backups): once a night after BACKUP_TIME in
Almaty, caught up when missed, once when run twice, old archives pruned, failures told."""

from __future__ import annotations

import tarfile
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from fundtracker.core import backup
from fundtracker.core.extensions import db
from fundtracker.models import Notification
from fundtracker.scheduler import JOBS, backups
from tests.logutil import loggers_on

# 02:00 in Almaty (UTC+5) is 21:00 UTC the day before.
BEFORE = datetime(2026, 12, 4, 20, 30, tzinfo=UTC)  # 01:30 on the 5th in Almaty
AFTER = datetime(2026, 12, 4, 21, 5, tzinfo=UTC)  # 02:05 on the 5th in Almaty


@pytest.fixture
def nightly(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_TIME", "02:00")
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(tmp_path / "backups"))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 3)
    return tmp_path / "backups"


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(backups, "utcnow", lambda: moment)


def fake_make(folder, made: list, moment: datetime):
    def make(into=None):
        path = (into or folder) / backup.archive_name(moment)
        path.write_bytes(b"archive")
        made.append(path)
        return backup.Made(path=path, manifest={})

    return make


def test_the_job_is_in_the_scheduler_and_off_in_tests(app):
    assert JOBS[-1] is backups.backup_job
    assert backups.backup_job(app) is None


def test_last_slot_is_the_latest_backup_time_in_almaty():
    assert backups.last_slot(AFTER, time(2, 0)) == datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    assert backups.last_slot(BEFORE, time(2, 0)) == datetime(2026, 12, 3, 21, 0, tzinfo=UTC)


def test_a_real_backup_once_a_night_recorded_in_the_audit_log(app, nightly, monkeypatch):
    recorded = []
    monkeypatch.setattr(
        backups.audit, "record", lambda *args, **kwargs: recorded.append((args, kwargs))
    )
    at(monkeypatch, AFTER)
    path = backups.backup_job(app)
    assert path is not None and path.parent == nightly
    with tarfile.open(path) as tar:
        assert "manifest.json" in tar.getnames()
    ((args, kwargs),) = recorded
    assert args[1:] == (None, "backup.made")
    assert kwargs["details"]["archive"] == path.name
    # Run again the same night, or in another scheduler: nothing more.
    assert backups.backup_job(app) is None
    assert [p for _, p in backup.archives(nightly)] == [path]


def test_made_once_the_hour_has_passed_and_caught_up_when_missed(app, nightly, monkeypatch):
    made: list = []
    nightly.mkdir()
    yesterday = nightly / backup.archive_name(datetime(2026, 12, 3, 21, 1, tzinfo=UTC))
    yesterday.write_bytes(b"old")
    at(monkeypatch, BEFORE)
    monkeypatch.setattr(backups, "make", fake_make(nightly, made, BEFORE))
    assert backups.backup_job(app) is None and made == []
    at(monkeypatch, AFTER)
    monkeypatch.setattr(backups, "make", fake_make(nightly, made, AFTER))
    assert backups.backup_job(app) == made[0]
    # A scheduler down all night makes it when it starts.
    yesterday.unlink()
    made[0].unlink()
    later = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    at(monkeypatch, later)
    monkeypatch.setattr(backups, "make", fake_make(nightly, made, later))
    assert backups.backup_job(app) == made[1]


def test_only_the_newest_archives_are_kept(app, nightly, monkeypatch):
    nightly.mkdir()
    old = [
        nightly / backup.archive_name(datetime(2026, 11, day, 21, 0, tzinfo=UTC))
        for day in range(1, 6)
    ]
    for path in old:
        path.write_bytes(b"old")
    other = [nightly / "notes.txt", nightly / "fundtracker-backup-mine.tar"]
    for path in other:
        path.write_bytes(b"not ours")
    made: list = []
    at(monkeypatch, AFTER)
    monkeypatch.setattr(backups, "make", fake_make(nightly, made, AFTER))
    backups.backup_job(app)
    kept = [p for _, p in backup.archives(nightly)]
    assert kept == [old[3], old[4], made[0]]
    assert all(p.exists() for p in other)


def test_a_second_scheduler_waits_for_the_lock(app, nightly, monkeypatch):
    nightly.mkdir()
    at(monkeypatch, AFTER)
    monkeypatch.setattr(backups, "make", lambda into=None: pytest.fail("made under a lock"))
    with backups._locked(nightly) as held:
        assert held
        assert backups.backup_job(app) is None


def test_a_failure_is_logged_told_to_admins_once_and_tried_again_an_hour_later(
    app, nightly, monkeypatch, admin, app_log
):
    tries = []

    def failing(into=None):
        tries.append(into)
        raise backup.BackupError("pg_dump failed: no space left on device")

    loggers_on()
    monkeypatch.setattr(backups, "make", failing)
    at(monkeypatch, AFTER)
    assert backups.backup_job(app) is None
    assert "The nightly backup failed" in app_log.text
    told = db.session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert [n.subject for n in told] == ["The nightly backup failed"]
    assert "no space left on device" in told[0].body

    at(monkeypatch, AFTER.replace(minute=30))
    backups.backup_job(app)
    assert len(tries) == 1  # not again within the hour
    at(monkeypatch, AFTER.replace(hour=22, minute=10))
    backups.backup_job(app)
    assert len(tries) == 2
    told = db.session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert len(told) == 1  # told once a night
