from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from fundtracker.core.i18n import format_d
from fundtracker.core.time import local_day
from fundtracker.disclosure import grid
from fundtracker.web.forms import LANGUAGE_CHOICES, choices, int_or_none


def period_choice(publication) -> tuple[str, str]:
    """A published period as the form offers it: "2025 Q4 · published 4 Dec 2026"."""
    return (
        publication.period,
        _(
            "%(period)s · published %(date)s",
            period=grid.parse(publication.period).label(),
            date=format_d(local_day(publication.published_at)),
        ),
    )


class BoardReportForm(FlaskForm):
    """A board report is about one published period: its outcome figures are that period's
    published tables, and its money and milestone figures cover the same dates."""

    period = SelectField(
        _l("Published period"),
        validators=[InputRequired(_l("Choose a published period."))],
        # Checked against the publications by the view, with this form's own message.
        validate_choice=False,
        description=_l(
            "Outcome figures leave the fund only for periods the fund has published: a quarter, "
            "a half-year or a year."
        ),
    )
    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    language = SelectField(
        _l("Language of the report"),
        choices=choices(LANGUAGE_CHOICES),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Build the board report"))

    def fill_choices(self, areas, regions, locale: str, published) -> None:
        """`published`: the publications, newest first (the first is the default)."""
        anything = ("", _l("All"))
        self.period.choices = choices([period_choice(p) for p in published])
        self.area.choices = choices([anything] + [(a.id, a.name(locale)) for a in areas])
        self.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])

    def refuse_period(self) -> None:
        """The period asked for is not (or no longer) a published one."""
        self.period.errors = [*self.period.errors, _l("Choose a published period.")]

    @property
    def can_submit(self) -> bool:
        """Nothing can be asked for while no period is published."""
        return bool(self.period.choices)


class ProjectReportForm(FlaskForm):
    project = SelectField(
        _l("Project"), coerce=int_or_none, validators=[InputRequired(_l("Choose a project."))]
    )
    language = SelectField(
        _l("Language of the report"),
        choices=choices(LANGUAGE_CHOICES),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Build the project report"))
