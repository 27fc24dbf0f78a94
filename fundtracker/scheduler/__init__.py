"""The scheduler's periodic work: a plain list of jobs, each `job(app)`, each safe to run twice
and at the same time in two processes. `flask scheduler` (fundtracker/scheduler/runner.py) runs
them every minute in one dedicated process; the web app never starts it.

Safe at once in two processes, each in its own way: a reminder is claimed by inserting its unique
row; an email by its claim; a scheduled report by its unique key, and a report build under a
lease a heartbeat renews, taken back by any scheduler once it runs out (fundtracker.pdf.jobs);
an at-risk flag or a publication by a change checked against what was read (the project's
version, the period's unique publication), the loser of a race leaving it to the winner.

To add a job (a monthly report, a PDF build): write `def my_job(app)` that does its work inside
`app.app_context()` and append it to JOBS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Flask

from fundtracker.core import observability
from fundtracker.pdf.jobs import build_pending, monthly_board_report
from fundtracker.scheduler.backups import backup_job
from fundtracker.scheduler.imports import run_queued as import_job
from fundtracker.scheduler.jobs import (
    digest_job,
    heartbeat_job,
    outbox_job,
    reminders_job,
    risk_job,
    sessions_job,
    unconfirmed_accounts_job,
)

log = logging.getLogger(__name__)

Job = Callable[[Flask], object]

# Order matters within one run: reminders and digests queue emails that the outbox then sends.
# Report builds (a board report takes seconds) come after the emails so they never delay them;
# the monthly board report queues last month's report once, and the builder builds what the
# reports page and the monthly job queued.
JOBS: list[Job] = [
    # First: /readyz tells from it that scheduled work runs (fundtracker.core.readiness).
    heartbeat_job,
    reminders_job,
    digest_job,
    outbox_job,
    monthly_board_report,
    build_pending,
    # Confirmed imports too large for a request (services/imports/batches.py).
    import_job,
    # Last: a backup takes a while, once a night (fundtracker.scheduler.backups).
    backup_job,
]

# Once a day (at DAILY_JOBS_TIME in Asia/Almaty, and when the scheduler starts): checks over the
# whole portfolio that need not run every minute.
DAILY_JOBS: list[Job] = [risk_job, unconfirmed_accounts_job, sessions_job]


def run_jobs(app: Flask, jobs: list[Job] | None = None) -> None:
    """Run each job once; one job's failure does not stop the others."""
    for job in JOBS if jobs is None else jobs:
        name = getattr(job, "__name__", str(job))
        # Each run's log lines carry an id of their own (observability.request_id).
        token = observability.request_id.set(observability.new_request_id(f"{name}-"))
        started = time.perf_counter()
        try:
            job(app)
        except Exception:
            observability.JOB_FAILURES.labels(name).inc()
            log.exception("scheduler job %s failed", name)
        finally:
            observability.JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
            observability.request_id.reset(token)
