"""Metrics and logs for running FundTracker in production (issue #22).

Metrics (Prometheus, through prometheus_client), at /metrics for a scraper on the same machine
(loopback) or holding METRICS_TOKEN; nginx does not pass /metrics on (deploy/nginx):
- fundtracker_request_seconds{endpoint, method, status}: the time each request took;
- fundtracker_page_cache_total{result="hit"|"miss"}: pages asked of the page cache;
- fundtracker_job_seconds{job} and fundtracker_job_failures_total{job}: the scheduler's jobs
  (reminders, outbox, report builds, imports, backup...);
- fundtracker_outbox_backlog: emails waiting to be sent, counted when scraped.

Under gunicorn each worker is a process: with PROMETHEUS_MULTIPROC_DIR set (one folder per
gunicorn instance, emptied when it starts: deploy/gunicorn.conf.py), /metrics adds up every
worker's figures. The scheduler writes its own folder; METRICS_EXTRA_DIRS names it to the app
processes on the same machine, whose /metrics then carries the jobs' figures too.

Logs: LOG_FORMAT=json writes one JSON object a line (python-json-logger) with the request id:
nginx's X-Request-Id (or a new one), sent back in the response, and one per scheduler job run,
so that the lines of one request or one run can be found together.
"""

from __future__ import annotations

import contextlib
import contextvars
import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from ipaddress import ip_address

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REQUEST_SECONDS = Histogram(
    "fundtracker_request_seconds",
    "Time taken to answer a request, by endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PAGE_CACHE = Counter("fundtracker_page_cache", "Pages asked of the page cache", ["result"])
JOB_SECONDS = Histogram(
    "fundtracker_job_seconds",
    "Time taken by one run of a scheduler job",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800),
)
JOB_FAILURES = Counter("fundtracker_job_failures", "Scheduler job runs that failed", ["job"])

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def new_request_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request or scheduler run under way, to store with work it queues."""
    rid = request_id.get()
    return None if rid == "-" else rid


@contextlib.contextmanager
def carrying(origin: str | None) -> Iterator[None]:
    """Log lines written inside carry `origin`, the id of the request that queued the work a job
    is doing (an email, a report), so one id finds the click and what came of it."""
    if not origin:
        yield
        return
    token = request_id.set(origin)
    try:
        yield
    finally:
        request_id.reset(token)


# Logs -------------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Every record carries the request id of the request or job it was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def make_handler(app: Flask, stream=None) -> logging.Handler:
    """A handler writing plain lines, or JSON with LOG_FORMAT=json, each with its request id."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    return handler


def configure_logging(app: Flask) -> None:
    """INFO and above to standard error, once per process however many apps it makes."""
    root = logging.getLogger()
    if any(getattr(h, "_fundtracker", False) for h in root.handlers):
        return
    handler = make_handler(app)
    handler._fundtracker = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)


# Requests ---------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        asked = request.headers.get("X-Request-Id", "")
        rid = asked if _REQUEST_ID.match(asked) else new_request_id()
        g.fundtracker_request_token = request_id.set(rid)
        g.fundtracker_request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        started = g.pop("fundtracker_request_started", None)
        if started is not None:
            # Labels from a bounded set: a client may send any method name, and each new label
            # value would be a new series kept for the process's life.
            method = request.method if request.method in _METHODS else "other"
            REQUEST_SECONDS.labels(
                request.endpoint or "unmatched", method, str(response.status_code)
            ).observe(time.perf_counter() - started)
        response.headers["X-Request-Id"] = request_id.get()
        return response

    @app.teardown_request
    def _reset(_error=None):
        token = g.pop("fundtracker_request_token", None)
        if token is not None:
            request_id.reset(token)

    app.add_url_rule("/metrics", "metrics", metrics_view)


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


class _Backlog:
    """The outbox's waiting emails, counted when scraped (one indexed COUNT)."""

    def collect(self):
        from sqlalchemy import func, select

        from fundtracker.core.extensions import db
        from fundtracker.models import EmailStatus, OutboxEmail

        waiting = db.session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.status.in_([EmailStatus.PENDING, EmailStatus.SENDING]))
        )
        yield GaugeMetricFamily(
            "fundtracker_outbox_backlog", "Emails waiting to be sent", value=waiting or 0
        )


def metrics_view():
    if not _allowed():
        abort(404)  # as if there were nothing here
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_SECONDS, PAGE_CACHE, JOB_SECONDS, JOB_FAILURES):
            registry.register(collector)
    for folder in (current_app.config.get("METRICS_EXTRA_DIRS") or "").split(","):
        if folder.strip() and os.path.isdir(folder.strip()):
            multiprocess.MultiProcessCollector(registry, path=folder.strip())
    registry.register(_Backlog())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def clear_multiprocess_dir() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR when a server starts: figures of processes that are gone
    would otherwise be added in for ever."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


__all__ = [
    "JOB_FAILURES",
    "JOB_SECONDS",
    "PAGE_CACHE",
    "REGISTRY",
    "REQUEST_SECONDS",
    "clear_multiprocess_dir",
    "configure_logging",
    "init_app",
    "carrying",
    "current_request_id",
    "new_request_id",
    "request_id",
]
