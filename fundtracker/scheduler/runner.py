"""`flask scheduler`: one dedicated process that runs the jobs every minute (APScheduler 3.x).

Never started by create_app: web workers would each start one. Running two by mistake is safe
(every job claims its work in the database), only wasteful.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from fundtracker.core import observability
from fundtracker.pdf import parallel
from fundtracker.pdf.jobs import build_queued
from fundtracker.scheduler import DAILY_JOBS, Job, imports, run_jobs
from fundtracker.scheduler.jobs import heartbeat_job, publish_job

log = logging.getLogger(__name__)

# Once a month (on MONTHLY_JOBS_DAY at MONTHLY_JOBS_TIME in Asia/Almaty; the 5th at 06:00 unless
# configured): publishing the outcome figures of the periods that are ready. Not at start:
# publishing locks results, so it keeps to its day (officers publish in between).
MONTHLY_JOBS: list[Job] = [publish_job]


_building = threading.Lock()


def report_queue_job(app: Flask) -> int:
    """build_queued, one at a time in this process: a look while a build runs returns at once."""
    if not _building.acquire(blocking=False):
        return 0
    try:
        return build_queued(app)
    except Exception:
        log.exception("building queued reports failed")
        return 0
    finally:
        _building.release()


_importing = threading.Lock()


def import_queue_job(app: Flask) -> int:
    """Large confirmed imports (scheduler/imports.py), one at a time in this process."""
    if not _importing.acquire(blocking=False):
        return 0
    try:
        return imports.run_queued(app)
    except Exception:
        log.exception("applying queued imports failed")
        return 0
    finally:
        _importing.release()


def build_scheduler(app: Flask) -> BlockingScheduler:
    interval = int(app.config.get("SCHEDULER_INTERVAL_SECONDS", 60))
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    scheduler.add_job(
        run_jobs,
        IntervalTrigger(seconds=interval),
        args=[app],
        id="fundtracker-jobs",
        max_instances=1,  # a slow run is never overlapped by the next one in this process
        coalesce=True,  # after a pause, one run catches up (the jobs look back themselves)
        misfire_grace_time=None,
        # At once on start: after a downtime the missed reminders go out now, not in a minute.
        next_run_time=datetime.now(scheduler.timezone),
    )
    hour, minute = (int(x) for x in app.config.get("DAILY_JOBS_TIME", "06:00").split(":"))
    scheduler.add_job(
        run_jobs,
        CronTrigger(hour=hour, minute=minute),
        args=[app, DAILY_JOBS],
        id="fundtracker-daily",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(scheduler.timezone),
    )
    day = int(app.config.get("MONTHLY_JOBS_DAY", 5))
    hour, minute = (int(x) for x in app.config.get("MONTHLY_JOBS_TIME", "06:00").split(":"))
    scheduler.add_job(
        run_jobs,
        CronTrigger(day=day, hour=hour, minute=minute),
        args=[app, MONTHLY_JOBS],
        id="fundtracker-monthly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    # A report asked for starts building within a second or two, not at the next minute's run:
    # a cheap look at the queue (build_queued), in its own thread, so a minute's run that is
    # sending emails or building the monthly reports does not hold it up. A poll rather than
    # PostgreSQL's LISTEN/NOTIFY: the same on SQLite, nothing to reconnect, and a notice missed
    # while the scheduler was down is no matter (the queue is the database).
    poll = float(app.config.get("REPORT_POLL_SECONDS", 1))
    scheduler.add_job(
        report_queue_job,
        IntervalTrigger(seconds=poll),
        args=[app],
        id="fundtracker-report-queue",
        # Looks that fall while a build runs return at once (report_queue_job), rather than
        # being skipped by APScheduler with a warning each second.
        max_instances=3,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(scheduler.timezone),
    )
    # A large confirmed import starts within a second or two too, beside the report builds.
    scheduler.add_job(
        import_queue_job,
        IntervalTrigger(seconds=poll),
        args=[app],
        id="fundtracker-import-queue",
        max_instances=3,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(scheduler.timezone),
    )
    # The heartbeat again, in a thread of its own: a minute's run that takes long (the nightly
    # backup, a month's reports) must not make /readyz say the scheduler is late.
    scheduler.add_job(
        run_jobs,
        IntervalTrigger(seconds=interval),
        args=[app, [heartbeat_job]],
        id="fundtracker-heartbeat",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or a check).")
@click.option(
    "--monthly",
    is_flag=True,
    help="With --once: also run the monthly jobs (publishing the outcome figures that are ready).",
)
@with_appcontext
def scheduler_command(once: bool, monthly: bool) -> None:
    """Run the reminders, digests, outbox and report builds every minute, the daily risk check,
    and the monthly publishing of outcome figures, until stopped."""
    app = current_app._get_current_object()
    observability.configure_logging(app)  # plain or JSON lines, with each run's id
    if not once:
        observability.clear_multiprocess_dir()  # this process's metrics, afresh
    # APScheduler logs every run of every job; the report queue is looked at each second.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    if once:
        run_jobs(app)
        run_jobs(app, DAILY_JOBS)
        if monthly:
            run_jobs(app, MONTHLY_JOBS)
        return
    scheduler = build_scheduler(app)
    # The report printers' fork server, started now rather than by the first report asked for.
    parallel.warm()
    click.echo("FundTracker scheduler running (Ctrl+C stops it)")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def init_scheduler_cli(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
