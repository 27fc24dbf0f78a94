"""Every route is public or in tests/access_matrix.py, and behaves as the matrix says for every
role and method; anonymous users get the login page; a grantee of organisation A gets 404 for
organisation B's objects on every method; GET requests never write to the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import event

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.disclosure import grid
from fundtracker.models import (
    AgendaItem,
    AgendaKind,
    ApplicationStatus,
    BoardMeeting,
    FollowUp,
    ImportBatch,
    ImportKind,
    InKindDelivery,
    InKindItem,
    PaymentRequest,
    ProjectStatus,
    ReviewAssignment,
    Role,
    WellbeingDomain,
)
from fundtracker.services import sessions
from tests import factories
from tests.access_matrix import ACCESS, DENIED, HIDDEN, LOGIN_PAGE, OK, PUBLIC, ROLES
from tests.conftest import login_as

_rules_app = create_app("testing")
# The API (/api/...) signs in with a token, not a browser session: its own matrix, over every
# route and method, is tests/blueprints/api/test_access.py.
RULES = [
    (rule.endpoint, method)
    for rule in _rules_app.url_map.iter_rules()
    if not rule.rule.startswith("/api/")
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
]
# Routes missing from the matrix fail test_every_route_is_public_or_in_the_matrix.
PROTECTED = [(e, m) for e, m in RULES if e not in PUBLIC and e in ACCESS]


def test_every_route_is_public_or_in_the_matrix():
    endpoints = {endpoint for endpoint, _ in RULES}
    missing = sorted(endpoints - PUBLIC - ACCESS.keys())
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted((ACCESS.keys() | PUBLIC) - endpoints)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def _delivery_samples(org, uploader, suffix: str) -> dict:
    project = factories.ProjectFactory(organisation=org)
    milestone = factories.MilestoneFactory(project=project)
    tranche = factories.TrancheFactory(project=project, milestone=milestone)
    line = factories.BudgetLineFactory(project=project)
    document = factories.stored_file(project, uploader)
    deleted = factories.stored_file(project, uploader)
    deleted.deleted_at = deleted.uploaded_at
    return {
        f"project_{suffix}": project,
        f"milestone_{suffix}": milestone,
        f"tranche_{suffix}": tranche,
        f"budget_line_{suffix}": line,
        f"file_{suffix}": document,
        f"deleted_file_{suffix}": deleted,
    }


def _follow_up_sample(org):
    """A follow-up of a closed project of `org`, open to its grantee (due in ten days)."""
    project = factories.ProjectFactory(organisation=org, status=ProjectStatus.CLOSED)
    follow_up = FollowUp(project=project, months_after=6, due_date=today() + timedelta(days=10))
    db.session.add(follow_up)
    return follow_up


def _reminder_samples(grantee_a, grantee_b) -> dict:
    return {
        "notification_a": factories.notification(grantee_a),
        "notification_b": factories.notification(grantee_b),
        "reminder_rule": factories.ReminderRuleFactory(),
        "outbox_email": factories.failed_email(grantee_a),
    }


def _outcome_samples(project, grantee, suffix: str) -> dict:
    indicator = factories.ProjectIndicatorFactory(project=project)
    result = factories.indicator_result(
        indicator, project.start_date.replace(day=1), 12, reported_by_id=grantee.id
    )
    return {f"project_indicator_{suffix}": indicator, f"result_{suffix}": result}


@dataclass(frozen=True)
class _Period:
    """A period of the grid, named in a URL by its key where other samples give their id."""

    id: str


@pytest.fixture
def samples():
    org_a = factories.OrganisationFactory()
    org_b = factories.OrganisationFactory()
    users = {
        "admin": factories.UserFactory(role=Role.ADMIN),
        "officer": factories.UserFactory(role=Role.OFFICER),
        "reviewer": factories.UserFactory(role=Role.REVIEWER),
        "board": factories.UserFactory(role=Role.BOARD),
        # A manager of its organisation's people (the member's 403 is tested on its own).
        "grantee": factories.UserFactory(role=Role.GRANTEE, organisation=org_a, org_manager=True),
    }
    grantee_b = factories.UserFactory(role=Role.GRANTEE, organisation=org_b)
    objects = {
        "organisation_a": org_a,
        "organisation_b": org_b,
        "grantee_user_a": factories.UserFactory(role=Role.GRANTEE, organisation=org_a),
        "grantee_user_b": grantee_b,
        **_delivery_samples(org_a, users["grantee"], "a"),
        **_delivery_samples(org_b, grantee_b, "b"),
        **_reminder_samples(users["grantee"], grantee_b),
        "follow_up_a": _follow_up_sample(org_a),
        "follow_up_b": _follow_up_sample(org_b),
        "standard_indicator": factories.StandardIndicatorFactory(),
        **_application_samples(org_a, users["grantee"], "a"),
        **_application_samples(org_b, grantee_b, "b"),
    }
    objects.update(_report_samples(objects))
    objects.update(_outcome_samples(objects["project_a"], users["grantee"], "a"))
    objects.update(_outcome_samples(objects["project_b"], grantee_b, "b"))
    # The quarter of result_a, which is reported and not verified: it cannot be published.
    year, quarter = grid.quarter_of(objects["result_a"].period_end)
    objects["period"] = _Period(grid.Period(year, "Q", quarter).key)
    objects["assignment_a"] = ReviewAssignment(
        application=objects["application_a"], reviewer_id=users["reviewer"].id
    )
    db.session.add(objects["assignment_a"])
    for name, kind in (("import_batch", ImportKind.WORKBOOK), ("bank_batch", ImportKind.BANK)):
        objects[name] = ImportBatch(
            kind=kind, filename="portfolio.xlsx", data=b"", created_by_id=users["admin"].id
        )
        db.session.add(objects[name])
    # A child well-being domain no indicator informs (#21): the admin may delete it.
    objects["wellbeing_domain"] = WellbeingDomain(code="SAMPLE", name_en="Sample", position=999)
    db.session.add(objects["wellbeing_domain"])
    # In-kind support (#21): a catalogue item, and a planned delivery on A's and on B's project.
    objects["inkind_item"] = InKindItem(
        kind="medicine", name_ru="Нусинерсен", unit="флакон", unit_value=100_00
    )
    for suffix in ("a", "b"):
        objects[f"delivery_{suffix}"] = InKindDelivery(
            project=objects[f"project_{suffix}"],
            item=objects["inkind_item"],
            unit_value=100_00,
            quantity_planned=3,
            planned_on=date(2026, 12, 20),
            facility="Областная детская больница",
            region_id=objects[f"project_{suffix}"].organisation.region_id,
            discrepancy="",
            resolution="",
        )
        db.session.add(objects[f"delivery_{suffix}"])
    # Payment requests (#21): one returned to A's grantee, one of B's.
    for suffix in ("a", "b"):
        objects[f"payment_request_{suffix}"] = PaymentRequest(
            tranche=objects[f"tranche_{suffix}"],
            status="returned",
            requested_at=objects[f"tranche_{suffix}"].created_at,
            invoice_number="СФ-1",
            invoice_date=date(2026, 11, 30),
            iban="KZ86125KZT5004100100",
            bic="KCJBKZKX",
            kbe="18",
            note="",
            return_reason="Подпись",
        )
        db.session.add(objects[f"payment_request_{suffix}"])
    # The board's register (#21): a planned meeting with one item on its agenda.
    objects["board_meeting"] = BoardMeeting(
        number="AM-1", held_on=date(2026, 12, 20), attendees="", location=""
    )
    objects["board_item"] = AgendaItem(
        position=1, kind=AgendaKind.OTHER, title="Annual plan", notes=""
    )
    objects["board_meeting"].items.append(objects["board_item"])
    db.session.add(objects["board_meeting"])
    objects["user_session"] = sessions.start(
        db.session, objects["grantee_user_a"], address="", user_agent="", remember=False
    )[0]
    db.session.flush()
    return users, objects


def _report_samples(objects) -> dict:
    return {
        f"report_{suffix}": factories.StoredReportFactory(
            for_project=True, project=objects[f"project_{suffix}"]
        )
        for suffix in ("a", "b")
    }


def _application_samples(org, applicant, suffix: str) -> dict:
    call = factories.CallFactory()
    submitted = factories.application_in(
        ApplicationStatus.SUBMITTED, call=call, organisation=org, created_by=applicant
    )
    draft = factories.ApplicationFactory(call=call, organisation=org, created_by=applicant)
    return {
        f"call_{suffix}": call,
        f"application_{suffix}": submitted,
        f"application_file_{suffix}": submitted.files[0],
        f"draft_application_{suffix}": draft,
        f"draft_application_file_{suffix}": factories.attach_charter(draft),
    }


def _url(app, endpoint: str, args: dict[str, str], objects) -> str:
    with app.test_request_context():
        return url_for(endpoint, **{k: objects[v].id for k, v in args.items()})


def _outcome(response) -> object:
    if response.status_code in (DENIED, HIDDEN):
        return response.status_code
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/auth/login" in location:
        return LOGIN_PAGE
    if response.status_code < 400 or response.status_code in (400, 401, 422):
        # 400/422: the form was refused for its content, which means the route was reached.
        return OK
    return response.status_code


class WriteWatcher:
    """Counts INSERT/UPDATE/DELETE statements while active. A download's audit event is the
    one write a GET makes (web.audit.record_read, in a transaction of its own)."""

    pattern = re.compile(r"^\s*(INSERT(?!\s+INTO\s+audit_events\b)|UPDATE|DELETE)\b", re.IGNORECASE)

    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        if self.pattern.match(statement):
            self.writes.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def _request(client, method: str, url: str):
    return client.open(url, method=method, data={} if method == "POST" else None)


@pytest.mark.parametrize(("endpoint", "method"), PROTECTED)
@pytest.mark.parametrize("role", ROLES)
def test_role_access(app, client, samples, endpoint, method, role):
    users, objects = samples
    entry = ACCESS[endpoint]
    login_as(client, users[role])
    url = _url(app, endpoint, entry.args, objects)
    with WriteWatcher() as watcher:
        response = _request(client, method, url)
    assert _outcome(response) == entry.outcome(role, method), (
        f"{role} {method} {url}: {response.status_code} {response.headers.get('Location')}"
    )
    if method == "GET":
        assert not watcher.writes, f"GET {url} wrote: {watcher.writes}"
    if response.status_code == 200 and response.mimetype == "text/html":
        assert_safe_page(response, url)


def assert_safe_page(response, url: str) -> None:
    """Every page carries the security headers and no inline script or style, which the CSP
    would block."""
    assert "script-src 'self'" in response.headers["Content-Security-Policy"], url
    assert response.headers["X-Content-Type-Options"] == "nosniff", url
    if not response.mimetype.startswith("text/html"):
        return  # a file (an open-data spreadsheet): no markup to run
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), f"inline style/handler on {url}"


@pytest.mark.parametrize(("endpoint", "method"), PROTECTED)
def test_anonymous_users_get_the_login_page(app, client, samples, endpoint, method):
    _, objects = samples
    url = _url(app, endpoint, ACCESS[endpoint].args, objects)
    response = _request(client, method, url)
    assert _outcome(response) == LOGIN_PAGE, f"{method} {url}: {response.status_code}"


OTHER_ORG = [(e, m) for e, m in PROTECTED if e in ACCESS and ACCESS[e].other_args]


@pytest.mark.parametrize(("endpoint", "method"), OTHER_ORG)
def test_grantee_gets_404_for_another_organisations_objects(app, client, samples, endpoint, method):
    users, objects = samples
    login_as(client, users["grantee"])
    url = _url(app, endpoint, ACCESS[endpoint].other_args, objects)
    with WriteWatcher() as watcher:
        response = _request(client, method, url)
    assert response.status_code == HIDDEN, f"{method} {url}: {response.status_code}"
    assert not watcher.writes


PUBLIC_PAGES = sorted(
    {e for e, m in RULES if e in PUBLIC and m == "GET"} - {"static", "bootstrap.static"}
)


@pytest.mark.parametrize("endpoint", PUBLIC_PAGES)
def test_public_pages_answer_without_writing(app, client, endpoint):
    rule = next(_rules_app.url_map.iter_rules(endpoint))
    args = {"token": "not-a-token"} if "token" in rule.arguments else {}
    # A public page of one object (a public project by its code): an unknown one is 404.
    about_one = rule.arguments - {"token"}
    args.update(dict.fromkeys(about_one, "NO-SUCH-OBJECT"))
    with app.test_request_context():
        url = url_for(endpoint, **args)
    with WriteWatcher() as watcher:
        response = client.get(url)
    assert response.status_code in ((200, 302, 404) if about_one else (200, 302))
    assert not watcher.writes
    if response.status_code == 200:
        assert_safe_page(response, url)
