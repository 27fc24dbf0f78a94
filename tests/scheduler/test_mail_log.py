"""Without MAIL_SERVER, the outbox job writes each email to the log: whole and readable, with its
links, in development (as the README says); recipient and subject only anywhere else."""

from __future__ import annotations

import logging
import re

import pytest
from flask_migrate import upgrade

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.scheduler.jobs import outbox_job
from tests import factories
from tests.dbutil import fresh_database


@pytest.fixture
def dev_app():
    """The development app as `flask run` and `flask scheduler` make it without FLASK_DEBUG:
    app.debug is off, whatever DevelopmentConfig says."""
    with fresh_database("devmail") as url:
        app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=url,
            MAIL_SERVER=None,
            WTF_CSRF_ENABLED=False,
            UPLOAD_FOLDER=None,
        )
        app.debug = False
        with app.app_context():
            upgrade()
            # Alembic's fileConfig (migrations/env.py) disables the loggers that exist when it
            # runs; the scheduler's process never runs it.
            logging.getLogger("fundtracker.core.mail").disabled = False
            factories.UserFactory(email="dana@example.kz", name="Дана", locale="kk")
            db.session.commit()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "fundtracker.core.mail")


@pytest.mark.no_db
def test_development_writes_each_email_with_its_links_to_the_log(dev_app, caplog):
    client = dev_app.test_client()
    assert client.post("/auth/forgot", data={"email": "dana@example.kz"}).status_code == 302
    with caplog.at_level(logging.INFO):
        outbox_job(dev_app)
    logged = _logged(caplog)
    assert "To: dana@example.kz" in logged
    assert "Дана" in logged  # decoded, not base64
    path = re.search(r"http://127\.0\.0\.1:5000(/auth/reset/\S+)", logged).group(1)
    assert client.get(path).status_code == 200  # the logged link works


@pytest.mark.no_db
def test_elsewhere_the_log_keeps_no_link(dev_app, caplog):
    dev_app.config["MAIL_LOG_BODIES"] = False
    dev_app.test_client().post("/auth/forgot", data={"email": "dana@example.kz"})
    with caplog.at_level(logging.INFO):
        outbox_job(dev_app)
    logged = _logged(caplog)
    assert "dana@example.kz" in logged and "/auth/reset/" not in logged
