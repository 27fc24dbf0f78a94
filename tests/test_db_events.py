"""SQLite under a web server: a page that only reads does not wait for the write lock, so a long
write (or a slow page) does not hold up everyone's reading."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Role
from tests import factories
from tests.conftest import login_as
from tests.dbutil import is_postgres, migrated_app


@pytest.mark.no_db
@pytest.mark.skipif(is_postgres(), reason="SQLite's locking")
def test_a_get_reads_while_another_transaction_holds_the_write_lock():
    with migrated_app("locks") as app:
        officer = factories.UserFactory(role=Role.OFFICER)
        project = factories.ProjectFactory(officer=officer)
        db.session.commit()
        code, project_id = project.code, project.id
        client = app.test_client()
        login_as(client, officer)
        db.session.commit()  # the sign-in session
        db.session.remove()
        with db.engine.connect() as writer:
            writer.begin()  # BEGIN IMMEDIATE: holds the write lock until it ends
            writer.exec_driver_sql("UPDATE projects SET title_en = 'Renamed'")
            for page in (f"/projects/{project_id}", "/projects/"):
                response = client.get(page)
                assert response.status_code == 200
                assert code in response.get_data(as_text=True)
            assert client.get("/dashboard").status_code == 200
            writer.rollback()


@pytest.mark.no_db
@pytest.mark.skipif(is_postgres(), reason="SQLite's locking")
def test_work_in_a_made_up_request_context_still_takes_the_write_lock():
    """The scheduler builds reports inside app.test_request_context() (a GET by default) and
    writes as it goes: its transactions must hold the write lock from the start."""
    with migrated_app("locks") as app:
        db.session.remove()
        with app.test_request_context("/"):
            db.session.execute(select(1))
            other = sqlite3.connect(db.engine.url.database, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            db.session.rollback()
