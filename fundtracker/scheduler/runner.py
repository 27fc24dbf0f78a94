"""`flask scheduler`: one dedicated process that runs the jobs every minute (APScheduler 3.x).

Never started by create_app: web workers would each start one. Running two by mistake is safe
(every job claims its work in the database), only wasteful.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from fundtracker.scheduler import DAILY_JOBS, Job, run_jobs
from fundtracker.scheduler.jobs import publish_job

log = logging.getLogger(__name__)

# Once a month (on MONTHLY_JOBS_DAY at MONTHLY_JOBS_TIME in Asia/Almaty; the 5th at 06:00 unless
# configured): publishing the outcome figures of the periods that are ready. Not at start:
# publishing locks results, so it keeps to its day (officers publish in between).
MONTHLY_JOBS: list[Job] = [publish_job]


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
    logging.basicConfig(level=logging.INFO)
    if once:
        run_jobs(app)
        run_jobs(app, DAILY_JOBS)
        if monthly:
            run_jobs(app, MONTHLY_JOBS)
        return
    scheduler = build_scheduler(app)
    click.echo("FundTracker scheduler running (Ctrl+C stops it)")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def init_scheduler_cli(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
