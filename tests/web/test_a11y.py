"""Errors tied to their fields (WCAG 3.3.1, 4.1.2): after a failed submit each field in error
says so (aria-invalid) and is described by its own error text, and a summary at the top lists
every error with a link to its field: also for the rows of repeated sections."""

import re

from flask_wtf import FlaskForm
from lxml import html as lxml_html
from wtforms import FieldList, FormField, StringField
from wtforms.validators import DataRequired

from fundtracker.core.extensions import db
from fundtracker.web.a11y import field_aria, form_errors
from tests.conftest import login_as


def _page(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def test_a_failed_login_links_each_error_to_its_field(client):
    response = client.post("/auth/login", data={"email": "", "password": ""})
    page = _page(response)
    summary = page.get_element_by_id("error-summary")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    targets = [a.get("href") for a in summary.iter("a")]
    assert "#email" in targets and "#password" in targets
    for name in ("email", "password"):
        field = page.get_element_by_id(name)
        assert field.get("aria-invalid") == "true"
        described = field.get("aria-describedby").split()
        assert described, name
        for ident in described:
            # Every id it points to exists and, for errors, holds the message.
            target = page.get_element_by_id(ident)
            assert target.text_content().strip()
        errors = [i for i in described if "-error-" in i]
        assert errors, f"{name} is not described by its error"


def test_a_page_without_errors_has_no_summary_and_no_invalid_fields(client):
    page = _page(client.get("/auth/login"))
    assert not page.xpath('//*[@id="error-summary"]')
    assert not page.xpath("//*[@aria-invalid]")


def test_the_skip_link_goes_to_the_main_content(client):
    page = _page(client.get("/auth/login"))
    first = page.xpath("//body//a")[0]
    assert first.get("href") == "#content"
    assert page.get_element_by_id("content").tag == "main"


class _Row(FlaskForm):
    class Meta:
        csrf = False

    amount = StringField("Amount", validators=[DataRequired()])


class _Plan(FlaskForm):
    class Meta:
        csrf = False

    title = StringField("Title", validators=[DataRequired()], description="A short title")
    lines = FieldList(FormField(_Row), label="Budget lines", min_entries=2)


def test_errors_in_rows_are_listed_with_their_row_and_linked(app):
    with app.test_request_context(method="POST", data={"title": "", "lines-0-amount": "5"}):
        form = _Plan()
        assert not form.validate()
        listed = form_errors(form)
        ids = [target for target, _, _ in listed]
        assert ids == ["title", "lines-1-amount"]
        labels = [label for _, label, _ in listed]
        assert labels[0] == "Title"
        assert "Budget lines" in labels[1] and "2" in labels[1] and "Amount" in labels[1]
        aria = field_aria(form.title)
        assert aria["aria-invalid"] == "true"
        assert aria["aria-describedby"].split() == ["title-help", "title-error-1"]
        assert field_aria(form.lines[0].amount) == {}


def test_no_english_aria_label_on_a_kazakh_page(client, grantee):
    """aria-labels are translated (the breadcrumb's stayed English on kk/ru pages)."""
    grantee.locale = "kk"
    db.session.flush()
    login_as(client, grantee)
    body = client.get("/").get_data(as_text=True)
    labels = re.findall(r'aria-label="([^"]*)"', body)
    assert labels
    for english in ("breadcrumb", "Main navigation", "Menu", "Pages", "Close"):
        assert english not in labels, english


def test_an_error_of_a_whole_section_is_listed_and_goes_to_the_section(app):
    with app.test_request_context(method="POST", data={"title": "x", "lines-0-amount": "5"}):
        form = _Plan()
        form.validate()
        form.lines.errors.append("Give at least two lines.")
        listed = form_errors(form)
        assert ("lines-rows", "Budget lines", "Give at least two lines.") in listed


def test_no_aria_label_is_left_untranslated_in_a_template():
    """An aria-label is said to screen reader users: it is written through gettext, never as
    plain English in a template (the breadcrumb's stayed English on kk/ru pages)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "fundtracker" / "templates"
    plain = re.compile(r'aria-label="[A-Za-z]')
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if plain.search(line)
    ]
    assert not found, found


def test_no_table_header_is_empty():
    """Every header cell names its column, if only for screen readers (axe: empty-table-header)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "fundtracker" / "templates"
    empty = re.compile(r"<th[^>]*>\s*</th>")
    found = [str(p.relative_to(root)) for p in root.rglob("*.html") if empty.search(p.read_text())]
    assert not found, found
