"""/readyz and /healthz (issue #22): ready when the database answers at the migrations' head,
the storage folders take a file and the scheduler beat lately; each failing check is named.
The scheduler's heartbeat never moves the data version (it would empty every cached page once
a minute). tests/deploy tests the same through nginx with the database stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fundtracker.core import data_version, readiness
from fundtracker.core.extensions import db
from fundtracker.models import SchedulerHeartbeat, utcnow
from fundtracker.scheduler import JOBS, run_jobs
from fundtracker.scheduler.jobs import heartbeat_job


@pytest.fixture
def strict(app, tmp_path):
    saved = {k: app.config.get(k) for k in ("READY_SCHEDULER_MAX_AGE", "UPLOAD_FOLDER")}
    app.config["READY_SCHEDULER_MAX_AGE"] = 180
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield app
    app.config.update(saved)


def test_healthz_says_only_that_the_process_is_up(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_ready_once_the_scheduler_has_beaten(client, strict):
    never = client.get("/readyz")
    assert never.status_code == 503
    assert never.json["checks"]["scheduler"] == "never ran"
    assert never.headers["Cache-Control"] == "no-store"
    readiness.beat(db.session)
    db.session.commit()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok", "scheduler": "ok"},
    }
    db.session.get(SchedulerHeartbeat, 1).beat_at = utcnow() - timedelta(minutes=4)
    db.session.commit()
    late = client.get("/readyz")
    assert late.status_code == 503 and late.json["checks"]["scheduler"] == "late"


def test_without_a_scheduler_to_wait_for_the_check_is_left_out(client, app):
    assert not app.config["READY_SCHEDULER_MAX_AGE"]
    assert "scheduler" not in client.get("/readyz").json["checks"]


def test_a_folder_that_takes_no_file_is_named(client, strict, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the uploads folder should be")
    strict.config["UPLOAD_FOLDER"] = str(blocked)
    readiness.beat(db.session)
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["storage"] == "not writable: not-a-folder"


def test_a_schema_behind_the_code_is_not_ready(client, monkeypatch):
    monkeypatch.setattr(readiness, "_heads", lambda directory: frozenset({"9999"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "not at head"


def test_the_heartbeat_is_the_first_job_and_moves_no_data_version(app):
    assert JOBS[0] is heartbeat_job
    db.session.commit()
    before = data_version.current(db.session)
    db.session.rollback()
    run_jobs(app, [heartbeat_job])
    row = db.session.get(SchedulerHeartbeat, 1)
    assert row is not None and utcnow() - row.beat_at < timedelta(minutes=1) and row.pid
    assert data_version.current(db.session) == before
