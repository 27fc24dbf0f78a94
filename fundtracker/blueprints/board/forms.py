"""Forms of the board of trustees' register."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundtracker.core.text import clean_line, clean_text
from fundtracker.services import board
from fundtracker.web.forms import DateField, MoneyField, VersionForm, int_or_none


class MeetingForm(VersionForm):
    number = StringField(
        _l("Meeting number"),
        validators=[InputRequired(), Length(max=board.NUMBER_MAX)],
        filters=[clean_line],
        description=_l("As the minutes number it, for example 7/2026."),
    )
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    location = StringField(
        _l("Place"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    submit = SubmitField(_l("Save"))


class HeldForm(VersionForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    members_total = IntegerField(
        _l("Members of the board"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    members_present = IntegerField(
        _l("Members present"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l("The board decides when more than half of its members are present."),
    )
    attendees = TextAreaField(
        _l("Those present"),
        validators=[Optional(), Length(max=board.ATTENDEES_MAX)],
        filters=[clean_text],
        description=_l("One name a line, as in the minutes."),
    )
    submit = SubmitField(_l("Record that the meeting was held"))


class ItemForm(FlaskForm):
    """One form for every kind of item; the page shows the fields of one kind at a time."""

    kind = HiddenField()
    application_id = SelectField(_l("Application"), coerce=int_or_none, validators=[Optional()])
    project_id = SelectField(_l("Project"), coerce=int_or_none, validators=[Optional()])
    tranche_id = SelectField(_l("Tranche"), coerce=int_or_none, validators=[Optional()])
    title = StringField(
        _l("Title"), validators=[Optional(), Length(max=board.TITLE_MAX)], filters=[clean_line]
    )
    amount = MoneyField(_l("Amount, ₸"), validators=[Optional()])
    end_date = DateField(_l("Proposed end date"), validators=[Optional()])
    notes = TextAreaField(
        _l("What is proposed"),
        validators=[Optional(), Length(max=board.NOTES_MAX)],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Put on the agenda"))


class DecisionForm(FlaskForm):
    number = StringField(
        _l("Decision number"),
        validators=[InputRequired(), Length(max=board.NUMBER_MAX)],
        filters=[clean_line],
    )
    outcome = SelectField(_l("Decision"), validators=[InputRequired()])
    amount = MoneyField(
        _l("Amount approved, ₸"),
        validators=[Optional()],
        description=_l("The most the board approved; empty: the amount put to it."),
    )
    text_kk = TextAreaField(_l("Text in Kazakh"), validators=[Optional()], filters=[clean_text])
    text_ru = TextAreaField(_l("Text in Russian"), validators=[Optional()], filters=[clean_text])
    text_en = TextAreaField(_l("Text in English"), validators=[Optional()], filters=[clean_text])
    submit = SubmitField(_l("Record the decision"))


class ThresholdsForm(FlaskForm):
    award = MoneyField(
        _l("Awards that need the board, from ₸"),
        validators=[Optional()],
        description=_l("Approving an application for this amount or more waits for the board."),
    )
    tranche = MoneyField(
        _l("Tranches that need the board, from ₸"),
        validators=[Optional()],
        description=_l(
            "Approving a tranche of this amount or more for payment waits for the board."
        ),
    )
    submit = SubmitField(_l("Save"))
