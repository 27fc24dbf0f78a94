from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from fundtracker.web.forms import LANGUAGE_CHOICES, choices, int_or_none

QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}
LONGEST_PERIOD_DAYS = 366 * 20


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


class BoardReportForm(FlaskForm):
    period = RadioField(
        _l("Period"),
        choices=choices([("quarter", _l("Quarter")), ("year", _l("Year")), ("dates", _l("Dates"))]),
        default="quarter",
        validators=[InputRequired(_l("Choose a period."))],
    )
    year = IntegerField(
        _l("Year"),
        validators=[Optional(), NumberRange(2000, 2100, _l("Give a year between 2000 and 2100."))],
    )
    quarter = SelectField(
        _l("Quarter"),
        coerce=int_or_none,
        choices=choices([(q, _l("Q%(n)s", n=q)) for q in QUARTERS]),
        validators=[Optional()],
    )
    start = DateField(_l("Start date"), validators=[Optional()])
    end = DateField(_l("End date"), validators=[Optional()])
    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    language = SelectField(
        _l("Language of the report"),
        choices=choices(LANGUAGE_CHOICES),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Build the board report"))

    def fill_choices(self, areas, regions, locale: str) -> None:
        anything = ("", _l("All"))
        self.area.choices = choices([anything] + [(a.id, a.name(locale)) for a in areas])
        self.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])

    def dates(self) -> tuple[date, date] | None:
        """The period's first and last days; None (with the reason on a field) if it is unclear."""
        kind = self.period.data
        if kind in ("quarter", "year"):
            if not self.year.data:
                self.year.errors = [*self.year.errors, _l("Give the year.")]
                return None
            if kind == "year":
                return date(self.year.data, 1, 1), date(self.year.data, 12, 31)
            if not self.quarter.data:
                self.quarter.errors = [*self.quarter.errors, _l("Choose the quarter.")]
                return None
            first, last = QUARTERS[self.quarter.data]
            return date(self.year.data, first, 1), _month_end(self.year.data, last)
        if not self.start.data or not self.end.data:
            field = self.start if not self.start.data else self.end
            field.errors = [*field.errors, _l("Give both dates.")]
            return None
        if self.end.data < self.start.data:
            self.end.errors = [*self.end.errors, _l("The period ends before it starts.")]
            return None
        if (self.end.data - self.start.data).days > LONGEST_PERIOD_DAYS:
            self.end.errors = [*self.end.errors, _l("A report covers at most 20 years.")]
            return None
        return self.start.data, self.end.data


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
