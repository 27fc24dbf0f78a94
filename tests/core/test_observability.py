"""Metrics and logs (issue #22): every response carries a request id (nginx's, when it is a
sane one), which every log line of the request carries too, in JSON with LOG_FORMAT=json;
/metrics gives request timings by endpoint, page-cache hits and misses, the scheduler jobs'
durations and failures, and the outbox backlog, to a scraper on this machine or holding the
token, and to nobody else. tests/deploy reads /metrics of real gunicorn processes."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from prometheus_client import REGISTRY

from fundtracker.core import observability
from fundtracker.core.extensions import db
from fundtracker.models import EmailStatus, OutboxEmail, StoredReport
from fundtracker.scheduler import run_jobs
from fundtracker.services import notifications
from tests import factories
from tests.logutil import loggers_on

ELSEWHERE = {"REMOTE_ADDR": "10.20.30.40"}


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_every_response_carries_a_request_id(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-Id"] != made
    given = client.get("/healthz", headers={"X-Request-Id": "0f3a9c1d2e"})
    assert given.headers["X-Request-Id"] == "0f3a9c1d2e"
    forged = client.get("/healthz", headers={"X-Request-Id": "a b;<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-Id"])


def test_log_lines_are_json_with_the_request_id(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    stream = io.StringIO()
    handler = observability.make_handler(app, stream)
    logger = logging.getLogger("fundtracker.test_json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    seen = {}
    try:
        with app.test_request_context("/healthz", headers={"X-Request-Id": "req-42"}):
            app.preprocess_request()  # the request's before-request steps, its id among them
            logger.info("a milestone update was saved")
            seen["id"] = observability.request_id.get()
            app.do_teardown_request()
    finally:
        logger.removeHandler(handler)
    assert seen["id"] == "req-42"
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "a milestone update was saved"
    assert line["request_id"] == "req-42"
    assert line["level"] == "INFO" and line["logger"] == "fundtracker.test_json" and line["time"]
    # Outside a request, a line says so.
    assert observability.request_id.get() == "-"


def test_metrics_time_each_endpoint(client):
    before = _sample(
        "fundtracker_request_seconds_count", endpoint="main.healthz", method="GET", status="200"
    )
    client.get("/healthz")
    client.get("/healthz")
    after = _sample(
        "fundtracker_request_seconds_count", endpoint="main.healthz", method="GET", status="200"
    )
    assert after == before + 2
    text = client.get("/metrics").get_data(as_text=True)
    assert 'fundtracker_request_seconds_bucket{endpoint="main.healthz"' in text
    assert "fundtracker_outbox_backlog" in text


def test_metrics_answer_this_machine_or_the_token_only(client, app, monkeypatch):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-scraper-token")
    bearer = {"Authorization": "Bearer s3cret-scraper-token"}
    assert client.get("/metrics", environ_base=ELSEWHERE, headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer s3cret-scraper-tokeN"}
    assert client.get("/metrics", environ_base=ELSEWHERE, headers=wrong).status_code == 404


def test_the_outbox_backlog_is_counted_when_scraped(client, officer):
    def backlog() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return float(re.search(r"^fundtracker_outbox_backlog (\S+)$", text, re.M).group(1))

    before = backlog()
    for status in (EmailStatus.PENDING, EmailStatus.SENT):
        db.session.add(
            OutboxEmail(
                recipient_id=officer.id,
                to_address=officer.email,
                subject="Reminder",
                body_text="…",
                status=status,
            )
        )
    db.session.commit()
    assert backlog() == before + 1  # the one waiting; the sent one is not


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_BYTES", 4 * 1024 * 1024)
    app.extensions.pop("fundtracker_page_cache", None)
    yield
    app.extensions.pop("fundtracker_page_cache", None)


def test_page_cache_hits_and_misses_are_counted(page_cache, login, officer):
    factories.ProjectFactory(officer=officer)
    db.session.commit()
    client = login(officer)
    hits, misses = (_sample("fundtracker_page_cache_total", result=r) for r in ("hit", "miss"))
    client.get("/projects/")
    client.get("/projects/")
    client.get("/projects/")
    assert _sample("fundtracker_page_cache_total", result="miss") == misses + 1
    assert _sample("fundtracker_page_cache_total", result="hit") == hits + 2


def test_scheduler_jobs_are_timed_and_failures_counted_each_run_with_its_id(app):
    ids = []

    def tidy_job(app):
        ids.append(observability.request_id.get())

    def broken_job(app):
        ids.append(observability.request_id.get())
        raise RuntimeError("the SMTP server is down")

    runs = _sample("fundtracker_job_seconds_count", job="tidy_job")
    failures = _sample("fundtracker_job_failures_total", job="broken_job")
    run_jobs(app, [tidy_job, broken_job])
    run_jobs(app, [tidy_job])
    assert _sample("fundtracker_job_seconds_count", job="tidy_job") == runs + 2
    assert _sample("fundtracker_job_failures_total", job="broken_job") == failures + 1
    assert [i.split("-")[0] for i in ids] == ["tidy_job", "broken_job", "tidy_job"]
    assert len(set(ids)) == 3  # one id a run
    assert observability.request_id.get() == "-"


def test_an_invented_method_does_not_make_a_metric_series_of_its_own(client):
    before = _sample(
        "fundtracker_request_seconds_count", endpoint="unmatched", method="other", status="405"
    ) + _sample(
        "fundtracker_request_seconds_count", endpoint="main.healthz", method="other", status="405"
    )
    client.open("/healthz", method="BREWCOFFEE")
    text = client.get("/metrics").get_data(as_text=True)
    assert "BREWCOFFEE" not in text
    after = _sample(
        "fundtracker_request_seconds_count", endpoint="unmatched", method="other", status="405"
    ) + _sample(
        "fundtracker_request_seconds_count", endpoint="main.healthz", method="other", status="405"
    )
    assert after == before + 1


# The request id carried into the scheduler's jobs ------------------------------------------------


@pytest.fixture
def log_lines(app):
    """The lines the app's loggers write, in the plain format, with their request ids."""
    stream = io.StringIO()
    handler = observability.make_handler(app, stream)
    loggers_on()  # Alembic's logging set-up turned them off
    logger = logging.getLogger("fundtracker")
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def test_an_email_queued_by_a_request_is_sent_with_the_requests_id_in_its_log(
    client, smtp, log_lines
):
    factories.UserFactory(email="dana@example.kz", name="Dana", locale="ru")
    response = client.post(
        "/auth/forgot", data={"email": "dana@example.kz"}, headers={"X-Request-Id": "req-forgot-1"}
    )
    assert response.headers["X-Request-Id"] == "req-forgot-1"
    email = db.session.scalar(db.select(OutboxEmail).order_by(OutboxEmail.id.desc()))
    assert email.request_id == "req-forgot-1"
    assert notifications.send_outbox(db.session, db.session.commit)["sent"] == 1
    [line] = [line for line in log_lines() if f"email {email.id} sent" in line]
    assert "[req-forgot-1]" in line
    assert observability.request_id.get() == "-"


def test_a_report_asked_for_on_a_page_is_built_with_the_requests_id_in_its_log(
    app, login, officer, log_lines, monkeypatch
):
    from types import SimpleNamespace

    from fundtracker.pdf import jobs, service

    def instant(session, report, today, progress=None):
        return SimpleNamespace(pdf=factories.PDF_BYTES, pages=1), report.fingerprint, None

    project = factories.ProjectFactory(officer=officer)
    response = login(officer).post(
        "/reports/project",
        data={"project": project.id, "language": "en"},
        headers={"X-Request-Id": "req-report-7"},
    )
    assert response.status_code == 302
    report = db.session.scalar(db.select(StoredReport).order_by(StoredReport.id.desc()))
    assert report.request_id == "req-report-7"
    monkeypatch.setattr(service, "render_report", instant)
    jobs.build_pending(app)
    [line] = [line for line in log_lines() if f"Building report {report.id} " in line]
    assert "[req-report-7]" in line
