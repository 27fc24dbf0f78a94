from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundtracker.blueprints.outcomes.forms import add_result_fields, cell_field_name
from fundtracker.web.forms import DateField, MoneyField, VersionForm


class RescheduleForm(VersionForm):
    due_date = DateField(_l("New due date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    submit = SubmitField(_l("Reschedule"))


class ReviewForm(VersionForm):
    comment = TextAreaField(_l("Comment to the grantee"), validators=[Optional()])
    approve_tranche = BooleanField(_l("Approve the linked tranche for payment"), default=True)
    accept = SubmitField(_l("Accept the milestone"))
    revise = SubmitField(_l("Request a revision"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[InputRequired(), Length(max=5000)])
    submit = SubmitField(_l("Post comment"))


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])
    reference = StringField(_l("Payment reference"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Record payment"))


def indicator_prefix(indicator) -> str:
    return f"ind{indicator.id}_"


def update_form_class(budget_lines, labels, indicators=(), region_names=None):
    """The update form has one spending field per budget line of the project, and the fields of
    one result per indicator: `indicators` is a list of (indicator, reporting periods)."""

    class UpdateForm(VersionForm):
        narrative = TextAreaField(_l("What was done in this period"), validators=[Optional()])
        progress = IntegerField(
            _l("Progress, %"), validators=[Optional(), NumberRange(min=0, max=100)]
        )
        beneficiaries = IntegerField(
            _l("People reached in the period"),
            validators=[Optional(), NumberRange(min=0, max=10_000_000)],
            description=_l("How many people benefited, in total; no names."),
        )
        evidence = MultipleFileField(
            _l("Evidence files"),
            description=_l("PDF, Word, Excel, JPEG or PNG; several files at once are fine."),
        )
        save = SubmitField(_l("Save draft"))
        submit = SubmitField(_l("Submit to the fund"))

    for line in budget_lines:
        label = (
            f"{labels[line.category]}: {line.description}"
            if line.description
            else labels[line.category]
        )
        setattr(
            UpdateForm,
            f"spending_{line.id}",
            MoneyField(label, validators=[Optional(), NumberRange(min=0)]),
        )
    for indicator, periods in indicators:
        add_result_fields(
            UpdateForm, indicator, periods, region_names or {}, indicator_prefix(indicator)
        )
    return UpdateForm


def fill_answer(form, data, prefix: str) -> None:
    """An indicator's fields filled with an answer (`outcomes.ResultData`)."""
    getattr(form, f"{prefix}period").data = data.period_start.isoformat()
    getattr(form, f"{prefix}value").data = data.value
    getattr(form, f"{prefix}explanation").data = data.explanation
    for dimension, cells in data.cells.items():
        for category, value in cells.items():
            field = getattr(form, cell_field_name(prefix, dimension, category), None)
            if field is not None:
                field.data = value
