"""Form pieces shared by several blueprints."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


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


class MoneyField(DecimalField):
    """An amount in tenge as people type it ("1 250 000,50" or "1250000.50"); `tiyn` gives the
    integer the models store."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            cleaned = re.sub(r"[\s\u00a0\u202f₸]", "", valuelist[0] or "").replace(",", ".")
            valuelist = [cleaned]
        super().process_formdata(valuelist)

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
