"""The import framework: cells as people write them in kk, ru and en, reading files, and the
problems' places."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from fundtracker.services.imports import core
from fundtracker.services.imports.core import CellProblem, parse_date, parse_money, read_file


@pytest.mark.parametrize(
    ("written", "tiyn"),
    [
        ("1 250 000,50", 125_000_050),  # kk/ru: spaces between thousands, comma before tiyn
        ("1\u00a0250\u00a0000,50", 125_000_050),  # the no-break space a spreadsheet writes
        ("1,250,000.50", 125_000_050),  # en
        ("1.250.000,50", 125_000_050),
        ("1'250'000.50", 125_000_050),
        ("25000000", 2_500_000_000),
        (25_000_000, 2_500_000_000),
        (12.5, 1250),
        ("12 500 ₸", 1_250_000),
        ("12 500 KZT", 1_250_000),
        ("0,5", 50),
        ("1,250", 125_000),  # one mark before three digits groups thousands: tiyn have two
        ("12.345", 1_234_500),
    ],
)
def test_money_is_read_as_people_write_it(written, tiyn):
    assert parse_money(written) == tiyn


@pytest.mark.parametrize(
    ("written", "code"),
    [("abc", "not_money"), ("1,2,3.4.5", "not_money"), ("1.2345", "not_money"), ("-5", "negative")],
)
def test_money_that_is_not_is_refused_with_its_reason(written, code):
    with pytest.raises(CellProblem) as refused:
        parse_money(written)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("01.03.2026", date(2026, 3, 1)),
        ("2026-03-01", date(2026, 3, 1)),
        ("01/03/2026", date(2026, 3, 1)),
        ("46082", date(2026, 3, 1)),  # an Excel serial number, as a CSV export writes it
        (date(2026, 3, 1), date(2026, 3, 1)),
    ],
)
def test_dates(written, day):
    assert parse_date(written) == day


def test_a_date_out_of_range_or_not_a_date_is_refused():
    for written, code in (("31.02.2026", "not_a_date"), ("01.01.1999", "date_out_of_range")):
        with pytest.raises(CellProblem) as refused:
            parse_date(written)
        assert refused.value.code == code


def _xlsx(title: str, rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_sheets_and_headers_are_found_in_any_language(app, locale):
    from fundtracker.services.imports.sheets.organisations import Organisations

    with app.test_request_context(), force_locale(locale):
        title = str(Organisations.label)
        header = [str(c.label) for c in Organisations.writable()]
    data = _xlsx(title, [header, ["220140000008", "Fund", "Almaty"]])
    with app.test_request_context():
        tables, problems = read_file(data, "portfolio.xlsx")
    assert problems == []
    assert tables["organisations"][0].raw["bin"] == "220140000008"
    assert tables["organisations"][0].number == 2


def test_unknown_missing_and_repeated_columns_are_problems_at_the_header(app):
    with app.test_request_context():
        data = _xlsx("organisations", [["bin", "name", "name", "colour"], ["1", "a", "b", "c"]])
        _, problems = read_file(data, "p.xlsx")
    found = {(p.sheet, p.row, p.column, p.code) for p in problems}
    assert ("organisations", 1, "name", "duplicate_column") in found
    assert ("organisations", 1, None, "unknown_column") in found
    assert ("organisations", 1, "region", "missing_column") in found


def test_a_foreign_sheet_or_file_is_a_problem_not_an_error(app):
    with app.test_request_context():
        _, problems = read_file(_xlsx("Holiday plans", [["a"], ["b"]]), "p.xlsx")
        assert [p.code for p in problems] == ["unknown_sheet"]
        _, problems = read_file(b"PK\x03\x04 not really a zip", "p.xlsx")
        assert [p.code for p in problems] == ["not_a_workbook"]
        _, problems = read_file(b"bin;name;region\n", "notes.csv")
        assert [p.code for p in problems] == ["unknown_csv"]


def test_a_csv_in_windows_1251_with_semicolons_is_read(app):
    data = "БСН;Атауы;Өңір\n220140000008;«Мейірім» қоры;Алматы\n".encode("cp1251", "replace")
    with app.test_request_context():
        tables, _ = read_file(data, "x.csv", csv_sheet="organisations")
    assert tables["organisations"][0].raw["bin"] == "220140000008"


def test_the_templates_example_row_left_in_is_skipped(app):
    from fundtracker.services.imports.sheets.budget_lines import BudgetLines

    columns = BudgetLines.writable()
    example = [c.example for c in columns]
    mine = ["QH-1", "equipment", "Chairs", "100"]
    with app.test_request_context():
        tables, problems = read_file(
            _xlsx("budget_lines", [[c.key for c in columns], example, mine]), "p.xlsx"
        )
    assert problems == []
    assert [row.number for row in tables["budget_lines"]] == [3]


def test_a_problem_reads_in_the_readers_language(app):
    problem = core.Problem("projects", 4, "awarded", "not_money", {"value": "abc"})
    with app.test_request_context():
        texts = set()
        for locale in ("kk", "ru", "en"):
            with force_locale(locale):
                texts.add(problem.text())
    assert len(texts) == 3
    assert all("abc" in text for text in texts)
    assert core.Problem.from_json(problem.as_json()) == problem


def test_no_header_or_sheet_name_means_two_things_in_any_language(app):
    """A header is matched in kk, ru or en: no name may stand for two columns of one sheet (or
    two sheets) in any of them, or a translated header would fill the wrong column."""
    sheets = core.ordered_sheets()
    with app.test_request_context():
        sheet_names: dict[str, str] = {}
        for sheet in sheets:
            names: dict[str, str] = {}
            for locale in ("kk", "ru", "en"):
                with force_locale(locale):
                    owner = sheet_names.setdefault(core._norm(str(sheet.label)), sheet.key)
                    assert owner == sheet.key, (locale, str(sheet.label))
                    for column in sheet.columns:
                        label = core._norm(str(column.label))
                        assert names.setdefault(label, column.key) == column.key, (
                            sheet.key,
                            locale,
                            str(column.label),
                        )
