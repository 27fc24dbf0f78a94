"""The money field: a stored amount is shown in the user's locale as the `money` filter writes it
(without the sign), what it shows is read back in every locale, what was typed comes back as
typed, and what cannot be an amount gets one clear message in the user's language."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import flask_babel
import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import NumberRange, Optional

from fundtracker.core.i18n import format_money
from fundtracker.web.forms import MoneyField, VersionForm, read_tenge, tenge_text

NBSP, NNBSP = "\u00a0", "\u202f"
LOCALES = ("kk", "ru", "en")
AMOUNTS = [0, 1, 5, 10, 99, 100, 1_00, 12_345_67, 1_250_000_00, 1_250_000_50, 7_345_679_01]


class _Form(VersionForm):
    amount = MoneyField("Amount", validators=[Optional(), NumberRange(min=0)])


@contextmanager
def _context(app, locale, **kwargs):
    """A request of a visitor who chose `locale` (the test's app context, shared by these
    requests, must not remember the locale of the one before)."""
    with app.test_request_context(headers={"Cookie": f"lang={locale}"}, **kwargs):
        flask_babel.refresh()
        try:
            yield
        finally:
            flask_babel.refresh()


def _posted(app, locale, typed):
    with _context(app, locale, method="POST"):
        form = _Form(formdata=MultiDict({"amount": typed}), meta={"csrf": False})
        form.validate()
        return form, form.amount._value(), [str(e) for e in form.amount.errors]


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("kk", f"7{NBSP}345{NBSP}679,01"),
        ("ru", f"7{NBSP}345{NBSP}679,01"),
        ("en", "7,345,679.01"),
    ],
)
def test_a_stored_amount_is_shown_in_the_users_format(app, locale, shown):
    with _context(app, locale):
        form = _Form(meta={"csrf": False})
        form.amount.set_tiyn(7_345_679_01)
        assert form.amount._value() == shown
        assert f'value="{shown}"' in form.amount()


@pytest.mark.parametrize("locale", LOCALES)
def test_whole_tenge_are_shown_without_tiyn_like_the_money_filter(app, locale):
    """The same choice as the hint ("1 250 000 or 1 250 000,50") and the `money` filter."""
    with _context(app, locale):
        form = _Form(meta={"csrf": False})
        form.amount.set_tiyn(1_250_000_00)
        shown = form.amount._value()
        assert shown == format_money(1_250_000_00, locale).replace("₸", "").strip()
        assert shown.replace(NBSP, " ") in ("1 250 000", "1,250,000")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("tiyn", AMOUNTS + [-5, -1_250_000_50, 999_999_999_999_99])
def test_what_the_field_shows_is_read_back_as_the_same_amount(app, locale, tiyn):
    with _context(app, locale):
        shown = tenge_text(tiyn)
        assert read_tenge(shown) * 100 == tiyn
    if tiyn >= 0:
        form, _value, errors = _posted(app, locale, shown)
        assert errors == [] and form.amount.tiyn == tiyn


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "typed",
    [
        "1 250 000,50",
        f"1{NBSP}250{NBSP}000,50",
        f"1{NNBSP}250{NNBSP}000,50",
        "1250000,50",
        "1250000.50",
        "1250000.5",
        "1.250.000,50",
        "1,250,000.50",
        "1 250 000.50",
        "  1 250 000,50 ₸ ",
        "₸1,250,000.50",
    ],
)
def test_every_usual_way_of_typing_an_amount_is_read_in_every_locale(app, locale, typed):
    form, shown, errors = _posted(app, locale, typed)
    assert errors == []
    assert form.amount.tiyn == 1_250_000_50
    assert shown == typed  # shown back as typed, not reformatted


@pytest.mark.parametrize(
    ("locale", "typed", "tiyn"),
    [
        # A comma and three digits: thousands where the locale groups with commas...
        ("en", "1,250", 1_250_00),
        ("en", "1,250,000", 1_250_000_00),
        ("kk", "1.250.000", 1_250_000_00),
        # ...a decimal comma otherwise.
        ("ru", "1,5", 1_50),
        ("en", "1,5", 1_50),
        ("en", "1,50", 1_50),
        ("kk", "0,05", 5),
        ("ru", ",5", 50),
        ("en", "+7", 7_00),
    ],
)
def test_a_lone_comma_or_point(app, locale, typed, tiyn):
    form, _shown, errors = _posted(app, locale, typed)
    assert errors == [] and form.amount.tiyn == tiyn


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("15 млн", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1e5", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("NaN", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1,2,3", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("12,34,567", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1.250,000.50", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1,000.5.0", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("--5", "Enter an amount in tenge, like 1,250,000 or 1,250,000.50."),
        ("1.234", "An amount has at most two digits for tiyn, like 1,250,000.50."),
        ("0,001", "An amount has at most two digits for tiyn, like 1,250,000.50."),
        ("1 000 000 000 000", "This amount is too large."),
        ("-1 250 000,50", "Number must be at least 0."),
    ],
)
def test_what_cannot_be_an_amount_gets_one_clear_message_and_comes_back_as_typed(
    app, typed, message
):
    form, shown, errors = _posted(app, "en", typed)
    assert errors == [message]
    assert shown == typed
    if message != "Number must be at least 0.":
        assert form.amount.data is None and form.amount.tiyn is None


def test_a_negative_amount_is_read_where_no_rule_refuses_it(app):
    """The field reads a minus sign (also the typographic one); refusing negative amounts is
    each form's rule (NumberRange), as it was."""
    with _context(app, "ru"):
        assert read_tenge("-1 250 000,50") == Decimal("-1250000.50")
        assert read_tenge("\u22121 250 000,50") == Decimal("-1250000.50")


def test_nothing_typed_is_no_amount_and_no_message(app):
    form, shown, errors = _posted(app, "kk", "  ")
    assert errors == [] and form.amount.tiyn is None


def test_a_comma_with_three_digits_is_too_precise_where_commas_are_decimal(app):
    """In kk and ru "1,250" can only mean 1.25 with a digit too many: it is not taken for
    1250."""
    _form, _shown, errors = _posted(app, "ru", "1,250")
    assert len(errors) == 1 and f"1{NBSP}250{NBSP}000,50" in errors[0]


def test_messages_are_in_the_users_language_with_examples_in_the_users_format(app):
    _form, _shown, errors = _posted(app, "kk", "1 000 000 000 000")
    assert errors == ["Бұл сома тым үлкен."]
    for locale in ("kk", "ru"):
        _form, _shown, errors = _posted(app, locale, "абв")
        assert len(errors) == 1
        assert f"1{NBSP}250{NBSP}000" in errors[0] and f"1{NBSP}250{NBSP}000,50" in errors[0]
