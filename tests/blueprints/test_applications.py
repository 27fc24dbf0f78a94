"""Application pages: registration, the application form (nothing typed is lost), uploads,
reviewers' conflict declarations, decisions and the applicant's email."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Project,
    Role,
    User,
)
from fundtracker.scheduler.jobs import outbox_job
from fundtracker.services import decisions as decision_svc
from fundtracker.services import registration as registration_svc
from fundtracker.services import reviews as review_svc
from tests import factories

S = ApplicationStatus


def _page(response) -> str:
    return response.get_data(as_text=True)


# Registration -----------------------------------------------------------------------------------


def _registration_form(**overrides):
    data = {
        "name": "«Үміт» қоры",
        "bin": factories.valid_bin(77_001),
        "region_id": str(factories.region("KZ-75").id),
        "contact_name": "Ғалия Сейітова",
        "email": "galiya@umit.kz",
        "contact_phone": "+7 701 000 00 00",
        "locale": "kk",
        "password": "a long enough password",
        "password2": "a long enough password",
    }
    data.update(overrides)
    return data


def test_registration_with_a_bad_bin_keeps_what_was_typed(client):
    response = client.post("/register", data=_registration_form(bin="123456789012"))
    assert response.status_code == 422
    page = _page(response)
    assert "A BIN is 12 digits with a valid check digit." in page
    assert "Ғалия Сейітова" in page and "galiya@umit.kz" in page
    assert db.session.scalar(select(User).where(User.email == "galiya@umit.kz")) is None


def test_registration_creates_the_organisation_and_asks_the_contact_to_confirm(client):
    response = client.post("/register", data=_registration_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/confirm")
    user = db.session.scalar(select(User).where(User.email == "galiya@umit.kz"))
    assert user.role == Role.GRANTEE and user.organisation.name == "«Үміт» қоры"
    assert not user.email_confirmed
    assert not registration_svc.is_verified(db.session, user.organisation_id)
    # Not signed in: the emailed link confirms the address first.
    assert client.get("/applications/").status_code == 302


def test_an_officer_verifies_a_registered_organisation(client, login, officer):
    user = registration_svc.register_organisation(
        db.session,
        registration_svc.RegistrationData(
            name="«Жол» қоры",
            bin=factories.valid_bin(77_002),
            region_id=factories.region().id,
            contact_name="Ерлан",
            email="erlan@zhol.kz",
            password="a long enough password",
        ),
    )
    login(officer)
    assert "«Жол» қоры" in _page(client.get("/applications/"))
    response = client.post(f"/organisations/{user.organisation_id}/verify")
    assert response.status_code == 302
    assert registration_svc.is_verified(db.session, user.organisation_id)


# The application form ---------------------------------------------------------------------------


def test_a_grantee_sees_only_open_calls(client, login, grantee):
    open_call = factories.CallFactory()
    closed = factories.CallFactory(closes_at=datetime.now(UTC) - timedelta(minutes=1))
    draft = factories.CallFactory(status=CallStatus.DRAFT)
    login(grantee)
    page = _page(client.get("/calls/"))
    assert open_call.title_en in page
    assert closed.title_en not in page and draft.title_en not in page
    assert client.get(f"/calls/{closed.id}").status_code == 404
    assert client.get(f"/calls/{draft.id}").status_code == 404


def test_starting_an_application_makes_a_draft(client, login, grantee):
    call = factories.CallFactory()
    login(grantee)
    response = client.post(f"/calls/{call.id}/apply")
    assert response.status_code == 302
    application = db.session.scalar(
        select(Application).where(Application.organisation_id == grantee.organisation_id)
    )
    assert application.status == S.DRAFT and application.call_id == call.id
    assert response.headers["Location"].endswith(f"/applications/{application.id}/edit")


def _form_data(application, **overrides):
    data = {
        "version": str(application.version_id),
        "title": "Оңалту орталығы",
        "summary": "Балаларға арналған орталық.",
        "start_date": "2099-01-01",
        "end_date": "2099-12-31",
        "region_ids": [str(factories.region("KZ-43").id)],
        "people_children": "25",
        "budget-0-category": "equipment",
        "budget-0-description": "Жабдық",
        "budget-0-amount": "30 000 000",
        "budget-1-category": "training",
        "budget-1-description": "Оқыту",
        "budget-1-amount": "10 000 000",
        "milestones-0-title": "Жабдық орнатылды",
        "milestones-0-due_date": "2099-06-30",
        "milestones-0-tranche": "40 000 000",
        "indicators-0-name": "Балалар",
        "indicators-0-unit": "бала",
        "indicators-0-baseline": "0",
        "indicators-0-target": "25",
        "document": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_a_draft_is_saved_with_its_budget_and_the_total_computed(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    response = client.post(f"/applications/{application.id}/edit", data=_form_data(application))
    assert response.status_code == 302
    db.session.expire_all()
    assert [line.amount for line in application.budget_lines] == [30_000_000_00, 10_000_000_00]
    assert application.requested_amount == 40_000_000_00
    assert [m.tranche_amount for m in application.milestones] == [40_000_000_00]
    assert application.beneficiaries[0].count == 25
    page = _page(client.get(f"/applications/{application.id}/edit"))
    assert 'value="Жабдық"' in page and 'value="30,000,000"' in page


def test_a_bad_amount_loses_nothing_typed_and_saves_the_rest(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    response = client.post(
        f"/applications/{application.id}/edit",
        data=_form_data(application, **{"budget-1-amount": "ten million"}),
    )
    assert response.status_code == 422
    page = _page(response)
    assert "ten million" in page  # what was typed is shown again
    assert "Enter an amount in tenge" in page
    db.session.expire_all()
    assert [line.amount for line in application.budget_lines] == [30_000_000_00]  # the rest saved
    assert application.title == "Оңалту орталығы"


def test_an_incomplete_submission_lists_what_is_missing_and_keeps_the_draft(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    data = _form_data(application, submit="1")
    del data["save"]
    response = client.post(f"/applications/{application.id}/edit", data=data)
    assert response.status_code == 422
    page = _page(response)
    assert 'id="missing"' in page and "the attachment “Charter”" in page
    db.session.expire_all()
    assert application.status == S.DRAFT
    assert application.requested_amount == 40_000_000_00


def test_a_complete_application_is_submitted_with_its_attachment(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    data = _form_data(application, submit="1", document="Charter")
    del data["save"]
    data["attachment"] = (io.BytesIO(factories.PDF_BYTES), "Жарғы.pdf")
    response = client.post(
        f"/applications/{application.id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, _page(response)
    db.session.expire_all()
    assert application.status == S.SUBMITTED
    assert [f.original_name for f in application.files] == ["Жарғы.pdf"]


def test_an_executable_named_as_a_pdf_is_refused_on_the_form(client, login):
    application = factories.ApplicationFactory()
    login(application.created_by)
    data = _form_data(application, document="Charter")
    data["attachment"] = (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 300), "budget.pdf")
    response = client.post(
        f"/applications/{application.id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "budget.pdf is not a PDF, Word, Excel, JPEG or PNG file." in _page(response)
    db.session.expire_all()
    assert application.files == []


def test_a_submitted_application_cannot_be_edited(client, login):
    application = factories.application_in(S.SUBMITTED)
    login(application.created_by)
    response = client.post(f"/applications/{application.id}/edit", data=_form_data(application))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}")
    assert application.status == S.SUBMITTED


def test_staff_do_not_see_drafts(client, login, officer):
    draft = factories.ApplicationFactory()
    login(officer)
    assert client.get(f"/applications/{draft.id}").status_code == 404
    assert draft.title not in _page(client.get("/applications/"))


# Screening, review, decision --------------------------------------------------------------------


def test_an_illegal_step_through_the_pages_is_a_message_not_an_error(client, login, officer):
    application = factories.application_in(S.SUBMITTED)
    login(officer)
    response = client.post(
        f"/applications/{application.id}/decide",
        data={"approve": "1", "awarded_amount": "1000", "agreement_number": "A", "code": "C"},
    )
    assert response.status_code == 422
    assert "cannot become" in _page(response)
    assert application.status == S.SUBMITTED


def test_a_reviewer_sees_the_application_only_after_declaring_no_conflict(client, login, officer):
    application = factories.application_in(S.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    login(reviewer)
    page = _page(client.get(f"/reviews/{assignment.id}"))
    assert application.summary not in page and 'id="declare"' in page
    assert client.get(f"/applications/files/{application.files[0].id}").status_code == 404
    client.post(f"/reviews/{assignment.id}/declare", data={"no_conflict": "1"})
    page = _page(client.get(f"/reviews/{assignment.id}"))
    assert application.summary in page and 'id="score-form"' in page


def test_a_reviewer_cannot_open_someone_elses_assignment(client, login, officer):
    application = factories.application_in(S.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    login(factories.UserFactory(role=Role.REVIEWER))
    assert client.get(f"/reviews/{assignment.id}").status_code == 404
    assert (
        client.post(f"/reviews/{assignment.id}/declare", data={"no_conflict": "1"}).status_code
        == 404
    )


def test_approval_emails_the_applicant_in_their_language(app, client, login, officer, smtp):
    application = factories.application_in(S.UNDER_REVIEW)
    application.created_by.locale = "ru"
    db.session.flush()
    login(officer)
    response = client.post(
        f"/applications/{application.id}/decide",
        data={
            "approve": "1",
            "awarded_amount": "45 000 000",
            "agreement_number": "GA-2026-0100",
            "code": "QH-2026-777",
            "title_ru": application.title,  # the form starts with it (the applicant's language)
            "comment": "Поздравляем!",
        },
    )
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.code == "QH-2026-777"))
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert project.agreement_number == "GA-2026-0100"
    assert smtp.messages == []  # the email leaves through the outbox, after the commit
    outbox_job(app)
    (message,) = [m for m in smtp.messages if m["To"] == application.created_by.email]
    assert message["Subject"] == f"Ваша заявка одобрена: {application.title}"
    body = message.get_body(("plain",)).get_content()
    assert "Поздравляем!" in body and "45 000 000" in body.replace("\u00a0", " ")


def test_board_members_read_the_decisions_only(client, login, officer):
    application = factories.application_in(S.UNDER_REVIEW)
    decision_svc.reject(db.session, officer, application, "Outside the priorities.")
    login(factories.UserFactory(role=Role.BOARD))
    assert application.title in _page(client.get("/decisions"))
    assert client.get(f"/applications/{application.id}").status_code == 403


def _ranks(page: str) -> list[int]:
    table = page.split('id="ranking-table"')[1].split("</table>")[0]
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", table)]


def _envelope(page: str) -> str:
    return page.split('id="envelope"')[1].split("</p>")[0]


def test_the_ranking_is_paged_with_ranks_and_totals_of_the_whole_call(
    app, client, login, officer, monkeypatch
):
    monkeypatch.setitem(app.config, "RANKING_PER_PAGE", 2)
    call = factories.CallFactory()
    low, high, middle = (factories.application_scored(call, s) for s in (2, 5, 3))
    factories.application_in(S.SUBMITTED, call=call)
    login(officer)
    first = _page(client.get(f"/calls/{call.id}/ranking"))
    second = _page(client.get(f"/calls/{call.id}/ranking?page=2"))
    assert _ranks(first) == [1, 2] and _ranks(second) == [3, 4]
    assert high.title in first and low.title not in first
    assert low.title in second and middle.title not in second
    assert "4 applications submitted" in first and "4 applications submitted" in second
    assert "₸240,000,000" in _envelope(first)  # four applications of 60,000,000 ₸
    assert _envelope(first) == _envelope(second)
    assert f'href="/calls/{call.id}/ranking?page=2"' in first
    assert f'href="/calls/{call.id}/ranking?page=1"' in second


def test_a_hand_edited_ranking_page_number_shows_the_nearest_page(
    app, client, login, officer, monkeypatch
):
    monkeypatch.setitem(app.config, "RANKING_PER_PAGE", 2)
    call = factories.CallFactory()
    for score in (1, 2, 3):
        factories.application_scored(call, score)
    login(officer)
    for page, ranks in [
        ("abc", [1, 2]),
        ("0", [1, 2]),
        ("-3", [1, 2]),
        ("2.5", [1, 2]),
        ("99", [3]),
        ("99999999999999999999999", [3]),
    ]:
        response = client.get(f"/calls/{call.id}/ranking?page={page}")
        assert response.status_code == 200, page
        assert _ranks(_page(response)) == ranks, page


def test_a_ranking_with_nothing_submitted_says_so(client, login, officer):
    call = factories.CallFactory()
    factories.application_in(S.DRAFT, call=call)
    login(officer)
    page = _page(client.get(f"/calls/{call.id}/ranking?page=4"))
    assert "No applications have been submitted to this call yet." in page
    assert 'id="ranking-count"' not in page and 'class="pagination"' not in page


def test_an_officer_creates_a_call_in_almaty_time(client, login, officer):
    login(officer)
    response = client.post(
        "/calls/new",
        data={
            "area_id": str(factories.area().id),
            "title_ru": "Инклюзивное образование",
            "opens_on": "2026-03-01",
            "opens_time": "09:00",
            "closes_on": "2026-04-01",
            "closes_time": "18:00",
            "budget_envelope": "500 000 000",
            "max_request": "50 000 000",
            "required_documents_ru": "Устав\nФинансовый отчёт",
            "criteria-0-name_ru": "Актуальность",
            "criteria-0-weight": "60",
            "criteria-1-name_ru": "Реалистичность",
            "criteria-1-weight": "40",
        },
    )
    assert response.status_code == 302
    call = db.session.scalar(select(Call).where(Call.title_ru == "Инклюзивное образование"))
    assert call.status == CallStatus.DRAFT
    assert call.closes_at == datetime(2026, 4, 1, 13, 0, tzinfo=UTC)
    assert call.opens_at == datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    assert call.documents("ru") == ["Устав", "Финансовый отчёт"]
    assert [(c.name_ru, c.weight) for c in call.criteria] == [
        ("Актуальность", 60),
        ("Реалистичность", 40),
    ]
    page = _page(client.get(f"/calls/{call.id}"))
    assert "Apr 1, 2026, 6:00:00\u202fPM" in page


def test_a_call_form_with_a_mistake_keeps_what_was_typed(client, login, officer):
    login(officer)
    response = client.post(
        "/calls/new",
        data={
            "area_id": str(factories.area().id),
            "title_ru": "Конкурс без критериев",
            "opens_on": "2026-03-01",
            "opens_time": "09:00",
            "closes_on": "2026-02-01",
            "closes_time": "18:00",
            "budget_envelope": "500 000 000",
            "max_request": "50 000 000",
            "criteria-0-name_ru": "Актуальность",
            "criteria-0-weight": "60",
        },
    )
    assert response.status_code == 422
    page = _page(response)
    assert "The call must close after it opens." in page
    assert "Конкурс без критериев" in page and 'value="Актуальность"' in page


def test_submitting_after_the_closing_time_is_refused_with_a_clear_message(client, login):
    call = factories.CallFactory()
    application = factories.ApplicationFactory(call=call)
    factories.attach_charter(application)
    call.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.flush()
    login(application.created_by)
    data = _form_data(application, submit="1")
    del data["save"]
    response = client.post(f"/applications/{application.id}/edit", data=data)
    assert response.status_code == 422
    assert "applications are no longer accepted" in _page(response)
    db.session.expire_all()
    assert application.status == S.DRAFT
    assert application.title == "Оңалту орталығы"  # the draft was still saved
