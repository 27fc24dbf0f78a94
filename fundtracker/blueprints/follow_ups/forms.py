"""The follow-up's forms: the grantee's answers (with a field per breakdown cell, named as the
outcome results' are), the officer's review, and the admin's schedule per programme area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from fundtracker.blueprints.outcomes.forms import cell_field_name
from fundtracker.models import Dimension
from fundtracker.models.labels import category_labels
from fundtracker.services import follow_ups
from fundtracker.web.forms import DateField, VersionForm, choices


def answer_form_class(project, region_names: dict):
    """The answers' form for `project`: its regions, the sexes and the age groups."""

    class AnswerForm(VersionForm):
        still_running = SelectField(
            _l("Is the service still running?"),
            choices=choices([("", "—"), ("yes", _l("Yes")), ("no", _l("No"))]),
            validators=[Optional()],
        )
        people_served = IntegerField(
            _l("People the service reached in the last year"),
            validators=[Optional(), NumberRange(min=0, max=follow_ups.MAX_COUNT)],
        )
        stopped_on = DateField(_l("If not: when did it stop?"), validators=[Optional()])
        stopped_why = TextAreaField(
            _l("If not: why did it stop?"), validators=[Optional(), Length(max=2000)]
        )
        story = TextAreaField(
            _l("A story: what the service changed for someone (optional)"),
            validators=[Optional(), Length(max=5000)],
        )
        submit = SubmitField(_l("Submit to the fund"))

    labels = category_labels()
    for dimension, cats in follow_ups.categories(project).items():
        for category in cats:
            label = (
                region_names.get(category, category)
                if dimension == Dimension.REGION
                else labels.get(category, category)
            )
            setattr(
                AnswerForm,
                cell_field_name("", dimension, category),
                IntegerField(
                    label,
                    validators=[Optional(), NumberRange(min=0, max=follow_ups.MAX_COUNT)],
                ),
            )
    return AnswerForm


class ReviewForm(VersionForm):
    comment = TextAreaField(
        _l("Comment to the organisation"), validators=[Optional(), Length(max=2000)]
    )
    accept = SubmitField(_l("Accept the follow-up"))
    send_back = SubmitField(_l("Return for changes"))


def schedule_form_class(areas, locale: str):
    class ScheduleForm(FlaskForm):
        submit = SubmitField(_l("Save"))

    for area in areas:
        setattr(
            ScheduleForm,
            f"months_{area.id}",
            StringField(
                area.name(locale),
                description=_l("Months after closing, separated by commas, e.g. 6, 12, 24."),
                validators=[Length(max=40)],
            ),
        )
    return ScheduleForm
