"""The mix of work a fund does at once (issue #22), for locust: officers reading and deciding,
grantees saving milestone drafts with evidence files, reviewers on their reviews, board members
on the portfolio and downloading the board report. bench/load/run.py starts the whole set-up
and this file's users against it; each request is named by its kind of page, so that locust's
figures come per kind.

LOAD_PLAN (a JSON file the runner writes) gives the accounts and each grantee user's milestone;
LOAD_JOURNAL is where each user writes what it uploaded and what the app answered, for the
runner's check that nothing was lost or stored twice."""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time
import uuid

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at import
PASSWORD = PLAN["password"]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')
# The smallest sound PDF (the upload check parses it), as tests/factories.py has it.
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>\n"
    b"endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n203\n%%EOF\n"
)

_journal: list[dict] = []
_lock = threading.Lock()
_milestones = itertools.cycle(PLAN["milestones"])
_officers = itertools.cycle(PLAN["officers"])


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    email = ""

    def on_start(self) -> None:
        form = self.client.get("/auth/login", name="login page")
        self.client.post(
            "/auth/login",
            data={"csrf_token": _csrf(form.text), "email": self.email, "password": PASSWORD},
            name="login",
        )


class Officer(_SignedIn):
    weight = 4

    def on_start(self) -> None:
        self.email = next(_officers)
        super().on_start()

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="officer: home")

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="officer: dashboard")

    @task(3)
    def projects(self) -> None:
        self.client.get("/projects/", name="officer: project list")

    @task(3)
    def project(self) -> None:
        project = PLAN["projects"][hash(uuid.uuid4()) % len(PLAN["projects"])]
        self.client.get(f"/projects/{project}", name="officer: project page")

    @task(1)
    def applications(self) -> None:
        self.client.get("/applications/", name="officer: applications")

    @task(1)
    def task_list(self) -> None:
        self.client.get("/tasks", name="officer: tasks")

    @task(1)
    def portfolio(self) -> None:
        self.client.get("/outcomes/portfolio", name="officer: portfolio")


class Grantee(_SignedIn):
    """Opens its milestone and saves the draft with a new evidence file: the form is read fresh
    each time (its CSRF token and version), as a browser does."""

    weight = 4

    def on_start(self) -> None:
        plan = next(_milestones)
        self.email, self.milestone = plan["email"], plan["milestone"]
        super().on_start()

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="grantee: home")

    @task(3)
    def save_draft(self) -> None:
        page = self.client.get(f"/milestones/{self.milestone}", name="grantee: milestone page")
        version = VERSION.search(page.text)
        name = f"load-{uuid.uuid4().hex}.pdf"
        response = self.client.post(
            f"/milestones/{self.milestone}/update",
            data={
                "csrf_token": _csrf(page.text),
                "version": version.group(1) if version else "",
                "narrative": f"Жұмыс жоспар бойынша жүріп жатыр ({name})",
                "progress": "50",
                "save": "1",
            },
            files={"evidence": (name, PDF, "application/pdf")},
            allow_redirects=False,
            name="grantee: save draft with a file",
        )
        with _lock:
            _journal.append(
                {"milestone": self.milestone, "file": name, "status": response.status_code}
            )


class Reviewer(_SignedIn):
    weight = 1

    def on_start(self) -> None:
        self.email = PLAN["reviewer"]
        super().on_start()

    @task
    def reviews(self) -> None:
        self.client.get("/reviews/", name="reviewer: my reviews")


class Board(_SignedIn):
    weight = 1

    def on_start(self) -> None:
        self.email = PLAN["board"]
        super().on_start()

    @task(3)
    def portfolio(self) -> None:
        self.client.get("/outcomes/portfolio", name="board: portfolio")

    @task(1)
    def report(self) -> None:
        """The board report: download it where it is built (nginx sends the file)."""
        with self.client.get(
            PLAN["report_url"], name="board: report PDF", catch_response=True
        ) as response:
            if response.ok and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")


_requests: list[tuple[str, float, bool, float]] = []
_spawned: dict[str, float] = {}


@events.request.add_listener
def _timed(name, response_time, exception, **_kwargs) -> None:
    """Every request's time and when it ended, so that the runner works out percentiles over any
    set of kinds (pages without the sign-in, whose password hashing is slow on purpose) and any
    stretch of the run (once every user has signed in)."""
    _requests.append((name, response_time, exception is None, time.time()))


@events.spawning_complete.add_listener
def _all_started(**_kwargs) -> None:
    _spawned.setdefault("at", time.time())


@events.test_stop.add_listener
def _write_journal(**_kwargs) -> None:
    with open(os.environ["LOAD_JOURNAL"], "w") as out:
        json.dump({"saves": _journal, "requests": _requests, "spawned_at": _spawned.get("at")}, out)
