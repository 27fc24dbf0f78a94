"""The shared form fields: dates within plausible bounds, shown so that they can be saved again;
one message for one problem."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, NumberRange

from fundtracker.web.forms import DateField, MoneyField, VersionForm


class _Form(VersionForm):
    day = DateField("Day", validators=[InputRequired()])
    amount = MoneyField("Amount", validators=[InputRequired(), NumberRange(min=0)])


def _form(app, **data):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return form


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_plausible_years_is_refused_with_one_message(app, typed):
    form = _form(app, day=typed, amount="1")
    assert form.day.errors == ["Enter a date between 2000-01-01 and 2100-12-31."]
    assert form.day.data is None
    # What was typed is shown again as typed, to be corrected.
    with app.test_request_context():
        assert form.day._value() == typed


def test_the_bounds_are_configurable(app):
    app.config["DATE_MIN_YEAR"] = 1990
    try:
        assert _form(app, day="1995-06-01", amount="1").day.errors == []
    finally:
        del app.config["DATE_MIN_YEAR"]


def test_a_stored_date_renders_with_four_digits_so_it_can_be_saved_again(app):
    with app.test_request_context():
        form = _Form(data={"day": date(1, 1, 1)}, meta={"csrf": False})
        assert form.day._value() == "0001-01-01"
        form = _Form(data={"day": date(2026, 3, 5)}, meta={"csrf": False})
        assert form.day._value() == "2026-03-05"


def test_a_date_within_the_bounds_is_kept(app):
    form = _form(app, day="2026-03-05", amount="1")
    assert form.day.errors == [] and form.day.data == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99999999999999999999", "This amount is too large."),
        # The tests speak English: the examples are written as the field shows amounts in en.
        ("abc", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1.234", "An amount has at most two digits for tiyn, like 1,250,000.50."),
    ],
)
def test_an_amount_that_cannot_be_read_gets_one_message(app, typed, message):
    assert _form(app, day="2026-03-05", amount=typed).amount.errors == [message]


def test_an_optional_field_left_empty_has_no_message(app):
    from wtforms.validators import Optional

    class _Row(VersionForm):
        day = DateField("Day", validators=[Optional()])
        amount = MoneyField("Amount", validators=[Optional()])

    with app.test_request_context(method="POST"):
        form = _Row(formdata=MultiDict({"day": "", "amount": ""}), meta={"csrf": False})
        assert form.validate(), form.errors
