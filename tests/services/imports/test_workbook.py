"""The template people fill and the export in its layout."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from fundtracker.core.extensions import db
from fundtracker.models import Role
from fundtracker.services import imports
from fundtracker.services.imports import workbook
from fundtracker.services.imports.core import ordered_sheets
from tests import factories


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_template_speaks_the_readers_language_and_lists_what_each_choice_takes(app, locale):
    with app.test_request_context():
        data = workbook.template(db.session, locale)
        with force_locale(locale):
            titles = [workbook.sheet_title(s) for s in ordered_sheets()]
            first = workbook.sheet_title("instructions")
            lists = workbook.sheet_title("lists")
            region_header = str(ordered_sheets()[0].column("region").label)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [first, *titles, lists]
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in book.sheetnames)
    organisations = book[titles[0]]
    header = [c.value for c in organisations[1]]
    assert region_header in header
    column = "ABCDEFGHIJ"[header.index(region_header)]
    (validation,) = [
        v for v in organisations.data_validations.dataValidation if column in str(v.sqref)
    ]
    assert validation.type == "list" and lists in validation.formula1
    # Every list the validations point at is filled: the regions list has Kazakhstan's 20.
    listed = [c.value for c in book[lists]["A"][1:] if c.value]
    assert len(listed) >= 20


def test_the_template_as_downloaded_imports_nothing(app):
    officer = factories.UserFactory(role=Role.OFFICER)
    with app.test_request_context():
        data = workbook.template(db.session, "en")
        ctx = imports.check(db.session, officer, data, "template.xlsx", date(2026, 12, 5))
    # The example rows are skipped: an untouched template is an empty file, not bad data.
    assert [p.code for p in ctx.problems] == ["empty"]


def test_an_export_without_personal_data_leaves_contacts_out_not_empty(app):
    project = factories.ProjectFactory()
    factories.UserFactory(role=Role.GRANTEE, organisation=project.organisation)
    with app.test_request_context():
        full = load_workbook(io.BytesIO(workbook.export(db.session, [project], "en")))
        bare = load_workbook(
            io.BytesIO(workbook.export(db.session, [project], "en", personal=False))
        )
    assert "Grantee users" in full.sheetnames and "Grantee users" not in bare.sheetnames
    assert "Contact email" in [c.value for c in full["Organisations"][1]]
    assert "Contact email" not in [c.value for c in bare["Organisations"][1]]
    assert bare["Projects"]["A2"].value == project.code


def test_a_reader_who_sees_published_figures_only_gets_no_results_sheet(app):
    project = factories.ProjectFactory()
    with app.test_request_context():
        board = load_workbook(
            io.BytesIO(workbook.export(db.session, [project], "en", personal=False, raw=False))
        )
    assert "Results" not in board.sheetnames and "Breakdowns" not in board.sheetnames
    assert "Indicators" in board.sheetnames


def test_every_example_in_the_template_is_a_value_the_import_takes(app):
    """Someone who edits the example row rather than adding one below must not meet an error
    in what they left as it was."""
    from fundtracker.services.imports.core import CellProblem, Context, parse_cell

    with app.test_request_context():
        ctx = Context(db.session, None, date(2026, 12, 5))
        refused = []
        for sheet in ordered_sheets():
            for column in sheet.writable():
                if column.example is None:
                    continue
                try:
                    parse_cell(column, column.example, ctx)
                except CellProblem as problem:
                    refused.append((sheet.key, column.key, problem.code))
    assert refused == []
