"""The reminder sweep at scale: how long `reminders.due_occurrences` takes to find what is due
(target: at most 1 s at L, 100,000 milestones), and, separately, sending one realistic day's
reminders as the scheduler's `reminders_job` does (one transaction per reminder), with mail
going nowhere (no MAIL_SERVER: the outbox rows are written, nothing is sent).

    .venv/bin/python -m bench.reminders --database-url sqlite:////tmp/ft-l.sqlite

Sending writes reminders, notifications and outbox rows; they are deleted afterwards (by id) so
the database is left as it was found and the run can be repeated.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import delete, func, select

from fundtracker.core.extensions import db
from fundtracker.models import Milestone, Notification, OutboxEmail, Reminder, utcnow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, figure in run(args.database_url, args.repeat).items():
        print(f"{name:<34} {figure}")


def run(database_url: str, repeat: int = 5) -> dict[str, str]:
    from fundtracker import create_app
    from fundtracker.scheduler.jobs import reminders_job
    from fundtracker.services import reminders

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_SERVER=None)
    out: dict[str, str] = {}
    with app.app_context():
        out["milestones"] = f"{db.session.scalar(select(func.count(Milestone.id))):,}"
        times, found = [], []
        for _ in range(repeat + 1):
            now = utcnow()
            started = time.perf_counter()
            due = reminders.due_occurrences(db.session, now)
            times.append(time.perf_counter() - started)
            found = due
            db.session.rollback()
        times = times[1:]  # the first warms the caches
        out["find due (median)"] = f"{statistics.median(times) * 1000:.0f} ms  (target <= 1000 ms)"
        out["find due (max)"] = f"{max(times) * 1000:.0f} ms"
        out["due occurrences found"] = f"{len(found):,}"
        marks = {
            m: db.session.scalar(select(func.max(m.id))) or 0
            for m in (Reminder, Notification, OutboxEmail)
        }
        db.session.remove()

    started = time.perf_counter()
    counts = reminders_job(app)
    took = time.perf_counter() - started
    sent = sum(counts.values())
    out["send a day's reminders"] = (
        f"{took:.1f} s for {sent:,} ({dict(counts)}; "
        f"{took / sent * 1000 if sent else 0:.1f} ms each)"
    )
    with app.app_context():
        for model, mark in marks.items():
            db.session.execute(delete(model).where(model.id > mark))
        db.session.commit()
        db.session.remove()
    return out


if __name__ == "__main__":
    main()
