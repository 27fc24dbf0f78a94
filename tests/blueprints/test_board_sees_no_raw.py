"""A board member receives no raw count of people on any page: every GET rule of the url_map is
walked as a board member over small data whose counts cannot occur by chance.

Two proofs on every response (pages, CSV, XLSX, JSON):
- no distinctive raw count appears in it, in any of the ways a number is printed;
- it does not change when every raw count of people in the database changes (small ones 1-4
  included, which no search for digits could find): what the board receives depends on no raw
  count at all.
Before anything is published both hold everywhere. After a period is published, a distinctive
count may appear only where it is the value of a published cell that is shown, and the board's
responses still do not move when the raw counts do: they show published figures only.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from flask import url_for
from pypdf import PdfReader
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationStatus,
    CellStatus,
    FollowUp,
    FollowUpStatus,
    Frequency,
    ImportBatch,
    ImportKind,
    IndicatorResult,
    IndicatorType,
    InKindDelivery,
    InKindItem,
    MilestoneUpdate,
    PaymentRequest,
    ProjectStatus,
    Publication,
    PublishedCell,
    ResultCell,
    ResultRevision,
    ResultStatus,
    ReviewAssignment,
    Role,
    UpdateResult,
    UpdateStatus,
    WellbeingDomain,
)
from fundtracker.services import events, publications
from tests import factories
from tests.conftest import login_as

# Rules not walked, and why: only these.
SKIPPED = {
    "static": "the app's own CSS and JavaScript files, no data",
    "bootstrap.static": "Bootstrap's files, no data",
    "account.sessions_page": "the reader's own sign-ins (each walk signs in anew), no figures",
    "account.token_revoke": "the reader's own API token, no figures",
    "api_docs.swagger_file": "Swagger UI's files, no data",
    "metrics": "request timings and counters of this process (loopback only), no data",
}

# Raw counts of people in the data below: none can be a date, an amount, an id or a code.
RESULTS = {
    "a_q1": 791903,  # project A, standard indicator, 2025 Q1 (female 600719 + male 191184)
    "a_q1_female": 600719,
    "a_q1_male": 191184,
    "a_q3": 792721,  # 2025 Q3, corrected from 793319
    "a_q3_before": 793319,
    "a_2026": 794483,  # 2026 Q1: reported, not verified
    "a_draft": 794821,  # 2026 Q2: a draft
    "own_q1": 795217,  # project A's own count indicator, 2025 Q1
    "b_q1": 796001,  # project B, 2025 Q1 (KZ-71 596003 + KZ-75 199998)
    "b_q1_kz71": 596003,
    "b_q1_kz75": 199998,
    "carried_before": 797003,  # what the update sent back said of a result
}
REACHED = {
    "a_accepted": 538711,  # accepted 10 Feb 2025
    "a_sent_back": 539009,  # an update the fund sent back
    "a_resubmitted": 539623,  # its resubmission, waiting for review
    "a_draft": 541001,
    "a_2026": 542101,  # accepted in 2026: not published
    "follow_up": 544013,  # a closed project's follow-up after closure, waiting for review
}
DISTINCT = sorted({*RESULTS.values(), *REACHED.values()})
SMALL = (1, 2, 3, 4)  # also in the data: found by the second proof, not by searching

SEPARATORS = "\u202f\u00a0\u2009 ,.'"


def number_pattern(value: int) -> re.Pattern:
    """`value` as any page may print it: 791903, 791,903, 791 903 (thin or no-break space)."""
    digits = str(value)
    head, groups = digits[: len(digits) % 3 or 3], []
    rest = digits[len(head) :]
    groups = [rest[i : i + 3] for i in range(0, len(rest), 3)]
    sep = f"[{SEPARATORS}]?"
    body = sep.join([head, *groups])
    edge = f"[{SEPARATORS}]"
    return re.compile(rf"(?<!\d)(?<!\d{edge}){body}(?!\d)(?!{edge}\d)")


PATTERNS = {v: number_pattern(v) for v in DISTINCT}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)


@dataclass
class World:
    board: object
    grantee: object = None  # project A's grantee
    ids: dict[str, list] = field(default_factory=dict)


def _result(indicator, start, value, status=ResultStatus.VERIFIED, cells=None, **kw):
    reviewed = {"reviewed_at": at(start)} if status == ResultStatus.VERIFIED else {}
    return factories.indicator_result(indicator, start, value, status, cells, **kw, **reviewed)


def _update(milestone, author, status, beneficiaries, when: date, **kw):
    update = MilestoneUpdate(
        milestone=milestone,
        author_id=author.id,
        status=status,
        narrative="Therapy sessions went ahead as planned.",
        progress=40,
        beneficiaries=beneficiaries,
        submitted_at=at(when) if status != UpdateStatus.DRAFT else None,
        **kw,
    )
    db.session.add(update)
    db.session.flush()
    return update


def _outcomes(world, grantee_a, officer, a, b):
    standard = factories.StandardIndicatorFactory(code="TST-1")
    a_std = factories.ProjectIndicatorFactory(
        project=a, standard=standard, by_region=False, by_sex=True, by_age=False
    )
    a_own = factories.ProjectIndicatorFactory(
        project=a,
        standard=None,
        name="Families counselled",
        unit="families",
        by_region=False,
        by_sex=False,
    )
    a_pct = factories.ProjectIndicatorFactory(
        project=a,
        standard=None,
        name="Share of therapy plans met",
        type=IndicatorType.PERCENTAGE,
        target=90,
        by_region=False,
        by_sex=False,
        frequency=Frequency.QUARTERLY,
    )
    b_std = factories.ProjectIndicatorFactory(
        project=b, standard=standard, by_region=True, by_sex=False, by_age=False
    )
    r = RESULTS
    q = [date(2025, m, 1) for m in (1, 4, 7, 10)]
    results = [
        _result(
            a_std,
            q[0],
            r["a_q1"],
            cells={"sex": {"female": r["a_q1_female"], "male": r["a_q1_male"]}},
        ),
        _result(a_std, q[1], 3, cells={"sex": {"female": 1, "male": 2}}),
        _result(a_std, q[2], r["a_q3"]),
        _result(a_std, date(2026, 1, 1), r["a_2026"], ResultStatus.REPORTED),
        _result(a_std, date(2026, 4, 1), r["a_draft"], ResultStatus.DRAFT),
        _result(a_own, q[0], r["own_q1"]),
        _result(a_own, q[1], 4),
        _result(a_pct, q[0], 47),
        _result(
            b_std,
            q[0],
            r["b_q1"],
            cells={"region": {"KZ-71": r["b_q1_kz71"], "KZ-75": r["b_q1_kz75"]}},
        ),
        _result(b_std, q[1], 2, cells={"region": {"KZ-71": 2}}),
    ]
    db.session.add(
        ResultRevision(
            result=results[2],
            value=r["a_q3_before"],
            cells={},
            status=ResultStatus.REPORTED,
            reason="Corrected after the fund's question",
            changed_by_id=grantee_a.id,
        )
    )
    # What people write of a result discusses its raw figures.
    events.record(
        db.session, a, grantee_a, "result_corrected", f"It was {r['a_q3_before']}: a typo."
    )
    events.record(db.session, a, officer, "result_queried", "Why only 1 girl this quarter?")
    factories.impact_story(a, grantee_a)
    world.ids.update(
        standard_id=[standard.id],
        indicator_id=[a_std.id, a_own.id, a_pct.id, b_std.id],
        result_id=[x.id for x in results],
    )
    return results


def _delivery(world, grantee_a, grantee_b, officer, a, b, results):
    m1, m2, m3 = (factories.MilestoneFactory(project=a) for _ in range(3))
    mb = factories.MilestoneFactory(project=b)
    m2026 = factories.MilestoneFactory(project=a)
    reviewed = {"status": UpdateStatus.ACCEPTED, "reviewed_by_id": officer.id}
    accepted = _update(
        m1,
        grantee_a,
        beneficiaries=REACHED["a_accepted"],
        when=date(2025, 2, 5),
        reviewed_at=at(date(2025, 2, 10)),
        **reviewed,
    )
    _update(
        m2,
        grantee_a,
        beneficiaries=3,
        when=date(2025, 5, 5),
        reviewed_at=at(date(2025, 5, 10)),
        **reviewed,
    )
    _update(
        mb,
        grantee_b,
        beneficiaries=1,
        when=date(2025, 3, 1),
        reviewed_at=at(date(2025, 3, 3)),
        **reviewed,
    )
    _update(
        m2026,
        grantee_a,
        beneficiaries=REACHED["a_2026"],
        when=date(2026, 1, 25),
        reviewed_at=at(date(2026, 2, 1)),
        **reviewed,
    )
    sent_back = _update(
        m3,
        grantee_a,
        UpdateStatus.REVISION_REQUESTED,
        REACHED["a_sent_back"],
        date(2025, 8, 1),
        reviewed_at=at(date(2025, 8, 3)),
        reviewed_by_id=officer.id,
        review_comment="Please add the acts.",
    )
    again = _update(
        m3, grantee_a, UpdateStatus.SUBMITTED, REACHED["a_resubmitted"], date(2025, 8, 20)
    )
    _update(
        factories.MilestoneFactory(project=a),
        grantee_a,
        UpdateStatus.DRAFT,
        REACHED["a_draft"],
        date(2025, 9, 1),
    )
    # What the updates carried of the results (as the milestone page lists them).
    a_q1, _a_q2, a_q3, *_ = results
    a_q1.milestone_update_id = accepted.id
    db.session.add_all(
        [
            UpdateResult(
                update_id=accepted.id,
                result_id=a_q1.id,
                value=a_q1.value,
                cells={"sex": {"female": RESULTS["a_q1_female"], "male": RESULTS["a_q1_male"]}},
            ),
            UpdateResult(
                update_id=sent_back.id, result_id=a_q3.id, value=RESULTS["carried_before"], cells={}
            ),
            UpdateResult(update_id=again.id, result_id=a_q3.id, value=a_q3.value, cells={}),
        ]
    )
    tranche = factories.TrancheFactory(project=a, milestone=m1)
    line = factories.BudgetLineFactory(project=a)
    document = factories.stored_file(a, officer)
    evidence = factories.stored_file(a, grantee_a, name="evidence.pdf", update=accepted)
    world.ids.update(
        milestone_id=[m1.id, m2.id, m3.id, mb.id, m2026.id],
        tranche_id=[tranche.id],
        line_id=[line.id],
        file_id=[document.id, evidence.id],
    )


def _the_rest(world, grantee_a, officer):
    """Objects of the other rules (applications, reviews, reminders, reports, accounts)."""
    application = factories.application_in(
        ApplicationStatus.SUBMITTED, organisation=grantee_a.organisation, created_by=grantee_a
    )
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = ReviewAssignment(application=application, reviewer_id=reviewer.id)
    db.session.add(assignment)
    board_report = factories.StoredReportFactory(
        period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
    )
    db.session.flush()
    world.ids.update(
        application_id=[application.id],
        call_id=[application.call_id],
        assignment_id=[assignment.id],
        report_id=[board_report.id],
        rule_id=[factories.ReminderRuleFactory().id],
        email_id=[factories.failed_email(world.board).id],
        notification_id=[factories.notification(world.board).id],
        user_id=[world.board.id, grantee_a.id],
        token=["not-a-token"],
    )
    world.ids["file_id"].append(application.files[0].id)
    # Imports (issue #24): a workbook's preview and a bank statement's, both staff only.
    batches = [
        ImportBatch(kind=kind, filename="portfolio.xlsx", data=b"", created_by_id=officer.id)
        for kind in (ImportKind.WORKBOOK, ImportKind.BANK)
    ]
    db.session.add_all(batches)
    db.session.flush()
    world.ids["batch_id"] = [b.id for b in batches]
    # The board's register (issue #21): a meeting held, deciding the application; an in-kind
    # delivery on A's project, confirmed.
    decision = factories.board_decision("application", application=application, amount=1_00)
    item = InKindItem(kind="medicine", name_ru="Нусинерсен", unit="флакон", unit_value=100_00)
    delivery = InKindDelivery(
        project_id=world.ids["project_id"][0],
        item=item,
        unit_value=100_00,
        quantity_planned=3,
        planned_on=date(2025, 6, 1),
        facility="Областная детская больница",
        region_id=grantee_a.organisation.region_id,
        status="confirmed",
        quantity_delivered=3,
        quantity_received=3,
        discrepancy="",
        resolution="",
    )
    db.session.add(delivery)
    # A payment request (issue #21) on A's project.
    request = PaymentRequest(
        tranche=factories.TrancheFactory(project_id=world.ids["project_id"][0]),
        requested_at=datetime(2025, 6, 1, tzinfo=UTC),
        invoice_number="СФ-1",
        invoice_date=date(2025, 6, 1),
        iban="KZ86125KZT5004100100",
        bic="KCJBKZKX",
        kbe="18",
        note="",
        return_reason="",
    )
    db.session.add(request)
    db.session.flush()
    world.ids["request_id"] = [request.id]
    world.ids.update(
        meeting_id=[decision.item.meeting_id],
        item_id=[decision.item_id],
        catalogue_id=[item.id],
        delivery_id=[delivery.id],
        # A child well-being domain (issue #21): its page is the admin's.
        domain_id=list(db.session.scalars(select(WellbeingDomain.id))),
    )
    # A follow-up after closure (issue #21) the grantee answered: its page shows the board no
    # count (the board reads the Sustainability figures, protected, once accepted).
    closed = factories.ProjectFactory(
        organisation=grantee_a.organisation, officer=officer, status=ProjectStatus.CLOSED
    )
    follow_up = FollowUp(
        project=closed,
        months_after=6,
        due_date=date(2025, 6, 30),
        status=FollowUpStatus.SUBMITTED,
        still_running=True,
        people_served=REACHED["follow_up"],
        submitted_at=at(date(2025, 6, 20)),
    )
    db.session.add(follow_up)
    db.session.flush()
    world.ids["follow_up_id"] = [follow_up.id]


@pytest.fixture
def world(app, officer):
    board = factories.UserFactory(role=Role.BOARD, name="Board Bolat")
    grantee_a = factories.UserFactory(grantee=True)
    world = World(board, grantee_a)
    grantee_b = factories.UserFactory(grantee=True)
    a = factories.ProjectFactory(
        organisation=grantee_a.organisation,
        officer=officer,
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
        regions=[factories.region("KZ-71")],
    )
    b = factories.ProjectFactory(
        organisation=grantee_b.organisation,
        officer=officer,
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
        area=factories.area("education"),
        regions=[factories.region("KZ-71"), factories.region("KZ-75")],
    )
    world.ids.update(
        project_id=[a.id, b.id],
        organisation_id=[grantee_a.organisation_id, grantee_b.organisation_id],
        # The public transparency page of each project (issue #20).
        code=[a.code, b.code],
    )
    results = _outcomes(world, grantee_a, officer, a, b)
    _delivery(world, grantee_a, grantee_b, officer, a, b, results)
    _the_rest(world, grantee_a, officer)
    world.ids.update(publication_id=[], period=["2025"], key=["2025"])
    db.session.flush()
    return world


# Walking the url_map ----------------------------------------------------------------------------


def board_urls(app, world) -> tuple[dict[str, str], list[str]]:
    """{url: endpoint} of every GET rule filled with the world's objects, and the rules that
    could not be filled now (an argument with no object yet, e.g. a publication)."""
    urls, unfilled, unknown = {}, [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        names = sorted(rule.arguments)
        if any(n not in world.ids for n in names):
            unknown.append(f"{rule.endpoint} {rule.rule}")
            continue
        if any(not world.ids[n] for n in names):
            unfilled.append(rule.endpoint)
            continue
        with app.test_request_context():
            for values in itertools.product(*(world.ids[n] for n in names)):
                urls[url_for(rule.endpoint, **dict(zip(names, values, strict=True)))] = (
                    rule.endpoint
                )
    assert not unknown, f"rules with arguments this test cannot fill yet: {unknown}"
    with app.test_request_context():
        for period in world.ids["period"]:
            urls[url_for("outcomes.portfolio", period=period)] = "outcomes.portfolio"
            urls[url_for("outcomes.portfolio_csv", period=period)] = "outcomes.portfolio_csv"
    return urls, unfilled


def body_text(response) -> str:
    """What a response carries, as text: a spreadsheet's cells and strings, not its zip."""
    data = response.get_data()
    if data[:5] == b"%PDF-":  # a meeting's pack: its text
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(
                book.read(n).decode() for n in sorted(book.namelist()) if n.startswith("xl/")
            )
    return data.decode("utf-8", errors="replace")


def normalised(text: str) -> str:
    """Without what changes from one request to the next whatever the data (CSRF tokens)."""
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", text)
    return re.sub(r'(name="csrf-token" content=")[^"]*', r"\1", text)


def walk(client, board, urls: dict[str, str]) -> dict[str, tuple[int, str]]:
    login_as(client, board)
    out = {}
    for url in urls:
        response = client.get(url)
        out[url] = (response.status_code, normalised(body_text(response)))
    return out


def found(pages: dict[str, tuple[int, str]], urls: dict[str, str]) -> dict[int, list[str]]:
    """Each distinctive count found, with the endpoints it was found on."""
    out: dict[int, list[str]] = {}
    for url, (_status, text) in pages.items():
        for value, pattern in PATTERNS.items():
            if pattern.search(text):
                out.setdefault(value, []).append(f"{urls[url]} {url}")
    return out


def shift_raw_counts(session) -> None:
    """Change every raw count of people (small ones too); percentages are no counts."""

    def new(v):
        if v is None or v == 0:
            return v
        if v in SMALL:  # another small count: 1 -> 2, ..., 4 -> 1
            return SMALL[(SMALL.index(v) + 1) % len(SMALL)]
        return v + 7

    def new_cells(cells):
        return {d: {k: new(v) for k, v in c.items()} for d, c in (cells or {}).items()}

    session.expire_all()  # publishing locked the results (new versions)
    counts = select(IndicatorResult).join(IndicatorResult.indicator)
    for result in session.scalars(counts):
        if result.indicator.type == IndicatorType.COUNT:
            result.value = new(result.value)
    for cell in session.scalars(select(ResultCell)):
        cell.value = new(cell.value)
    for rev in session.scalars(select(ResultRevision)):
        rev.value, rev.cells = new(rev.value), new_cells(rev.cells)
    for carried in session.scalars(select(UpdateResult)):
        carried.value, carried.cells = new(carried.value), new_cells(carried.cells)
    for update in session.scalars(select(MilestoneUpdate)):
        update.beneficiaries = new(update.beneficiaries)
    session.flush()
    session.expire_all()


# The open-data files carry when they were made (with no public project, the time of the build).
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _same(url: str, before, after) -> bool:
    if url.startswith("/open-data/"):
        return before[0] == after[0] and STAMP.sub("", before[1]) == STAMP.sub("", after[1])
    return before == after


def changed(before, after, urls) -> list[str]:
    return sorted(f"{urls[u]} {u}" for u in before if not _same(u, before[u], after[u]))


# The tests ------------------------------------------------------------------------------------


def test_number_pattern_finds_every_printed_form():
    pattern = number_pattern(791903)
    for text in ("791903", "791\u202f903", "791\u00a0903", "791 903", "791,903", ">791903<"):
        assert pattern.search(text), text
    for text in ("1791903", "791 9031", "2791 903", "791 903 000", "7919030", "179190"):
        assert not pattern.search(text), text
    assert number_pattern(1234567).search("1\u202f234\u202f567")


def test_the_board_receives_no_raw_count_before_anything_is_published(app, client, world):
    urls, _unfilled = board_urls(app, world)  # a publication's own pages: nothing published
    assert len(urls) > 60
    before = walk(client, world.board, urls)
    assert not found(before, urls), found(before, urls)
    a, milestone = world.ids["project_id"][0], world.ids["milestone_id"][0]
    assert (
        "No figures of this project have been published yet."
        in before[f"/outcomes/projects/{a}"][1]
    )
    assert "not published yet" in before[f"/projects/{a}"][1]
    assert 'id="published-only"' in before[f"/milestones/{milestone}"][1]

    shift_raw_counts(db.session)
    after = walk(client, world.board, urls)
    assert not changed(before, after, urls), (
        "a board member's responses depend on raw counts of people"
    )


def test_after_publishing_the_board_sees_only_published_figures(app, client, officer, world):
    publications.publish(db.session, officer, "2025", date(2026, 12, 4))
    db.session.flush()
    world.ids["publication_id"] = list(db.session.scalars(select(Publication.id)))
    world.ids["period"] = ["2025", "2025-Q1", "2025-H1"]
    world.ids["key"] = world.ids["period"]
    cells = list(db.session.scalars(select(PublishedCell)))
    shown = {c.value for c in cells if c.status == CellStatus.SHOWN and c.reports}
    hidden = {c.value for c in cells if c.status != CellStatus.SHOWN} - shown

    urls, unfilled = board_urls(app, world)
    assert not unfilled, unfilled
    before = walk(client, world.board, urls)
    seen = found(before, urls)
    assert set(seen) <= shown, {v: where for v, where in seen.items() if v not in shown}
    assert not set(seen) & hidden
    # Unpublished (2026) and never-verified counts appear nowhere.
    for key in ("a_2026", "a_draft", "a_q3_before", "carried_before", "a_q1_female"):
        assert RESULTS[key] not in seen, (key, seen.get(RESULTS[key]))
    for key in ("a_2026", "a_draft", "a_sent_back", "a_resubmitted"):
        assert REACHED[key] not in seen, (key, seen.get(REACHED[key]))

    # The project's published table names each period and its date of publication.
    a = world.ids["project_id"][0]
    page = before[f"/outcomes/projects/{a}"][1]
    assert "Published figures" in page and "2025 Q1 · published" in page
    detail = before[f"/projects/{a}"][1]
    assert "2025 · published" in detail

    shift_raw_counts(db.session)
    after = walk(client, world.board, urls)
    assert not changed(before, after, urls), (
        "after publishing, a board member's responses still depend on raw counts"
    )


@pytest.mark.parametrize("who", ["officer", "grantee"])
def test_staff_and_the_projects_grantee_still_see_raw_counts(login, officer, world, who):
    a = world.ids["project_id"][0]
    client = login(officer if who == "officer" else world.grantee)
    outcomes_page = client.get(f"/outcomes/projects/{a}").get_data(as_text=True)
    assert "791\u202f903" in outcomes_page and "Published figures" not in outcomes_page
    assert "600\u202f719" in outcomes_page  # the breakdown
    detail = client.get(f"/projects/{a}").get_data(as_text=True)
    reached = REACHED["a_accepted"] + 3 + REACHED["a_2026"]  # every accepted update of A
    assert f'data-figure="beneficiaries">{reached}<' in detail
    assert f"It was {RESULTS['a_q3_before']}: a typo." in detail  # what was written
    milestone = world.ids["milestone_id"][0]
    page = client.get(f"/milestones/{milestone}").get_data(as_text=True)
    assert str(REACHED["a_accepted"]) in page and "791\u202f903" in page
