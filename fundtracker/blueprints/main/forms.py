from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from fundtracker.web.forms import LANGUAGE_CHOICES, choices


class LanguageForm(FlaskForm):
    language = SelectField(choices=choices(LANGUAGE_CHOICES), validators=[InputRequired()])
    next = HiddenField()
