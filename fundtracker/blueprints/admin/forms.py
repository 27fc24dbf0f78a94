from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from fundtracker.web.forms import choices, int_or_none, language_field


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int_or_none,
        description=_l("Only for grantees: the organisation they work for."),
    )
    org_manager = BooleanField(
        _l("Manages the organisation's people"),
        description=_l(
            "Only for grantees: invites and removes colleagues. The first account of an "
            "organisation is a manager."
        ),
    )
    locale = language_field(_l("Preferred language"))
    submit = SubmitField(_l("Save"))

    def fill_choices(self, role_labels: dict, organisations) -> None:
        self.role.choices = choices((role.value, label) for role, label in role_labels.items())
        self.organisation_id.choices = choices(
            [("", "—")] + [(o.id, o.name) for o in organisations]
        )
