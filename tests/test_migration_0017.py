"""Migration 0017: a call's eligibility and required documents and its criteria's names move
into the column of the language their letters say (Kazakh letters or Cyrillic mixed with Latin:
kk; other Cyrillic: ru; Latin only: en); the rows stay the same rows (no table is copied, so no
criterion is lost to a cascade); going down puts back the first non-empty text of kk, ru, en."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests.dbutil import fresh_database

CALL_COLUMNS = {
    f"{kind}_{code}"
    for kind in ("eligibility", "required_documents")
    for code in ("kk", "ru", "en")
}
CRITERION_COLUMNS = {"name_kk", "name_ru", "name_en"}

# (eligibility, required documents) of each call, and where each should land.
CALLS = [
    ("Қазақстанда тіркелген ұйымдар.", "Ұйымның жарғысы\nҚаржылық есеп"),  # kk, kk
    ("Некоммерческие организации.", "Устав\nФинансовый отчёт"),  # ru, ru
    ("Non-profit organisations.", "Charter"),  # en, en
    ("Relevance / Актуальность", ""),  # mixed: kk; nothing
]
EXPECTED_CALLS = [
    {"eligibility_kk": CALLS[0][0], "required_documents_kk": CALLS[0][1]},
    {"eligibility_ru": CALLS[1][0], "required_documents_ru": CALLS[1][1]},
    {"eligibility_en": CALLS[2][0], "required_documents_en": CALLS[2][1]},
    {"eligibility_kk": CALLS[3][0]},
]
CRITERIA = [
    ("ӨЗЕКТІЛІГІ", "kk"),  # capital Kazakh letters
    ("Актуальность", "ru"),
    ("Value for money", "en"),
    ("Relevance / Қор басымдықтарына сәйкестігі", "kk"),
    ("1.", "kk"),  # no letters
]


@pytest.fixture
def app_at_0016():
    with fresh_database("migration17") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(revision="0016")
            yield app
            db.session.remove()
            db.engine.dispose()


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def _insert_calls() -> list[int]:
    ids = []
    with db.engine.begin() as conn:
        area = conn.execute(text("SELECT min(id) FROM programme_areas")).scalar_one()
        for n, (eligibility, documents) in enumerate(CALLS):
            ids.append(
                conn.execute(
                    text(
                        "INSERT INTO calls (area_id, title_kk, title_ru, title_en,"
                        " description_kk, description_ru, description_en, eligibility, opens_at,"
                        " closes_at, budget_envelope, max_request, required_documents, status,"
                        " version_id, created_at, updated_at)"
                        " VALUES (:area, :title, '', '', '', '', '', :eligibility, :t1, :t2,"
                        " 1000, 100, :documents, 'draft', 1, :t1, :t1) RETURNING id"
                    ),
                    {
                        "area": area,
                        "title": f"Конкурс {n}",
                        "eligibility": eligibility,
                        "documents": documents,
                        "t1": "2026-01-01 00:00:00",
                        "t2": "2026-02-01 00:00:00",
                    },
                ).scalar_one()
            )
        for position, (name, _language) in enumerate(CRITERIA):
            conn.execute(
                text(
                    "INSERT INTO call_criteria (call_id, name, weight, position)"
                    " VALUES (:call, :name, 20, :position)"
                ),
                {"call": ids[0], "name": name, "position": position},
            )
    return ids


def _rows(sql: str) -> list[dict]:
    return [dict(r._mapping) for r in db.session.execute(text(sql))]


@pytest.mark.no_db
def test_texts_move_to_their_language_and_back(app_at_0016):
    ids = _insert_calls()
    criterion_ids = [r["id"] for r in _rows("SELECT id FROM call_criteria ORDER BY position")]
    db.session.remove()

    upgrade()
    assert _columns("calls") >= CALL_COLUMNS
    assert not {"eligibility", "required_documents"} & _columns("calls")
    assert _columns("call_criteria") >= CRITERION_COLUMNS
    assert "name" not in _columns("call_criteria")
    columns = ", ".join(sorted(CALL_COLUMNS))  # constant names, not input
    calls = _rows(f"SELECT id, {columns} FROM calls ORDER BY id")  # noqa: S608
    assert [c["id"] for c in calls] == ids
    for call, expected in zip(calls, EXPECTED_CALLS, strict=True):
        assert {k: v for k, v in call.items() if k != "id" and v} == expected
        assert all(v == "" for k, v in call.items() if k != "id" and k not in expected)
    criteria = _rows(
        "SELECT id, call_id, name_kk, name_ru, name_en FROM call_criteria ORDER BY position"
    )
    assert [c["id"] for c in criteria] == criterion_ids  # the same rows, none lost
    for row, (name, language) in zip(criteria, CRITERIA, strict=True):
        assert row[f"name_{language}"] == name
        assert [code for code in ("kk", "ru", "en") if row[f"name_{code}"]] == [language]
    # A Russian name added afterwards: going down keeps the first non-empty one (kk before ru).
    db.session.execute(
        text("UPDATE call_criteria SET name_ru = 'Актуальность' WHERE id = :id"),
        {"id": criterion_ids[0]},
    )
    db.session.execute(
        text("UPDATE calls SET eligibility_en = 'Also in English' WHERE id = :id"),
        {"id": ids[1]},
    )
    db.session.commit()
    db.session.remove()

    downgrade(revision="0016")
    assert not CALL_COLUMNS & _columns("calls")
    assert not CRITERION_COLUMNS & _columns("call_criteria")
    back = _rows("SELECT eligibility, required_documents FROM calls ORDER BY id")
    assert [(r["eligibility"], r["required_documents"]) for r in back] == CALLS
    names = _rows("SELECT name FROM call_criteria ORDER BY position")
    assert [r["name"] for r in names] == [name for name, _language in CRITERIA]
    db.session.remove()

    upgrade()  # and up again
    assert _columns("calls") >= CALL_COLUMNS
    assert _columns("call_criteria") >= CRITERION_COLUMNS
    count = db.session.execute(text("SELECT count(*) FROM call_criteria")).scalar_one()
    assert count == len(CRITERIA)
