"""A grantee's milestone update through the API: the draft with its results and breakdowns,
evidence files checked as on the web, the submission that reaches the officer exactly as one
sent from the page; all or nothing, 409 on a stale version, 403 without the scope or the right,
404 for another organisation's milestone."""

from __future__ import annotations

import io
from datetime import date

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import (
    IndicatorResult,
    MilestoneStatus,
    MilestoneUpdate,
    Notification,
    ProjectEvent,
    ResultStatus,
    Role,
    StoredFile,
    UpdateStatus,
)
from fundtracker.services import milestones
from tests import factories
from tests.conftest import api_headers, login_as
from tests.factories import PDF_BYTES

PERIOD = date(2026, 7, 1)  # 2026 Q3: the projects run 2025-01-15 to 2026-12-31


@pytest.fixture
def plan(grantee, officer):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project)
    factories.TrancheFactory(project=project, milestone=milestone)
    line = factories.BudgetLineFactory(project=project)
    indicator = factories.ProjectIndicatorFactory(project=project)  # by region and by sex
    return project, milestone, line, indicator


def _url(milestone, tail: str = "") -> str:
    return f"/api/v1/milestones/{milestone.id}/update{tail}"


def _body(line, indicator, version: int = 0, **overrides) -> dict:
    body = {
        "version": version,
        "narrative": "Equipment installed; 42 children started therapy.",
        "progress": 100,
        "beneficiaries": 42,
        "spending": [
            {"budget_line_id": line.id, "amount": {"amount": 12_500_000_50, "currency": "KZT"}}
        ],
        "results": [
            {
                "indicator_id": indicator.id,
                "period_start": PERIOD.isoformat(),
                "value": 21,
                "breakdowns": {"sex": {"female": 12, "male": 9}, "region": {"KZ-71": 21}},
            }
        ],
    }
    body.update(overrides)
    return body


def _evidence(client, milestone, headers, content=PDF_BYTES, name="Акт приёмки.pdf"):
    return client.post(
        _url(milestone, "/evidence"),
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def _told(user) -> list[str]:
    return list(
        db.session.scalars(
            db.select(Notification.message_key)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_the_update_reads_as_the_page_form_holds_it(client, grantee, plan):
    _, milestone, line, indicator = plan
    response = client.get(_url(milestone), headers=api_headers(grantee, ["write-updates"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 0 and body["status"] is None and body["accepts_update"]
    assert body["spending"] == [
        {
            "budget_line_id": line.id,
            "category": "equipment",
            "description": line.description,
            "planned": {"amount": line.amount, "currency": "KZT"},
            "amount": None,
        }
    ]
    (slot,) = body["results"]
    assert slot["indicator_id"] == indicator.id and slot["editable"] and slot["answer"] is None
    assert slot["categories"] == {"region": ["KZ-71"], "sex": ["female", "male"]}
    assert {"start": "2026-07-01", "end": "2026-09-30", "label": "2026 Q3"} in slot["periods"]
    assert body["evidence"] == []


def test_a_draft_with_results_is_saved_and_read_back(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    response = client.put(_url(milestone), json=_body(line, indicator), headers=headers)
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["status"] == "draft" and saved["version"] > 0
    assert saved["narrative"].startswith("Equipment installed")
    assert saved["spending"][0]["amount"] == {"amount": 12_500_000_50, "currency": "KZT"}
    assert saved["results"][0]["answer"] == {
        "period_start": "2026-07-01",
        "value": 21,
        "explanation": "",
        "breakdowns": {"region": {"KZ-71": 21}, "sex": {"female": 12, "male": 9}},
    }
    assert client.get(_url(milestone), headers=headers).get_json() == saved
    db.session.expire_all()
    draft = milestone.updates[-1]
    assert draft.status == UpdateStatus.DRAFT and draft.beneficiaries == 42
    (result,) = db.session.scalars(db.select(IndicatorResult))
    assert result.status == ResultStatus.DRAFT and result.milestone_update_id == draft.id
    assert milestone.status == MilestoneStatus.PLANNED
    # The page's form holds what the API saved (one draft, shared by both).
    page = login_as(client, grantee) and client.get(f"/milestones/{milestone.id}")
    assert "42 children started therapy" in page.get_data(as_text=True)


def test_a_put_replaces_the_whole_draft(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    first = client.put(_url(milestone), json=_body(line, indicator), headers=headers).get_json()
    body = {"version": first["version"], "narrative": "Only this"}
    second = client.put(_url(milestone), json=body, headers=headers).get_json()
    assert second["narrative"] == "Only this"
    assert second["spending"][0]["amount"] is None  # left out: not filled in
    assert second["results"][0]["answer"] is None  # left out: nothing reported
    assert second["progress"] == 100  # null keeps the draft's, as on the page
    assert db.session.scalars(db.select(IndicatorResult)).all() == []


def test_the_submission_reaches_the_officer_as_one_from_the_page(client, grantee, officer, plan):
    project, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    saved = client.put(_url(milestone), json=_body(line, indicator), headers=headers).get_json()
    response = _evidence(client, milestone, headers)
    assert response.status_code == 201, response.get_json()
    with_file = response.get_json()
    (evidence,) = with_file["evidence"]
    assert evidence["name"] == "Акт приёмки.pdf" and evidence["content_type"] == "application/pdf"
    assert with_file["version"] > saved["version"]

    response = client.post(
        _url(milestone, "/submit"), json={"version": with_file["version"]}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["milestone_status"] == "submitted"
    assert body["accepts_update"] is False and body["submitted_at"]
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.SUBMITTED
    update = milestone.updates[-1]
    assert update.status == UpdateStatus.SUBMITTED and update.spending[0].amount == 12_500_000_50
    (result,) = db.session.scalars(db.select(IndicatorResult))
    assert result.status == ResultStatus.REPORTED and result.value == 21
    # As from the page (tests/services/test_notifier.py): the officer is told, nobody else.
    assert _told(officer) == ["update_submitted"]
    assert _told(grantee) == []
    # The officer's page shows the update and its evidence file, which is stored as sent.
    login_as(client, officer)
    html = client.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "42 children started therapy" in html and "Акт приёмки.pdf" in html
    stored = db.session.get(StoredFile, evidence["id"])
    assert file_storage().path(stored.storage_key).read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF, Word, Excel, JPEG or PNG"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_refused_file_is_422_with_the_pages_message_and_nothing_is_stored(
    client, grantee, plan, name, content, message
):
    _, milestone, _, _ = plan
    stored_before = set(file_storage().root.rglob("*")) if file_storage().root.exists() else set()
    response = _evidence(
        client, milestone, api_headers(grantee, ["write-updates"]), content=content, name=name
    )
    assert response.status_code == 422
    body = response.get_json()
    assert message in body["message"] and body["errors"] == {"files": {"file": [body["message"]]}}
    assert db.session.scalars(db.select(StoredFile)).all() == []
    assert db.session.scalars(db.select(MilestoneUpdate)).all() == []  # no draft either
    assert set(file_storage().root.rglob("*")) == stored_before


def test_an_oversized_file_is_refused(app, client, grantee, plan, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    _, milestone, _, _ = plan
    response = _evidence(
        client,
        milestone,
        api_headers(grantee, ["write-updates"]),
        content=PDF_BYTES + b"0" * (1024 * 1024 + 1),
        name="big.pdf",
    )
    assert response.status_code == 422
    assert "is larger than 1 MB" in response.get_json()["message"]
    assert db.session.scalars(db.select(StoredFile)).all() == []


def test_an_incomplete_submission_lists_what_is_missing_and_changes_nothing(
    client, grantee, officer, plan
):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    saved = client.put(_url(milestone), json=_body(line, indicator), headers=headers).get_json()
    response = client.post(
        _url(milestone, "/submit"), json={"version": saved["version"]}, headers=headers
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"missing": ["at least one evidence file"]}
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.PLANNED
    assert milestone.updates[-1].status == UpdateStatus.DRAFT
    assert _told(officer) == []


def test_a_mismatched_breakdown_stops_only_the_submission(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    results = [
        {
            "indicator_id": indicator.id,
            "period_start": PERIOD.isoformat(),
            "value": 21,
            "breakdowns": {"sex": {"female": 1, "male": 1}},
        }
    ]
    saved = client.put(
        _url(milestone), json=_body(line, indicator, results=results), headers=headers
    )
    assert saved.status_code == 200  # kept in the draft, as on the page
    version = _evidence(client, milestone, headers).get_json()["version"]
    response = client.post(_url(milestone, "/submit"), json={"version": version}, headers=headers)
    assert response.status_code == 422
    (missing,) = response.get_json()["errors"]["missing"]
    assert "do not add up" in missing


def test_a_refused_result_saves_nothing(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    results = [{"indicator_id": indicator.id, "period_start": "2024-01-01", "value": 5}]
    response = client.put(
        _url(milestone), json=_body(line, indicator, results=results), headers=headers
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"json": {"results": {"0": {"period_start": [body["message"]]}}}}
    assert "reporting periods" in body["message"]
    assert db.session.scalars(db.select(MilestoneUpdate)).all() == []  # not even the narrative


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"breakdowns": {"sex": {"unknown": 3}}}, ("results", "0", "breakdowns")),
        ({"indicator_id": 2**31 - 1}, ("results", "0", "indicator_id")),
    ],
)
def test_a_result_for_no_indicator_or_category_of_the_form_is_422(
    client, grantee, plan, change, where
):
    _, milestone, line, indicator = plan
    result = {"indicator_id": indicator.id, "period_start": PERIOD.isoformat(), "value": 3}
    body = _body(line, indicator, results=[{**result, **change}])
    response = client.put(_url(milestone), json=body, headers=api_headers(grantee))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert errors[where[0]][where[1]][where[2]]
    assert db.session.scalars(db.select(MilestoneUpdate)).all() == []


def test_another_budget_line_is_422(client, grantee, plan):
    _, milestone, line, indicator = plan
    other_line = factories.BudgetLineFactory()
    spending = [{"budget_line_id": other_line.id, "amount": {"amount": 1, "currency": "KZT"}}]
    response = client.put(
        _url(milestone),
        json=_body(line, indicator, spending=spending),
        headers=api_headers(grantee),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["spending"]["0"]["budget_line_id"]


def test_a_stale_version_is_409_and_keeps_the_colleagues_draft(client, grantee, plan):
    _, milestone, line, indicator = plan
    colleague = factories.UserFactory(role=Role.GRANTEE, organisation=grantee.organisation)
    mine, theirs = api_headers(grantee), api_headers(colleague)
    first = client.put(_url(milestone), json=_body(line, indicator), headers=mine).get_json()
    again = _body(line, indicator, version=first["version"], narrative="Colleague's text")
    assert client.put(_url(milestone), json=again, headers=theirs).status_code == 200
    for version in (first["version"], 0):  # read before the colleague's save; before any draft
        late = _body(line, indicator, version=version, narrative="Mine")
        response = client.put(_url(milestone), json=late, headers=mine)
        assert response.status_code == 409
        assert "Someone else saved a change" in response.get_json()["message"]
    response = client.post(
        _url(milestone, "/submit"), json={"version": first["version"]}, headers=mine
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert milestone.updates[-1].narrative == "Colleague's text"


def test_a_token_without_the_scope_is_403(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["read"])
    assert client.get(_url(milestone), headers=headers).status_code == 403
    response = client.put(_url(milestone), json=_body(line, indicator), headers=headers)
    assert response.status_code == 403
    assert "write-updates" in response.get_json()["message"]
    assert _evidence(client, milestone, headers).status_code == 403
    assert db.session.scalars(db.select(MilestoneUpdate)).all() == []


def test_the_funds_staff_do_not_send_a_grantees_update(client, grantee, officer, plan):
    _, milestone, line, indicator = plan
    # An officer's token cannot have the scope...
    response = client.put(
        _url(milestone), json=_body(line, indicator), headers=api_headers(officer)
    )
    assert response.status_code == 403
    # ...and a grantee's token stops working for updates once its user is staff.
    headers = api_headers(grantee, ["write-updates"])
    grantee.role, grantee.organisation = Role.OFFICER, None
    db.session.flush()
    for method, tail, json in (
        ("GET", "", None),
        ("PUT", "", _body(line, indicator)),
        ("POST", "/submit", {"version": 0}),
    ):
        response = client.open(_url(milestone, tail), method=method, json=json, headers=headers)
        assert response.status_code == 403, (method, tail)
        assert response.get_json()["message"] == "You cannot report on this project."
    assert _evidence(client, milestone, headers).status_code == 403
    assert db.session.scalars(db.select(MilestoneUpdate)).all() == []


def test_another_organisations_milestone_is_404(client, grantee, plan):
    _, _, line, indicator = plan
    other = factories.MilestoneFactory()
    headers = api_headers(grantee)
    assert client.get(_url(other), headers=headers).status_code == 404
    assert client.put(_url(other), json=_body(line, indicator), headers=headers).status_code == 404
    assert _evidence(client, other, headers).status_code == 404
    assert (
        client.post(_url(other, "/submit"), json={"version": 0}, headers=headers).status_code == 404
    )
    assert db.session.scalars(db.select(StoredFile)).all() == []


def test_a_submitted_milestone_takes_no_update(client, grantee, plan):
    _, milestone, line, indicator = plan
    milestone.status = MilestoneStatus.ACCEPTED
    db.session.flush()
    headers = api_headers(grantee)
    assert client.get(_url(milestone), headers=headers).get_json()["accepts_update"] is False
    response = client.put(_url(milestone), json=_body(line, indicator), headers=headers)
    assert response.status_code == 422
    assert response.get_json()["message"] == "This milestone is not waiting for an update."


def test_errors_speak_the_token_users_language(client, grantee, plan):
    _, milestone, _, _ = plan
    milestone.status = MilestoneStatus.ACCEPTED
    grantee.locale = "kk"
    db.session.flush()
    response = client.put(_url(milestone), json={"version": 0}, headers=api_headers(grantee))
    assert response.status_code == 422
    assert response.get_json()["message"] == "Бұл кезең бойынша есеп күтілмейді."


def test_errors_speak_the_language_the_request_asks_for(client, grantee, plan):
    _, milestone, _, _ = plan
    milestone.status = MilestoneStatus.ACCEPTED
    db.session.flush()
    headers = {**api_headers(grantee), "Accept-Language": "ru"}
    response = client.put(_url(milestone), json={"version": 0}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["message"] == "По этому этапу отчёт не ожидается."


def test_texts_no_database_stores_are_refused_or_mended(client, grantee, plan):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee)
    body = '{"version": 0, "narrative": "Done \\ud800 here"}'  # a lone surrogate, escaped
    response = client.put(
        _url(milestone), data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["narrative"] == "Done \ufffd here"
    version = response.get_json()["version"]
    response = client.put(
        _url(milestone), json={"version": version, "narrative": "a\x00b"}, headers=headers
    )
    assert response.status_code == 422
    assert "narrative" in response.get_json()["errors"]["json"]


def _project_with_milestone(grantee, officer):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project)
    line = factories.BudgetLineFactory(project=project)
    return project, milestone, line


def _history(project) -> list[tuple]:
    events = db.session.scalars(
        db.select(ProjectEvent).where(ProjectEvent.project_id == project.id)
    )
    return [(e.kind, e.actor_id, sorted(e.data)) for e in events]


def test_the_api_and_the_page_leave_the_same_trace(client, grantee, officer):
    by_page, page_milestone, page_line = _project_with_milestone(grantee, officer)
    by_api, api_milestone, api_line = _project_with_milestone(grantee, officer)
    login_as(client, grantee)
    form = {
        "narrative": "Done.",
        "progress": "100",
        "beneficiaries": "42",
        f"spending_{page_line.id}": "1000",
        "submit": "1",
        "evidence": [(io.BytesIO(PDF_BYTES), "act.pdf")],
    }
    response = client.post(
        f"/milestones/{page_milestone.id}/update", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    headers = api_headers(grantee, ["write-updates"])
    body = {
        "version": 0,
        "narrative": "Done.",
        "progress": 100,
        "beneficiaries": 42,
        "spending": [{"budget_line_id": api_line.id, "amount": {"amount": 100_000}}],
    }
    client.put(_url(api_milestone), json=body, headers=headers)
    version = _evidence(client, api_milestone, headers, name="act.pdf").get_json()["version"]
    response = client.post(
        _url(api_milestone, "/submit"), json={"version": version}, headers=headers
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert _history(by_api) == _history(by_page) != []
    assert _told(officer) == ["update_submitted", "update_submitted"]
    page_update, api_update = page_milestone.updates[-1], api_milestone.updates[-1]
    for update in (page_update, api_update):
        assert update.status == UpdateStatus.SUBMITTED and update.author_id == grantee.id
        assert [s.amount for s in update.spending] == [100_000]
        assert [(f.original_name, f.sha256) for f in update.files] == [
            (page_update.files[0].original_name, page_update.files[0].sha256)
        ]


def test_after_a_revision_request_the_update_starts_from_the_one_sent_back(
    client, grantee, officer, plan
):
    _, milestone, line, indicator = plan
    headers = api_headers(grantee, ["write-updates"])
    client.put(_url(milestone), json=_body(line, indicator), headers=headers)
    version = _evidence(client, milestone, headers).get_json()["version"]
    client.post(_url(milestone, "/submit"), json={"version": version}, headers=headers)
    db.session.expire_all()
    with client.application.test_request_context():
        milestones.review(
            db.session,
            officer,
            milestone,
            accept=False,
            comment="Add the acts.",
            approve_tranche=False,
            today=date(2026, 10, 1),
        )
    body = client.get(_url(milestone), headers=headers).get_json()
    assert body["status"] == "revision_requested" and body["version"] == 0
    assert body["accepts_update"] and body["narrative"].startswith("Equipment installed")
    assert body["results"][0]["answer"]["value"] == 21  # carried from the submission
    response = client.post(_url(milestone, "/submit"), json={"version": 0}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["milestone_status"] == "submitted"
    assert _told(officer) == ["update_submitted", "update_submitted"]
    (result,) = db.session.scalars(db.select(IndicatorResult))
    assert result.value == 21 and result.status == ResultStatus.REPORTED
