"""A call's eligibility, documents and criteria's names in kk, ru and en: what the officer has
not written in a language yet, what each language shows meanwhile, and how the call service
checks and keeps the names."""

from datetime import UTC, datetime

import pytest

from fundtracker.core.extensions import db
from fundtracker.models import CallCriterion, Role
from fundtracker.services import calls as call_svc
from fundtracker.services.calls import CriterionData
from fundtracker.services.errors import DomainError
from tests import factories


@pytest.fixture
def officer():
    return factories.UserFactory(role=Role.OFFICER)


def _data(**overrides) -> call_svc.CallData:
    data = call_svc.CallData(
        area_id=factories.area().id,
        title_kk="Конкурс",
        title_ru="Конкурс",
        title_en="Call",
        opens_at=datetime(2026, 1, 1, 4, tzinfo=UTC),
        closes_at=datetime(2026, 3, 1, 13, tzinfo=UTC),
        budget_envelope=100_000_00,
        max_request=50_000_00,
        criteria=[CriterionData("Өзектілігі", "Актуальность", "Relevance", 100)],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


# What is missing in which language ---------------------------------------------------------------


def test_a_call_in_every_language_lacks_nothing():
    call = factories.CallFactory(
        description_kk="Сипаттама",
        description_ru="Описание",
        eligibility_kk="ҮЕҰ",
        eligibility_ru="НКО",
        required_documents_kk="Жарғы",
        required_documents_ru="Устав",
        criteria=[({"name_kk": "Өзектілігі", "name_ru": "Актуальность", "name_en": "R"}, 100)],
    )
    assert call.missing_languages() == {}


def test_missing_languages_lists_each_text_a_language_lacks():
    call = factories.CallFactory(
        title_en="",
        description_en="Treatment of children.",
        eligibility_kk="Тіркелген ҮЕҰ.",
        eligibility_ru="Зарегистрированные НКО.",
        eligibility_en="",
        required_documents_en="",  # in no language: not asked for, so not missing
        criteria=[
            ({"name_kk": "Өзектілігі", "name_ru": "Актуальность", "name_en": "Relevance"}, 60),
            ({"name_en": "Value for money"}, 40),
        ],
    )
    assert call.missing_languages() == {
        "kk": ["description", "criteria"],
        "ru": ["description", "criteria"],
        "en": ["title", "eligibility"],
    }


def test_blank_text_counts_as_missing():
    call = factories.CallFactory(
        description_kk="  ", description_ru="Описание", description_en="Description"
    )
    assert call.missing_languages()["kk"][0] == "description"


# What a language shows meanwhile -----------------------------------------------------------------


def test_texts_fall_back_to_another_language_and_say_which():
    call = factories.CallFactory(
        eligibility_kk="",
        eligibility_ru="Зарегистрированные НКО.",
        eligibility_en="Registered NGOs.",
        required_documents_kk="Жарғы\n\n Қаржылық есеп ",
        required_documents_en="Charter\nFinancial statements",
        criteria=[({"name_ru": "Актуальность", "name_en": "Relevance"}, 100)],
    )
    assert call.eligibility("kk") == "Зарегистрированные НКО."
    assert call.lang_of("eligibility", "kk") == "ru"
    assert call.eligibility("en") == "Registered NGOs."
    assert call.documents("kk") == ["Жарғы", "Қаржылық есеп"]
    assert call.documents("ru") == ["Жарғы", "Қаржылық есеп"]
    assert call.lang_of("required_documents", "ru") == "kk"
    criterion = call.criteria[0]
    assert criterion.label("kk") == "Актуальность"
    assert criterion.lang_of("name", "kk") == "ru"
    assert criterion.label("en") == "Relevance"
    assert criterion.lang_of("name", "en") == "en"


def test_a_document_attached_under_its_name_in_any_language_counts():
    call = factories.CallFactory(
        required_documents_kk="Жарғы\nҚаржылық есеп",
        required_documents_ru="Устав\nФинансовый отчёт",
        required_documents_en="Charter",
    )
    assert call.is_document("Устав") and call.is_document("Charter")
    assert not call.is_document("Паспорт") and not call.is_document("")
    # The Charter attached in English, the statements in Russian: nothing is missing.
    assert call.missing_documents({"Charter", "Финансовый отчёт"}, "kk") == []
    # Only the charter, in Kazakh: the statements are missing, named in the reader's language,
    # or in another where the reader's has no line for them.
    assert call.missing_documents({"Жарғы"}, "ru") == ["Финансовый отчёт"]
    assert call.missing_documents({"Жарғы"}, "en") == ["Қаржылық есеп"]
    assert call.missing_documents(set(), "en") == ["Charter", "Қаржылық есеп"]
    assert call.document_names("en") == [("Charter", "en"), ("Қаржылық есеп", "kk")]
    # English has fewer lines than the others: its documents are flagged.
    assert call.missing_languages()["en"] == ["documents"]


# The service ----------------------------------------------------------------------------------


def test_a_call_keeps_each_text_in_its_language(officer):
    call = call_svc.create_call(
        db.session,
        officer,
        _data(
            eligibility_kk=" ҮЕҰ ",
            eligibility_ru="НКО",
            required_documents_en="Charter\nBudget",
            criteria=[
                CriterionData(" Өзектілігі ", "Актуальность", "", 60),
                CriterionData(),  # a spare row of the form
                CriterionData("", "", "Value for money", 40),
            ],
        ),
    )
    assert (call.eligibility_kk, call.eligibility_ru, call.eligibility_en) == ("ҮЕҰ", "НКО", "")
    assert call.documents("en") == ["Charter", "Budget"]
    assert [(c.name_kk, c.name_ru, c.name_en, c.weight) for c in call.criteria] == [
        ("Өзектілігі", "Актуальность", "", 60),
        ("", "", "Value for money", 40),
    ]


def test_a_criterion_with_a_weight_but_no_name_is_refused(officer):
    data = _data(criteria=[CriterionData("Өзектілігі", "", "", 60), CriterionData(weight=40)])
    with pytest.raises(DomainError) as caught:
        call_svc.create_call(db.session, officer, data)
    assert caught.value.field == "criteria"
    assert "at least one language" in str(caught.value.message)


def test_only_spare_rows_are_no_criteria(officer):
    with pytest.raises(DomainError) as caught:
        call_svc.create_call(db.session, officer, _data(criteria=[CriterionData()]))
    assert caught.value.field == "criteria"


def _scored_call(officer):
    call = factories.CallFactory(
        criteria=[({"name_kk": "Өзектілігі", "name_en": "Relevance"}, 60), ("Feasibility", 40)]
    )
    factories.application_scored(call, 4)
    return call


def test_names_can_be_added_in_a_missing_language_after_scoring(officer):
    call = _scored_call(officer)
    ids = [c.id for c in call.criteria]
    data = _data(
        criteria=[
            CriterionData("Өзектілігі", "Актуальность", "Relevance", 60),
            CriterionData("Іске асырылуы", "Реалистичность", "Feasibility", 40),
        ]
    )
    call_svc.update_call(db.session, officer, call, data, call.version_id)
    db.session.expire_all()
    assert [c.id for c in call.criteria] == ids  # the scores stay with them
    assert [c.label("ru") for c in call.criteria] == ["Актуальность", "Реалистичность"]
    assert "criteria" not in call.missing_languages().get("ru", [])


@pytest.mark.parametrize(
    "criteria",
    [
        # a name that was there, changed
        [CriterionData("Басқа", "", "Relevance", 60), CriterionData("", "", "Feasibility", 40)],
        # a weight changed
        [
            CriterionData("Өзектілігі", "", "Relevance", 50),
            CriterionData("", "", "Feasibility", 50),
        ],
        # a criterion dropped
        [CriterionData("Өзектілігі", "", "Relevance", 100)],
    ],
)
def test_scored_criteria_cannot_otherwise_change(officer, criteria):
    call = _scored_call(officer)
    with pytest.raises(DomainError) as caught:
        call_svc.update_call(db.session, officer, call, _data(criteria=criteria), None)
    assert caught.value.field == "criteria"
    assert db.session.query(CallCriterion).filter_by(call_id=call.id).count() == 2
