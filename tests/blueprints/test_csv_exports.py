"""The CSV exports open right in a spreadsheet in the reader's language: semicolons and decimal
commas in Kazakh and Russian, commas and decimal points in English; UTF-8 with a byte-order mark;
numbers plain; text quoted so that a semicolon, a quote or a line break stays in its cell;
formulas neutralised."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from fundtracker.core.extensions import db
from fundtracker.models import ResultStatus, Role, TrancheStatus
from fundtracker.services import export, publications
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories
from tests.factories import region

DELIMITER = {"kk": ";", "ru": ";", "en": ","}
HOSTILE_TITLE = 'Centre; "Bright" future\nsecond line'


def _number(text: str, locale: str) -> float:
    """A figure as a spreadsheet in `locale` reads it: only digits, a minus and the locale's
    decimal mark."""
    mark = "," if locale in ("kk", "ru") else "."
    other = "." if mark == "," else ","
    assert other not in text and "\u202f" not in text and "\xa0" not in text and " " not in text
    return float(text.replace(mark, "."))


def _read(response, locale: str) -> list[list[str]]:
    body = response.data
    assert body.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark
    text = body.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER[locale]))


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_project_export_follows_the_readers_language(login, officer, locale):
    officer.locale = locale
    project = factories.ProjectFactory(
        title_kk=HOSTILE_TITLE,
        title_ru=HOSTILE_TITLE,
        title_en=HOSTILE_TITLE,
        awarded_amount=1_234_567_890_15,
        regions=[region("KZ-62")],
    )
    factories.ProjectFactory(
        title_kk="=1+1", title_ru="=1+1", title_en="=1+1", regions=[region("KZ-62")]
    )
    factories.TrancheFactory(
        project=project,
        amount=2_500_000_00,
        status=TrancheStatus.PAID,
        paid_on=date(2025, 3, 1),
    )
    db.session.commit()
    client = login(officer)
    with client.session_transaction() as sess:  # exports ask to confirm it's them
        sess[REAUTH_KEY] = proof(officer)
    response = client.get(f"/projects/export.csv?region={region('KZ-62').id}&sort=code")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _read(response, locale)
    assert len(rows) == 3 and all(len(row) == 14 for row in rows)
    row = next(r for r in rows[1:] if r[0] == project.code)
    assert row[1] == HOSTILE_TITLE  # the semicolon, the quotes and the line break stay in it
    assert _number(row[7], locale) == pytest.approx(1_234_567_890.15)
    assert row[7] == ("1234567890,15" if locale != "en" else "1234567890.15")
    assert _number(row[8], locale) == 2_500_000.00
    assert row[9] == "2025-01-15"  # dates as ISO
    assert _number(row[12], locale) == 0
    assert _number(row[13], locale) == 0  # nothing given in kind
    other = next(r for r in rows[1:] if r[0] != project.code)
    assert other[1] == "'=1+1"  # a formula is neutralised


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", '\ufeffa;b;c\r\n"x;y";1234567,50;3\r\n"He said ""hi""\nok";\'-1;\r\n'),
        ("kk", '\ufeffa;b;c\r\n"x;y";1234567,50;3\r\n"He said ""hi""\nok";\'-1;\r\n'),
        ("en", '\ufeffa,b,c\r\nx;y,1234567.50,3\r\n"He said ""hi""\nok",\'-1,\r\n'),
    ],
)
def test_to_csv_writes_plain_numbers_and_quotes_text(locale, expected):
    data = [["x;y", Decimal("1234567.5"), 3], ['He said "hi"\nok', "-1", None]]
    assert export.to_csv(["a", "b", "c"], data, locale).decode("utf-8") == expected


@pytest.fixture
def published(officer):
    """A published quarter whose figure is over a thousand, with an indicator named with a
    semicolon."""
    standard = factories.StandardIndicatorFactory(
        code="CSV-KIDS", name_kk="Балалар; емделді", name_ru="Дети; лечение", name_en="Kids; cured"
    )
    indicator = factories.ProjectIndicatorFactory(standard=standard, target=12_000)
    factories.indicator_result(
        indicator,
        date(2025, 1, 1),
        1_234,
        ResultStatus.VERIFIED,
        {"sex": {"female": 1_000, "male": 234}},
    )
    publications.publish(db.session, officer, "2025-Q1", date(2026, 1, 10))
    db.session.commit()
    return standard


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_outcomes_csv_follows_the_readers_language(login, published, locale):
    board = factories.UserFactory(role=Role.BOARD, locale=locale)
    response = login(board).get("/outcomes/portfolio.csv")
    assert response.status_code == 200
    rows = _read(response, locale)
    header, data = rows[0], {row[0]: row for row in rows[1:]}
    assert all(len(row) == len(header) for row in rows)
    row = data["CSV-KIDS"]
    assert row[1] == published.name(locale)  # its semicolon stays in the cell
    achieved, target, projects = (_number(v, locale) for v in row[5:8])
    assert (achieved, target, projects) == (1234, 12000, 1)
    assert row[5] == "1234" and row[6] == "12000"  # no thousands separator
    assert "1000" in row[8:] and "234" in row[8:]  # the breakdown by sex
