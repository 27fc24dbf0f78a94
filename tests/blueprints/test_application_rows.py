"""The repeated sections of the application form (budget lines, milestones, indicators) and of
the call form (criteria): any number of rows up to the bound, indices with gaps (rows removed in
the page), a blank row for the page's script to copy, and amounts shown back in the user's
format."""

from __future__ import annotations

import re

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Call
from fundtracker.web.forms import MAX_ROWS
from tests import factories

NBSP = "\u00a0"


def _page(response) -> str:
    return response.get_data(as_text=True)


def _base(application, **overrides) -> dict:
    data = {
        "version": str(application.version_id),
        "title": "Оңалту орталығы",
        "summary": "",
        "start_date": "2099-01-01",
        "end_date": "2099-12-31",
        "document": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def _budget(index: int, amount: str, description: str) -> dict:
    return {
        f"budget-{index}-category": "equipment",
        f"budget-{index}-description": description,
        f"budget-{index}-amount": amount,
    }


def _milestone(index: int, title: str, tranche: str) -> dict:
    return {
        f"milestones-{index}-title": title,
        f"milestones-{index}-due_date": "2099-06-30",
        f"milestones-{index}-tranche": tranche,
    }


def _indicator(index: int, name: str) -> dict:
    return {
        f"indicators-{index}-name": name,
        f"indicators-{index}-unit": "бала",
        f"indicators-{index}-baseline": "0",
        f"indicators-{index}-target": str(10 + index),
    }


def _edit(client, application, data):
    return client.post(f"/applications/{application.id}/edit", data=data)


def test_rows_with_gapped_indices_are_all_kept_in_order(client, login):
    """The page's script removed rows 1, 3 and 4: the rows 0, 2 and 5 that are left are saved,
    in that order, nothing lost."""
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    data = _base(application)
    data.update(_budget(5, "3 000", "Третья"))  # the order of the request does not matter
    data.update(_budget(0, "1 000", "Первая"))
    data.update(_budget(2, "2 000,50", "Вторая"))
    data.update(_milestone(0, "M0", "1 000"))
    data.update(_milestone(7, "M7", "5 000,50"))
    data.update(_indicator(3, "I3"))
    data.update(_indicator(11, "I11"))
    response = _edit(client, application, data)
    assert response.status_code == 302, _page(response)
    db.session.expire_all()
    assert [(b.description, b.amount) for b in application.budget_lines] == [
        ("Первая", 1_000_00),
        ("Вторая", 2_000_50),
        ("Третья", 3_000_00),
    ]
    assert [(m.title, m.tranche_amount) for m in application.milestones] == [
        ("M0", 1_000_00),
        ("M7", 5_000_50),
    ]
    assert [(i.name, i.target) for i in application.indicators] == [("I3", 13), ("I11", 21)]


def test_more_than_three_rows_are_saved_and_shown_with_blank_rows_after_them(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    data = _base(application)
    for n in range(8):
        data.update(_budget(n, f"{n + 1} 000", f"Line {n}"))
    for n in range(5):
        data.update(_milestone(n, f"Milestone {n}", "1 000"))
    for n in range(6):
        data.update(_indicator(n, f"Indicator {n}"))
    assert _edit(client, application, data).status_code == 302
    db.session.expire_all()
    assert [b.description for b in application.budget_lines] == [f"Line {n}" for n in range(8)]
    assert len(application.milestones) == 5 and len(application.indicators) == 6

    page = _page(client.get(f"/applications/{application.id}/edit"))
    # The saved rows, then three blank ones (indices 8, 9, 10); the next new row is 11.
    assert 'name="budget-7-description" placeholder="" type="text" value="Line 7"' in page
    assert 'name="budget-10-description"' in page and 'name="budget-11-' not in page
    assert re.search(r'id="budget-rows"[^>]*data-next-index="11"', page)


def test_a_removed_row_is_not_sent_and_so_is_deleted(client, login):
    """The server keeps exactly the rows it gets: the script removes a saved row by taking it
    out of the form."""
    application = factories.ApplicationFactory()
    login(application.created_by)
    assert len(application.budget_lines) == 1
    data = _base(application)
    data.update(_budget(1, "500", "Kept"))  # row 0, the saved line, was removed in the page
    assert _edit(client, application, data).status_code == 302
    db.session.expire_all()
    assert [b.description for b in application.budget_lines] == ["Kept"]


def test_up_to_the_bound_rows_are_saved(client, login):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    data = _base(application)
    for n in range(MAX_ROWS):
        data.update(_budget(n * 2, "1", f"L{n}"))
    assert _edit(client, application, data).status_code == 302
    db.session.expire_all()
    assert len(application.budget_lines) == MAX_ROWS
    page = _page(client.get(f"/applications/{application.id}/edit"))
    # A full section gets no blank rows, and the page's script adds none.
    assert f'name="budget-{MAX_ROWS}-' not in page
    assert f'data-max-rows="{MAX_ROWS}"' in page


def test_more_rows_than_the_bound_are_refused_and_nothing_is_saved(client, login):
    application = factories.ApplicationFactory()
    login(application.created_by)
    before = [(b.description, b.amount) for b in application.budget_lines]
    title = application.title
    data = _base(application, title="Changed")
    for n in range(MAX_ROWS + 50):
        data.update(_budget(n, "1", f"L{n}"))
    response = _edit(client, application, data)
    assert response.status_code == 422
    page = _page(response)
    assert "Your draft was not saved: a section has too many rows." in page
    assert f"This section can have at most {MAX_ROWS} rows." in page
    # The rows are read one past the bound, no further.
    assert f'name="budget-{MAX_ROWS}-amount"' in page
    assert f'name="budget-{MAX_ROWS + 1}-amount"' not in page
    db.session.expire_all()
    assert [(b.description, b.amount) for b in application.budget_lines] == before
    assert application.title == title


def test_the_page_has_a_blank_row_to_copy_and_buttons_only_the_script_shows(client, login):
    application = factories.ApplicationFactory()
    login(application.created_by)
    page = _page(client.get(f"/applications/{application.id}/edit"))
    template = re.search(r"<template data-row-template>(.*?)</template>", page, re.S).group(1)
    assert 'name="budget-__index__-amount"' in template
    assert (
        'for="budget-__index__-amount"' in template and 'id="budget-__index__-amount"' in template
    )
    assert 'value=""' in template  # blank
    # Real buttons that do not submit, hidden until the script works them.
    assert re.search(r'<button type="button" [^>]*data-row-add hidden>Add a budget line<', page)
    assert re.search(r'<button type="button" [^>]*data-row-remove hidden>Remove this budget', page)
    assert "Add a milestone" in page and "Add an indicator" in page
    assert 'data-remove-named="Remove this budget line: %(row)s"' in page
    assert page.count('role="status" data-rows-status') == 3
    assert '<script src="/static/js/rows.js"></script>' in page


def test_amounts_come_back_in_the_users_format_and_typed_text_as_typed(client, login):
    application = factories.ApplicationFactory(contents=False)
    application.created_by.locale = "ru"
    db.session.flush()
    login(application.created_by)
    data = _base(application)
    data.update(_budget(0, "7345679.01", "Жабдық"))
    data.update(_budget(1, "1 250 000", "Оқыту"))
    assert _edit(client, application, data).status_code == 302
    page = _page(client.get(f"/applications/{application.id}/edit"))
    assert f'value="7{NBSP}345{NBSP}679,01"' in page
    assert f'value="1{NBSP}250{NBSP}000"' in page
    # Saved again as shown: the same amounts.
    db.session.refresh(application)
    data = _base(application)
    data.update(_budget(0, f"7{NBSP}345{NBSP}679,01", "Жабдық"))
    data.update(_budget(3, f"1{NBSP}250{NBSP}000", "Оқыту"))
    data.update(_budget(4, "12,345", "Ошибка"))  # three decimals in ru: refused, kept as typed
    response = _edit(client, application, data)
    assert response.status_code == 422
    assert 'value="12,345"' in _page(response)
    db.session.expire_all()
    assert [b.amount for b in application.budget_lines] == [7_345_679_01, 1_250_000_00]


def _call(**criteria) -> dict:
    data = {
        "area_id": str(factories.area().id),
        "title_ru": "Инклюзивное образование",
        "opens_on": "2026-03-01",
        "opens_time": "09:00",
        "closes_on": "2026-04-01",
        "closes_time": "18:00",
        "budget_envelope": "500 000 000",
        "max_request": "50 000 000",
    }
    data.update(criteria)
    return data


def test_a_calls_criteria_with_gapped_indices_are_kept_in_order(client, login, officer):
    login(officer)
    data = _call()
    for index, name, weight in [(9, "C", "20"), (0, "A", "50"), (4, "B", "30")]:
        data[f"criteria-{index}-name_ru"] = name
        data[f"criteria-{index}-weight"] = weight
    assert client.post("/calls/new", data=data).status_code == 302
    call = db.session.scalar(select(Call).where(Call.title_ru == "Инклюзивное образование"))
    assert [(c.name_ru, c.weight) for c in call.criteria] == [("A", 50), ("B", 30), ("C", 20)]


def test_a_call_with_more_criteria_than_the_bound_is_not_saved(client, login, officer):
    login(officer)
    data = _call()
    for n in range(MAX_ROWS + 1):
        data[f"criteria-{n}-name_en"] = f"C{n}"
        data[f"criteria-{n}-weight"] = "1"
    assert client.post("/calls/new", data=data).status_code == 422
    assert db.session.scalar(select(Call).where(Call.title_ru == "Инклюзивное образование")) is None
