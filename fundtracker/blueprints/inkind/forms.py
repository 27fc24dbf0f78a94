"""Forms of in-kind support."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundtracker.core.text import clean_line, clean_text
from fundtracker.services import inkind
from fundtracker.web.forms import DateField, MoneyField, VersionForm, int_or_none

QUANTITY = NumberRange(min=0, max=inkind.QUANTITY_MAX)


class ItemForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    name_kk = StringField(
        _l("Name in Kazakh"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    unit = StringField(
        _l("Unit"),
        validators=[InputRequired(), Length(max=inkind.UNIT_MAX)],
        filters=[clean_line],
        description=_l("What one is counted in: a pack, a piece, a set."),
    )
    unit_value = MoneyField(_l("Value of one unit, ₸"), validators=[InputRequired()])
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))


class PlanForm(FlaskForm):
    item_id = SelectField(_l("Item"), coerce=int_or_none, validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), QUANTITY])
    planned_on = DateField(_l("Planned delivery day"), validators=[InputRequired()])
    facility = StringField(
        _l("Receiving facility"),
        validators=[InputRequired(), Length(max=inkind.FACILITY_MAX)],
        filters=[clean_line],
        description=_l("The clinic, centre or school that receives it."),
    )
    region_id = SelectField(_l("Region"), coerce=int_or_none, validators=[InputRequired()])
    submit = SubmitField(_l("Plan the delivery"))


class DeliverForm(VersionForm):
    quantity = IntegerField(_l("Quantity delivered"), validators=[InputRequired(), QUANTITY])
    delivered_on = DateField(_l("Delivered on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the delivery"))


class ConfirmForm(VersionForm):
    quantity = IntegerField(
        _l("Quantity received"),
        validators=[InputRequired(), QUANTITY],
        description=_l("As counted on arrival; another quantity than delivered is a discrepancy."),
    )
    note = TextAreaField(
        _l("What is missing or wrong"),
        validators=[Optional(), Length(max=inkind.NOTE_MAX)],
        filters=[clean_text],
        description=_l("Needed when the quantity differs."),
    )
    evidence = MultipleFileField(
        _l("Evidence of receipt"),
        description=_l("The signed acceptance act or a photo: PDF, JPEG or PNG."),
    )
    submit = SubmitField(_l("Send"))


class ResolveForm(VersionForm):
    quantity = IntegerField(
        _l("Quantity received, as settled"), validators=[InputRequired(), QUANTITY]
    )
    resolution = TextAreaField(
        _l("How it was settled"),
        validators=[InputRequired(), Length(max=inkind.NOTE_MAX)],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Settle"))
