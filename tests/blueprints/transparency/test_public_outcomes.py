"""Outcome figures on the public page come from the latest published period only, protected as
the board sees them; fund-wide only when every project in the period is public."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.disclosure.display import HIDDEN
from fundtracker.models import CellStatus, PublishedCell
from tests.blueprints import test_portfolio_published as published

UNPUBLISHED = published.UNPUBLISHED
fund = published.fund  # the fixture: a small portfolio with 2025 published

SIGNED = date(2025, 1, 10)


def _sign(projects):
    for p in projects:
        p.agreement_signed_on = SIGNED
    db.session.commit()


def _section(html, name):
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


def _raw_values():
    """Every value the publication holds but hides, and every count below 5 it stored."""
    cells = db.session.scalars(select(PublishedCell))
    return {c.value for c in cells if c.value and (c.status != CellStatus.SHOWN or c.value < 5)}


def test_unpublished_projects_keep_fund_figures_off_the_page(client, fund):
    _sign(fund["projects"][:3])  # the fourth is not signed: it is in the figures, not public
    html = client.get("/transparency/?lang=en").get_data(as_text=True)
    outcomes = _section(html, "outcomes")
    assert 'id="outcomes-partial"' in outcomes and "2025" in outcomes
    assert "data-figure" not in outcomes


def test_all_public_shows_protected_totals(client, fund):
    _sign(fund["projects"])
    html = client.get("/transparency/?lang=en").get_data(as_text=True)
    outcomes = _section(html, "outcomes")
    assert "Children treated" in outcomes and "Families supported" in outcomes
    shown = re.findall(r"data-figure>([^<]*)<", outcomes)
    assert shown
    stored = {
        c.value
        for c in db.session.scalars(
            select(PublishedCell).where(
                PublishedCell.table == "total", PublishedCell.status == CellStatus.SHOWN
            )
        )
    }
    numbers = [int(re.sub(r"\D", "", t)) for t in shown if t != HIDDEN and re.search(r"\d", t)]
    assert numbers  # "Children treated" is shown
    for number in numbers:
        assert number in stored and number >= 5
    assert str(UNPUBLISHED) not in html and "9,137" not in html


def test_confidential_project_hides_fund_figures_again(client, fund):
    _sign(fund["projects"])
    fund["projects"][0].confidential = True
    db.session.commit()
    outcomes = _section(client.get("/transparency/?lang=en").get_data(as_text=True), "outcomes")
    assert 'id="outcomes-partial"' in outcomes and "data-figure" not in outcomes


def test_project_page_shows_its_protected_figures(client, fund):
    _sign(fund["projects"])
    p1 = fund["projects"][0]
    html = client.get(f"/transparency/projects/{p1.code}?lang=en").get_data(as_text=True)
    table = _section(html, "outcomes")
    figures = re.findall(r"data-figure>([^<]*)<", table)
    assert figures
    hidden_values = _raw_values()
    numbers = [int(re.sub(r"\D", "", t)) for t in figures if re.search(r"\d", t)]
    assert numbers and HIDDEN in figures  # p1 has small counts: hidden, never printed
    for number in numbers:
        assert number >= 5 and number not in hidden_values
