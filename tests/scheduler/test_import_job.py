"""Large imports applied by the scheduler survive crashes: a run whose process died is taken
back once its lease ran out, a failing run writes nothing, and no batch runs twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ImportBatch, ImportKind, ImportStatus, Project, Role, User, utcnow
from fundtracker.scheduler import imports as job
from fundtracker.services.imports import batches
from fundtracker.services.imports.sheets import tranches
from tests import factories
from tests.blueprints.imports.test_routes import portfolio
from tests.dbutil import is_postgres, migrated_app


def _queued(app) -> ImportBatch:
    officer = factories.UserFactory(role=Role.OFFICER)
    with app.test_request_context():
        batch = batches.create(db.session, officer, "portfolio.xlsx", portfolio(), today())
    batch.status, batch.confirmed_by_id = ImportStatus.QUEUED, officer.id
    db.session.commit()
    return batch


def _projects() -> int:
    return db.session.scalar(select(func.count()).select_from(Project))


def test_a_run_whose_process_died_is_taken_back_after_its_lease(app):
    batch = _queued(app)
    batch.status, batch.attempt = ImportStatus.RUNNING, 1
    batch.lease_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    with app.test_request_context():
        assert not job.run_one(db.session, today())  # its lease still runs: not taken
        batch.lease_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert job.run_one(db.session, today())
    db.session.refresh(batch)
    assert (batch.status, batch.attempt) == (ImportStatus.DONE, 2)
    assert _projects() == 1


def test_a_run_that_fails_half_way_writes_nothing_and_tells_the_officer(app, monkeypatch):
    batch = _queued(app)

    def broken(self, ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tranches.Tranches, "apply", broken)  # after projects and milestones
    with app.test_request_context():
        assert job.run_one(db.session, today())
    db.session.refresh(batch)
    assert (batch.status, batch.error) == (ImportStatus.FAILED, "apply_failed")
    assert _projects() == 0


def test_a_batch_interrupted_too_often_fails(app):
    batch = _queued(app)
    batch.status, batch.attempt = ImportStatus.RUNNING, job.MAX_ATTEMPTS
    batch.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with app.test_request_context():
        assert job.run_one(db.session, today())
    db.session.refresh(batch)
    assert (batch.status, batch.error) == (ImportStatus.FAILED, "too_many_attempts")
    assert _projects() == 0


@pytest.mark.no_db
@pytest.mark.skipif(not is_postgres(), reason="progress is written from a second connection")
def test_the_heartbeat_writes_progress_and_renews_the_lease_while_an_import_runs():
    with migrated_app("import-heartbeat") as app:
        officer = User(email="o@example.kz", name="O", role=Role.OFFICER, locale="en")
        db.session.add(officer)
        db.session.flush()
        soon = utcnow() + timedelta(seconds=5)
        batch = ImportBatch(
            kind=ImportKind.WORKBOOK,
            status=ImportStatus.RUNNING,
            filename="p.xlsx",
            data=b"",
            created_by_id=officer.id,
            attempt=1,
            lease_until=soon,
            total=10,
        )
        db.session.add(batch)
        db.session.commit()
        with job._Heartbeat(db.engine, batch.id, 1, timedelta(seconds=6)) as beat:
            beat.count(7)
            time.sleep(2.5)
        db.session.expire_all()
        batch = db.session.get(ImportBatch, batch.id)
        assert batch.done == 7 and batch.lease_until > soon
        assert app is not None
