"""A call's eligibility, documents and criteria's names in kk, ru and en: the officer's form
keeps each language, every reader sees their own (or another, marked with its lang), and what is
missing is flagged to the officer, never to an applicant."""

from __future__ import annotations

import re

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, Call, Role
from fundtracker.services import reviews as review_svc
from tests import factories

S = ApplicationStatus


def _page(response) -> str:
    return response.get_data(as_text=True)


TEXTS = {
    "title_kk": "Инклюзивті білім беру",
    "title_ru": "Инклюзивное образование",
    "title_en": "Inclusive education",
    "description_kk": "Ресурстық кабинеттер.",
    "description_ru": "Ресурсные кабинеты.",
    "description_en": "Resource rooms.",
    "eligibility_kk": "Тіркелген ҮЕҰ.",
    "eligibility_ru": "Зарегистрированные НКО.",
    "eligibility_en": "Registered NGOs.",
    "required_documents_kk": "Жарғы\nҚаржылық есеп",
    "required_documents_ru": "Устав\nФинансовый отчёт",
    "required_documents_en": "Charter\nFinancial statements",
}
CRITERIA = [
    ("Өзектілігі", "Актуальность", "Relevance", 60),
    ("Қаражаттың тиімділігі", "Эффективность расходов", "Value for money", 40),
]


def _form(**overrides) -> dict:
    data = {
        "area_id": str(factories.area().id),
        "opens_on": "2026-03-01",
        "opens_time": "09:00",
        "closes_on": "2026-04-01",
        "closes_time": "18:00",
        "budget_envelope": "500 000 000",
        "max_request": "50 000 000",
        **TEXTS,
    }
    for index, (kk, ru, en, weight) in enumerate(CRITERIA):
        data[f"criteria-{index}-name_kk"] = kk
        data[f"criteria-{index}-name_ru"] = ru
        data[f"criteria-{index}-name_en"] = en
        data[f"criteria-{index}-weight"] = str(weight)
    data.update(overrides)
    return data


def _saved() -> Call:
    return db.session.scalar(select(Call).where(Call.title_en == TEXTS["title_en"]))


def test_the_call_form_keeps_every_text_in_three_languages(client, login, officer):
    login(officer)
    response = client.post("/calls/new", data=_form())
    assert response.status_code == 302
    call = _saved()
    for name, value in TEXTS.items():
        assert getattr(call, name) == value
    assert [(c.name_kk, c.name_ru, c.name_en, c.weight) for c in call.criteria] == CRITERIA
    page = _page(client.get(f"/calls/{call.id}"))
    assert 'id="missing-languages"' not in page  # nothing is missing

    # The form shows it all again, each language in its own field, and saves it unchanged.
    page = _page(client.get(f"/calls/{call.id}/edit"))
    for index, (kk, ru, en, _weight) in enumerate(CRITERIA):
        assert f'name="criteria-{index}-name_kk"' in page and f'value="{kk}"' in page
        assert f'value="{ru}"' in page and f'value="{en}"' in page
    for name in ("eligibility_kk", "required_documents_ru", "required_documents_en"):
        assert re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*{TEXTS[name]}</textarea>', page)
    # The blank row the page's script copies has the three names too.
    assert 'name="criteria-__index__-name_ru"' in page
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(f"/calls/{call.id}/edit", data=_form(version=version))
    assert response.status_code == 302
    db.session.expire_all()
    assert [(c.name_kk, c.name_ru, c.name_en, c.weight) for c in call.criteria] == CRITERIA


def test_a_criterion_needs_a_name_in_one_language(client, login, officer):
    login(officer)
    data = _form(**{"criteria-0-name_kk": "", "criteria-0-name_ru": "", "criteria-0-name_en": ""})
    response = client.post("/calls/new", data=data)
    assert response.status_code == 422
    assert "Name each scoring criterion in at least one language." in _page(response)
    assert _saved() is None
    # One language is enough, and eligibility and documents may be left out.
    data = _form(
        **{"criteria-0-name_kk": "", "criteria-0-name_en": ""},
        **{name: "" for name in TEXTS if name.startswith(("eligibility", "required"))},
    )
    assert client.post("/calls/new", data=data).status_code == 302
    assert _saved().criteria[0].name_ru == "Актуальность"


def _half_translated_call() -> Call:
    """Eligibility, documents and criteria in English only."""
    return factories.CallFactory(
        description_kk="Сипаттама.",
        description_ru="Описание.",
        eligibility_en="Registered NGOs.",
        required_documents_en="Charter",
        criteria=[("Relevance", 60), ("Value for money", 40)],
    )


def test_missing_languages_are_flagged_to_the_officer(client, login, officer):
    call = _half_translated_call()
    login(officer)
    page = _page(client.get(f"/calls/{call.id}"))
    flag = page[page.index('id="missing-languages"') :]
    flag = flag[: flag.index("</div>")]
    assert "Not yet in Kazakh: eligibility criteria, documents to attach, scoring criteria" in flag
    assert "Not yet in Russian: eligibility criteria, documents to attach, scoring criteria" in flag
    assert "in English" not in flag


def test_the_flag_shows_after_saving_and_goes_once_translated(client, login, officer):
    login(officer)
    data = _form(eligibility_ru="", **{"criteria-1-name_ru": ""})
    response = client.post("/calls/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    page = _page(response)
    assert "The call has been saved as a draft." in page
    assert "Not yet in Russian: eligibility criteria, scoring criteria" in page
    call = _saved()
    version = str(call.version_id)
    response = client.post(
        f"/calls/{call.id}/edit", data=_form(version=version), follow_redirects=True
    )
    assert 'id="missing-languages"' not in _page(response)


def test_an_applicant_reads_another_language_marked_and_no_flag(client, login):
    call = _half_translated_call()
    applicant = factories.UserFactory(grantee=True, locale="ru")
    login(applicant)
    page = _page(client.get(f"/calls/{call.id}"))
    assert 'id="missing-languages"' not in page
    assert re.search(r'id="call-eligibility" lang="en">Registered NGOs\.</p>', page)
    assert '<li lang="en">Charter</li>' in page
    assert '<span lang="en">Relevance</span>' in page
    # In the language it was written in, nothing is marked.
    call.eligibility_ru = "Зарегистрированные НКО."
    db.session.flush()
    page = _page(client.get(f"/calls/{call.id}"))
    assert 'id="call-eligibility">Зарегистрированные НКО.</p>' in page


def test_the_application_form_names_documents_in_the_applicants_language(client, login):
    call = factories.CallFactory(
        required_documents_ru="Устав\nФинансовый отчёт", required_documents_en="Charter"
    )
    application = factories.ApplicationFactory(call=call)
    application.created_by.locale = "ru"
    db.session.flush()
    login(application.created_by)
    page = _page(client.get(f"/applications/{application.id}/edit"))
    required = page[page.index('id="required-documents"') :]
    required = required[: required.index("</p>")]
    assert "<span>Устав</span>; <span>Финансовый отчёт</span>" in required
    assert "Charter" not in required
    assert '<option value="Устав">Устав</option>' in page


def _assignment(reviewer_locale: str):
    call = factories.CallFactory(
        criteria=[
            ({"name_kk": "Өзектілігі", "name_ru": "Актуальность", "name_en": "Relevance"}, 60),
            ({"name_en": "Value for money"}, 40),
        ]
    )
    application = factories.application_in(S.SCREENED, call=call)
    reviewer = factories.UserFactory(role=Role.REVIEWER, locale=reviewer_locale)
    officer = factories.UserFactory(role=Role.OFFICER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    review_svc.declare_conflict(db.session, reviewer, assignment, False)
    return reviewer, assignment


def test_a_russian_reviewer_scores_criteria_named_in_russian(client, login):
    reviewer, assignment = _assignment("ru")
    login(reviewer)
    page = _page(client.get(f"/reviews/{assignment.id}"))
    score = page[page.index('id="score-form"') :]
    assert '<legend class="h6"><span>Актуальность</span>' in score
    assert "Relevance" not in score and "Өзектілігі" not in score
    # The criterion with no Russian name: in English, marked so.
    assert '<legend class="h6"><span lang="en">Value for money</span>' in score
    assert re.search(r"<label[^>]*>Актуальность</label>", score)


def test_a_missing_score_is_named_in_the_reviewers_language(client, login):
    reviewer, assignment = _assignment("kk")
    criteria = assignment.application.call.criteria
    login(reviewer)
    data = {f"score_{criteria[1].id}": "4"}
    response = client.post(f"/reviews/{assignment.id}/score", data=data)
    assert response.status_code == 422
    assert "Өзектілігі" in _page(response)
