from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SubmitField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundtracker.core.text import clean_line
from fundtracker.web.forms import choices


class SettingsForm(FlaskForm):
    email_delivery = RadioField(
        _l("Emails about notifications"),
        choices=choices(
            [
                ("immediate", _l("An email for each notification, as it happens")),
                ("daily", _l("One daily digest at 09:00 (Almaty time)")),
            ]
        ),
        validators=[InputRequired(message=_l("Choose immediate emails or a daily digest."))],
    )
    submit = SubmitField(_l("Save"))


class RuleForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    days = IntegerField(
        _l("Days"),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=0, max=365),
        ],
        description=_l(
            "Before the due date (0: on the day), after it for an overdue reminder, after the "
            "reviewer's assignment for an application not yet scored, or the day of the week "
            "(0 Monday … 6 Sunday) for the weekly digest."
        ),
    )
    send_time = TimeField(
        _l("Time of day (Almaty)"),
        validators=[InputRequired(message=_l("Enter a time like 09:00."))],
    )
    to_grantee = BooleanField(_l("To the grantee's people"))
    to_officer = BooleanField(
        _l("To the responsible officer"),
        description=_l(
            "Milestone reminders only: the weekly digest goes to officers and the reminder to "
            "score an application to its reviewers."
        ),
    )
    grace_days = IntegerField(
        _l("Skip if late by more than (days)"),
        default=2,
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=0, max=30),
        ],
        description=_l(
            "After the scheduler was down, a reminder missed by more than this is skipped "
            "rather than sent late."
        ),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class NotificationFilterForm(FlaskForm):
    """The filters of a user's notifications: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)], filters=[clean_line])
    unread = BooleanField(_l("Unread only"), false_values=(False, "false", "", "0", "no"))
