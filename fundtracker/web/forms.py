"""Form pieces shared by several blueprints."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import TextInput

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


class MoneyField(_OneMessage, DecimalField):
    """An amount in tenge as people type it ("1 250 000,50" or "1250000.50"); `tiyn` gives the
    integer the models store."""

    # A text box, not type=number: people type spaces between thousands and a decimal comma.
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        kwargs.setdefault(
            "invalid_value_message",
            _l("Enter an amount in tenge, like 1 250 000 or 1 250 000,50."),
        )
        super().__init__(label, validators, **kwargs)

    # Above any grant the fund makes, well inside a 64-bit count of tiyn.
    MAX_TENGE = Decimal(10) ** 12

    def process_formdata(self, valuelist):
        if valuelist:
            cleaned = re.sub(r"[\s\u00a0\u202f₸]", "", valuelist[0] or "").replace(",", ".")
            valuelist = [cleaned]
        super().process_formdata(valuelist)
        if not valuelist or self.data is None:
            return
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter an amount in tenge, like 1 250 000 or 1 250 000,50."))
        if self.data.as_tuple().exponent < -2:
            self.data = None
            raise ValueError(_l("An amount has at most two digits after the comma (tiyn)."))
        if abs(self.data) >= self.MAX_TENGE:
            self.data = None
            raise ValueError(_l("This amount is too large."))

    def process_data(self, value):
        # Objects hold tiyn; the field shows tenge. Views set it with set_tiyn.
        super().process_data(None if isinstance(value, int) else value)

    @property
    def tiyn(self) -> int | None:
        if self.data is None:
            return None
        return int((Decimal(self.data) * 100).to_integral_value())

    def set_tiyn(self, value: int | None) -> None:
        self.data = None if value is None else Decimal(value) / 100


class VersionForm(FlaskForm):
    """Carries the edited object's version, so a save based on an outdated page is refused."""

    version = HiddenField()
