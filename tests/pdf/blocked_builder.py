"""A report builder that stops in the middle of a build, for tests that kill it there:
`python tests/pdf/blocked_builder.py DATABASE_URL REPORTS_FOLDER LEASE_SECONDS MARKER`.

It runs fundtracker.pdf.jobs.build_pending as the scheduler does (claim, heartbeat, progress),
but its print never ends: once the report's data is read and its progress reported, it writes
MARKER and waits for ever, as a WeasyPrint print that takes long, until the test kills it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fundtracker import create_app  # noqa: E402
from fundtracker.pdf import jobs, service  # noqa: E402


def main(url: str, folder: str, lease: str, marker: str) -> None:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        REPORTS_FOLDER=folder,
        REPORT_LEASE_SECONDS=float(lease),
    )

    def stuck(session, report, today, progress=None):
        report_id = report.id  # read before the progress commits expire it
        progress(25)
        progress(40)
        Path(marker).write_text(str(report_id))
        threading.Event().wait()  # printing, for ever

    service.render_report = stuck
    jobs.build_pending(app)


if __name__ == "__main__":
    main(*sys.argv[1:5])
