"""An officer brings a project in from the template in a real browser, CSRF on: download the
template, fill it (as a spreadsheet would, with openpyxl), upload it, read the preview, confirm,
and find the project in the project list."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.organisations import demo_bin
from fundtracker.services.imports.core import ordered_sheets
from tests.browser.helpers import log_in

CODE = "QH-IMPORT-001"
BIN = demo_bin("2312", 4242)


def _fill(template: bytes) -> bytes:
    """Below each sheet's example row, as a person fills the template: by the columns' order,
    whatever language the headers are in."""
    book = load_workbook(io.BytesIO(template))
    sheets = {s.key: book.worksheets[1 + i] for i, s in enumerate(ordered_sheets())}
    rows = {
        "organisations": [{"bin": BIN, "name": "«Import journey» қоры", "region": "KZ-19"}],
        "projects": [
            {
                "code": CODE,
                "title_ru": "Сенсорная комната",
                "organisation_bin": BIN,
                "area": "healthcare",
                "status": "active",
                "awarded": "3 000 000",
                "start_date": "01.02.2026",
                "end_date": "31.01.2027",
            }
        ],
        "milestones": [
            {"project_code": CODE, "title": "Комната оборудована", "due_date": "30.06.2026"},
            {"project_code": CODE, "title": "Дети занимаются", "due_date": "15.01.2027"},
        ],
        "tranches": [
            {
                "project_code": CODE,
                "milestone": "Комната оборудована",
                "planned_date": "01.07.2026",
                "amount": "2 000 000",
            },
            {
                "project_code": CODE,
                "milestone": "Дети занимаются",
                "planned_date": "20.01.2027",
                "amount": "1 000 000",
            },
        ],
    }
    for sheet in ordered_sheets():
        ws = sheets[sheet.key]
        for offset, values in enumerate(rows.get(sheet.key, []), start=3):
            for index, column in enumerate(sheet.columns, start=1):
                if column.key in values:
                    ws.cell(row=offset, column=index, value=values[column.key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_officer_imports_a_project_from_the_template(live_server, page, tmp_path):
    log_in(page, live_server, f"officer2@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/projects/")
    page.click("#import-link")
    with page.expect_download() as download:
        page.click("#template-link")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    filled = tmp_path / "portfolio.xlsx"
    filled.write_bytes(_fill(template.read_bytes()))

    page.set_input_files("input[type=file]", str(filled))
    page.click("form[action='/imports/'] [type=submit]")
    expect(page.locator("#import-summary")).to_be_visible()
    expect(page.locator("#import-problems")).to_have_count(0)
    expect(page.locator("#import-changes")).to_contain_text(CODE)
    assert page.console_errors == []

    page.click("form[action$='/confirm'] [type=submit]")
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#imported-projects")).to_contain_text(CODE)

    page.goto(f"{live_server}/projects/?q={CODE}")
    expect(page.locator("main")).to_contain_text("Сенсорная комната")
