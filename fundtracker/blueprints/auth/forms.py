from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(min=10, max=1024)],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    submit = SubmitField(_l("Change password"))


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField(_l("Save password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResendConfirmationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send the link again"))


class ConfirmEmailForm(FlaskForm):
    submit = SubmitField(_l("Confirm my email address"))


# Two-factor sign-in ---------------------------------------------------------------------------


class SecondStepForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=40)],
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Continue"))


class TotpConfirmForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[InputRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on"))


class PasskeyForm(FlaskForm):
    name = StringField(
        _l("Name of the passkey"),
        validators=[InputRequired(), Length(max=60)],
        description=_l("So that you can tell your passkeys apart, e.g. “Laptop”."),
    )


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))
