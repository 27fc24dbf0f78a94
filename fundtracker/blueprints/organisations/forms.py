from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from fundtracker.core.text import clean_line
from fundtracker.web.forms import language_field


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=255)], filters=[clean_line]
    )
    bin = StringField(
        _l("BIN"),
        validators=[InputRequired(), Length(min=12, max=14)],
        description=_l("Business identification number: 12 digits."),
    )
    region_id = SelectField(_l("Region"), coerce=int, validators=[InputRequired()])
    address = StringField(
        _l("Address"), validators=[Optional(), Length(max=500)], filters=[clean_line]
    )
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=200)], filters=[clean_line]
    )
    contact_email = EmailField(
        _l("Contact email"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = TelField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    iban = StringField(
        _l("IBAN"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "The account the fund pays to. A grantee's payment request must name this one."
        ),
    )
    bic = StringField(_l("Bank's BIC"), validators=[Optional(), Length(max=11)])
    kbe = StringField(_l("Beneficiary code (KBe)"), validators=[Optional(), Length(max=2)])
    submit = SubmitField(_l("Save"))


class InviteMemberForm(FlaskForm):
    """A manager invites a colleague (services.members)."""

    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[clean_line]
    )
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    locale = language_field(_l("Language of the invitation"))
    submit = SubmitField(_l("Invite"))
