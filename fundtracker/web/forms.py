"""Form pieces shared by several blueprints."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.numbers import get_group_symbol
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import (
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, TextInput

from fundtracker.core.i18n import TENGE_SIGN, current_locale, format_money
from fundtracker.core.text import clean_line, clean_text


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


# A name and a text typed in each of the fund's languages, in the order kk, ru, en (unpacked into
# title_kk, title_ru, title_en in a form's class body, which keeps the fields' order).
TITLES = (_l("Title in Kazakh"), _l("Title in Russian"), _l("Title in English"))
SUMMARIES = (_l("Summary in Kazakh"), _l("Summary in Russian"), _l("Summary in English"))
DESCRIPTIONS = (
    _l("Description in Kazakh"),
    _l("Description in Russian"),
    _l("Description in English"),
)


def title_fields(labels=TITLES) -> tuple[StringField, ...]:
    """One line each, cleaned of control characters and emoji (core/text.py)."""
    return tuple(
        StringField(label, validators=[Optional(), Length(max=300)], filters=[clean_line])
        for label in labels
    )


def text_fields(labels) -> tuple[TextAreaField, ...]:
    return tuple(
        TextAreaField(label, validators=[Optional()], filters=[clean_text]) for label in labels
    )


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MultiCheckboxField(SelectMultipleField):
    """A few choices, any number of them: a checkbox each in a fieldset (the `field` macro),
    easier to use than a multiple select."""

    option_widget = CheckboxInput()


def language_field(label=None) -> SelectField:
    return SelectField(
        label or _l("Language"), choices=choices(LANGUAGE_CHOICES), validators=[InputRequired()]
    )


class _OneMessage:
    """A value that could not be read already says why: no validator adds a second message
    about the same problem ("required", "at least 0") next to it."""

    def pre_validate(self, form):
        # Nothing typed is for the validators to judge (Optional clears the reading error).
        typed = any(str(value).strip() for value in self.raw_data or ())
        if self.process_errors and typed:
            raise StopValidation()


def date_bounds() -> tuple[date, date]:
    """The dates the fund's work can plausibly have (DATE_MIN_YEAR to DATE_MAX_YEAR)."""
    config = current_app.config
    return (
        date(config.get("DATE_MIN_YEAR", 2000), 1, 1),
        date(config.get("DATE_MAX_YEAR", 2100), 12, 31),
    )


class DateField(_OneMessage, _DateField):
    """A date between DATE_MIN_YEAR and DATE_MAX_YEAR (a year-1 project made a 1 MB form of
    monthly periods), shown with a four-digit year so that a date the browser sent back can be
    saved again."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            return
        first, last = date_bounds()
        if not first <= self.data <= last:
            self.data = None
            raise ValueError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=first.isoformat(),
                    last=last.isoformat(),
                )
            )

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return f"{self.data.year:04d}-{self.data.month:02d}-{self.data.day:02d}"


def tenge_text(tiyn: int, locale: str | None = None) -> str:
    """An amount of tiyn as a money field shows it: the `money` filter's text (the locale's
    grouping and decimal mark; whole tenge without the tiyn part) without the ₸ sign, e.g.
    "7 345 679,01" in kk and ru (no-break spaces), "7,345,679.01" in en."""
    return format_money(tiyn, locale).replace(TENGE_SIGN, "").strip()


# Every kind of space (no-break and narrow no-break included) and the sign are left out.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007₸]")
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _grouped(number: str, mark: str) -> bool:
    """Whether `number` is digits grouped by thousands with `mark` ("1,250,000")."""
    return bool(re.fullmatch(rf"[+-]?[1-9]\d{{0,2}}(?:{re.escape(mark)}\d{{3}})+", number))


def _ungroup(number: str, mark: str) -> str:
    """Digits grouped by thousands with `mark`, without the marks; anything else grouped is not
    an amount."""
    if not _grouped(number, mark):
        raise ValueError
    return number.replace(mark, "")


def read_tenge(text: str, locale: str | None = None) -> Decimal | None:
    """The amount typed in a money field, in tenge; None for nothing typed. Reads what the
    field shows in every locale and what people type: spaces of any kind between thousands, a
    decimal comma or point, and thousands marked by the other one ("1.250.000,50",
    "1,250,000.50"). A lone comma or point is the decimal mark, except a comma followed by three
    digits where the locale groups thousands with commas (en: "1,250" is 1250).

    Raises ValueError for anything else."""
    cleaned = _SPACES.sub("", text or "").replace("\u2212", "-")
    if not cleaned:
        return None
    commas, points = cleaned.count(","), cleaned.count(".")
    if commas and points:
        decimal_mark = "," if cleaned.rindex(",") > cleaned.rindex(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _sep, part = cleaned.rpartition(decimal_mark)
        cleaned = f"{_ungroup(whole, group_mark)}.{part}"
    elif commas > 1 or points > 1:
        cleaned = _ungroup(cleaned, "," if commas else ".")
    elif commas == 1:
        commas_group = get_group_symbol(locale or current_locale()) == ","
        mark = "" if commas_group and _grouped(cleaned, ",") else "."
        cleaned = cleaned.replace(",", mark)
    if not _AMOUNT.fullmatch(cleaned):
        raise ValueError
    return Decimal(cleaned)


class MoneyField(_OneMessage, DecimalField):
    """An amount in tenge as people type it ("1 250 000,50", "1,250,000.50" or "1250000.50");
    `tiyn` gives the integer the models store. A stored amount is shown in the user's locale as
    the `money` filter writes it, without the sign ("1 250 000,50" in kk and ru, "1,250,000.50"
    in en; whole tenge without ",00"); what the user typed is shown back exactly as typed."""

    # A text box, not type=number: people type spaces between thousands and a decimal comma.
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    # Above any grant the fund makes, well inside a 64-bit count of tiyn.
    MAX_TENGE = Decimal(10) ** 12

    @staticmethod
    def unreadable_message() -> str:
        """What to type instead, with examples written the way the field shows amounts."""
        return _(
            "Enter an amount in tenge, like %(whole)s or %(part)s.",
            whole=tenge_text(1_250_000_00),
            part=tenge_text(1_250_000_50),
        )

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            amount = read_tenge(valuelist[0])
        except (ArithmeticError, ValueError):
            raise ValueError(self.unreadable_message()) from None
        if amount is None:
            return
        if amount.as_tuple().exponent < -2:
            raise ValueError(
                _(
                    "An amount has at most two digits for tiyn, like %(example)s.",
                    example=tenge_text(1_250_000_50),
                )
            )
        if abs(amount) >= self.MAX_TENGE:
            raise ValueError(_l("This amount is too large."))
        self.data = amount

    def process_data(self, value):
        # Objects hold tiyn; the field shows tenge. Views set it with set_tiyn.
        super().process_data(None if isinstance(value, int) else value)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return tenge_text(int((Decimal(self.data) * 100).to_integral_value()))

    @property
    def tiyn(self) -> int | None:
        if self.data is None:
            return None
        return int((Decimal(self.data) * 100).to_integral_value())

    def set_tiyn(self, value: int | None) -> None:
        self.data = None if value is None else Decimal(value) / 100


# The most rows a repeated section of a form (budget lines, milestones, ...) takes; a form
# with more is refused whole, with a message on the section.
MAX_ROWS = 100
# Stands for a row's index in the blank row a page's script copies (static/js/rows.js).
ROW_INDEX = "__index__"


class RowList(FieldList):
    """Repeated rows of a form, as many as are sent up to `max_rows`, with their indices as
    sent: a page's script adds rows with new indices and removes rows, leaving gaps ("budget-0",
    "budget-2", "budget-5" are three rows in that order). More rows than `max_rows` are an
    error of the whole section; reading stops one row past the bound, so a request stuffed
    with rows costs no more than that."""

    placeholder = ROW_INDEX

    def __init__(self, unbound_field, label=None, validators=None, max_rows=MAX_ROWS, **kwargs):
        super().__init__(unbound_field, label, validators, **kwargs)
        self.max_rows = max_rows

    def process(self, formdata, data=unset_value, extra_filters=None):
        # max_entries only while reading a request: FieldList would also refuse (assert) rows
        # given as objects, and blank rows appended to a full section afterwards.
        self.max_entries = self.max_rows + 1 if formdata else None
        try:
            super().process(formdata, data, extra_filters)
        finally:
            self.max_entries = None

    @property
    def too_many(self) -> bool:
        return len(self.entries) > self.max_rows

    @property
    def limit_error(self) -> str | None:
        """The section's own error (the rows' errors are on their fields)."""
        if not self.too_many:
            return None
        return _("This section can have at most %(max)d rows.", max=self.max_rows)

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.too_many:
            self.errors.append(self.limit_error)
            return False
        return valid

    def add_blank(self, count: int) -> None:
        """Up to `count` blank rows at the end, for more (never past the bound)."""
        for _i in range(min(count, self.max_rows - len(self.entries))):
            self.append_entry()

    @property
    def next_index(self) -> int:
        """The index a new row gets: after every index the page has."""
        return self.last_index + 1

    def blank_row(self):
        """A blank row whose names and ids carry ROW_INDEX for the index, rendered inside a
        <template> for the page's script to copy; not one of the form's rows."""
        options = {
            "name": f"{self.name}{self._separator}{ROW_INDEX}",
            "id": f"{self.id}{self._separator}{ROW_INDEX}",
            "_meta": self.meta,
            "translations": self._translations,
        }
        row = self.meta.bind_field(self._form, self.unbound_field, options)
        row.process(None)
        return row


class VersionForm(FlaskForm):
    """Carries the edited object's version, so a save based on an outdated page is refused."""

    version = HiddenField()
