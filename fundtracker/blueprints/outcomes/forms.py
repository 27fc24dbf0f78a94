from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from fundtracker.core.text import clean_line, clean_text
from fundtracker.models import Dimension, IndicatorResult, ProjectIndicator
from fundtracker.models.labels import (
    category_labels,
    dimension_labels,
    direction_labels,
    frequency_labels,
    indicator_type_labels,
)
from fundtracker.services import outcomes
from fundtracker.web.forms import DateField, MultiCheckboxField, VersionForm, choices, int_or_none

MAX_COUNT = 10_000_000


class StandardForm(VersionForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=32)],
        description=_l("Short and stable, e.g. RARE-TREATED."),
    )
    name_kk = StringField(
        _l("Name in Kazakh"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    definition_kk = TextAreaField(_l("Definition in Kazakh"), validators=[Optional()])
    definition_ru = TextAreaField(_l("Definition in Russian"), validators=[Optional()])
    definition_en = TextAreaField(_l("Definition in English"), validators=[Optional()])
    unit_kk = StringField(_l("Unit in Kazakh"), validators=[Optional(), Length(max=60)])
    unit_ru = StringField(_l("Unit in Russian"), validators=[Optional(), Length(max=60)])
    unit_en = StringField(_l("Unit in English"), validators=[Optional(), Length(max=60)])
    type = SelectField(_l("Type"), validators=[InputRequired()])
    area_id = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    domain_ids = MultiCheckboxField(
        _l("Child well-being domains"),
        coerce=int,
        validators=[Optional()],
        description=_l(
            "The domains of Kazakhstan's Child Well-Being Index this indicator informs: the "
            "portfolio and the board report group indicators by them."
        ),
    )
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))

    def fill_choices(self, areas, locale: str, domains=()) -> None:
        self.type.choices = choices(
            (t.value, label) for t, label in indicator_type_labels().items()
        )
        self.area_id.choices = choices(
            [("", _l("Any area"))] + [(a.id, a.name(locale)) for a in areas]
        )
        self.domain_ids.choices = [(d.id, d.name(locale)) for d in domains]


class IndicatorForm(VersionForm):
    standard_id = SelectField(
        _l("Standard indicator"),
        coerce=int_or_none,
        validators=[Optional()],
        description=_l("Link to the fund's library where one fits, so the portfolio adds it up."),
    )
    name = StringField(
        _l("Own name"),
        validators=[Optional(), Length(max=300)],
        filters=[clean_line],
        description=_l("Only when no standard indicator fits."),
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=60)])
    type = SelectField(_l("Type"), validators=[InputRequired()])
    baseline = IntegerField(
        _l("Baseline"), default=0, validators=[InputRequired(), NumberRange(min=0, max=MAX_COUNT)]
    )
    target = IntegerField(
        _l("Target"), validators=[InputRequired(), NumberRange(min=0, max=MAX_COUNT)]
    )
    direction = SelectField(_l("Direction"), validators=[InputRequired()])
    cumulative = BooleanField(
        _l("Cumulative: each period reports the total so far"),
        description=_l("Otherwise each period reports what happened in it."),
    )
    frequency = SelectField(_l("Reporting frequency"), validators=[InputRequired()])
    by_region = BooleanField(_l("Reported by region"))
    by_sex = BooleanField(_l("Reported by sex"))
    by_age = BooleanField(_l("Reported by age group (0-2, 3-6, 7-11, 12-17, 18+)"))
    submit = SubmitField(_l("Save"))

    def fill_choices(self, library, locale: str) -> None:
        self.standard_id.choices = choices(
            [("", _l("None: the project's own indicator"))]
            + [(s.id, f"{s.code} · {s.name(locale)}") for s in library]
        )
        self.type.choices = choices(
            (t.value, label) for t, label in indicator_type_labels().items()
        )
        self.direction.choices = choices(
            (d.value, label) for d, label in direction_labels().items()
        )
        self.frequency.choices = choices(
            (f.value, label) for f, label in frequency_labels().items()
        )


def cell_field_name(prefix: str, dimension: Dimension, category: str) -> str:
    safe = category.replace("+", "plus").replace("-", "_")
    return f"{prefix}{dimension.value}_{safe}"


def add_result_fields(form_cls, indicator, periods, region_names: dict, prefix: str = "") -> None:
    """Fields for one result of `indicator`: period, value, one per breakdown cell and an
    explanation. `prefix` keeps several indicators apart in one form (the milestone update)."""
    labels = category_labels()
    setattr(
        form_cls,
        f"{prefix}period",
        SelectField(
            _l("Period"),
            choices=choices(
                (start.isoformat(), outcomes.period_label(indicator.frequency, start))
                for start, _ in periods
            ),
            validators=[Optional()],
        ),
    )
    setattr(
        form_cls,
        f"{prefix}value",
        IntegerField(
            _l("Value for the period"),
            validators=[Optional(), NumberRange(min=0, max=MAX_COUNT)],
        ),
    )
    for dimension, cats in outcomes.categories(indicator).items():
        for category in cats:
            label = (
                region_names.get(category, category)
                if dimension == Dimension.REGION
                else (labels.get(category, category))
            )
            setattr(
                form_cls,
                cell_field_name(prefix, dimension, category),
                IntegerField(label, validators=[Optional(), NumberRange(min=0, max=MAX_COUNT)]),
            )
    setattr(
        form_cls,
        f"{prefix}explanation",
        TextAreaField(
            _l("Why a breakdown does not add up to the value"),
            validators=[Optional(), Length(max=2000)],
        ),
    )


def result_form_class(indicator, periods, region_names: dict, correcting: bool = False):
    class ResultForm(VersionForm):
        submit = SubmitField(_l("Report to the fund") if not correcting else _l("Save correction"))

    add_result_fields(ResultForm, indicator, periods, region_names)
    if correcting:
        ResultForm.reason = TextAreaField(
            _l("Reason for the correction"), validators=[InputRequired(), Length(max=2000)]
        )
    return ResultForm


class ReviewResultForm(VersionForm):
    comment = TextAreaField(_l("What should be checked"), validators=[Optional(), Length(max=2000)])
    verify = SubmitField(_l("Verify"))
    query = SubmitField(_l("Query"))


class LockForm(VersionForm):
    submit = SubmitField(_l("Lock the period"))


class LockPeriodsForm(FlaskForm):
    until = SelectField(_l("Lock every result of periods ending by"), validators=[InputRequired()])
    submit = SubmitField(_l("Lock the periods"))


class StoryForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200)], filters=[clean_line]
    )
    body = TextAreaField(
        _l("Story"),
        validators=[DataRequired(), Length(max=5000)],
        filters=[clean_text],
        description=_l("No names or diagnoses unless the person agreed in writing."),
    )
    consent = BooleanField(
        _l("Consent was given to publish this story (and its photo) in the fund's reports")
    )
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG or PNG. Camera data and location are removed on upload."),
    )
    submit = SubmitField(_l("Add story"))


class PortfolioFilterForm(FlaskForm):
    """The roll-up's filters: a GET form, so it carries no CSRF token. `period` is a published
    period (its key); staff may leave it empty for live figures over `start`-`end`. A protected
    audience gets no dates at all (`published_only`): no arbitrary range reaches it."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), validators=[Optional()], validate_choice=False)
    start = DateField(_l("Periods ending from"), validators=[Optional()])
    end = DateField(_l("to"), validators=[Optional()])
    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    indicator = SelectField(
        _l("Indicator for the regional chart"), coerce=int_or_none, validators=[Optional()]
    )

    def fill_choices(self, areas, regions, library, locale: str, periods=(), live=True) -> None:
        """`periods`: the published periods, newest first, as (key, label); `live`: the user may
        see live figures, offered first."""
        anything = ("", _l("All"))
        self.period.choices = choices(([("", _l("Live figures"))] if live else []) + list(periods))
        self.area.choices = choices([anything] + [(a.id, a.name(locale)) for a in areas])
        self.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])
        self.indicator.choices = choices(
            [("", _l("First in the list"))] + [(s.id, s.name(locale)) for s in library]
        )

    def published_only(self, default: str | None) -> None:
        """For a protected audience: no dates (whatever the address carries), and the period
        `default` (the latest published) when none is asked for."""
        del self.start
        del self.end
        if not self.period.data and default is not None:
            self.period.data = default

    def validate_period(self, field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(
                _l("No figures are published for this period: choose one from the list.")
            )


def result_data_from(form, indicator: ProjectIndicator, prefix: str = "") -> outcomes.ResultData:
    """A result's values as typed; a cell with an error or left empty is not reported."""
    try:
        start = date.fromisoformat(getattr(form, f"{prefix}period").data or "")
    except ValueError:
        start = date.min
    value_field = getattr(form, f"{prefix}value")
    cells: dict[Dimension, dict[str, int]] = {}
    for dimension, cats in outcomes.categories(indicator).items():
        for category in cats:
            f = getattr(form, cell_field_name(prefix, dimension, category))
            if f.data is not None and not f.errors:
                cells.setdefault(dimension, {})[category] = f.data
    return outcomes.ResultData(
        period_start=start,
        value=None if value_field.errors else value_field.data,
        cells=cells,
        explanation=getattr(form, f"{prefix}explanation").data or "",
    )


def fill_result_form(form, result: IndicatorResult, prefix: str = "") -> None:
    getattr(form, f"{prefix}period").data = result.period_start.isoformat()
    getattr(form, f"{prefix}value").data = result.value
    getattr(form, f"{prefix}explanation").data = result.explanation
    for cell in result.cells:
        f = getattr(form, cell_field_name(prefix, cell.dimension, cell.category), None)
        if f is not None:
            f.data = cell.value


def result_fields(form, indicator: ProjectIndicator, prefix: str = "") -> dict:
    """The form's fields for one result, grouped for the template."""
    dim_labels = dimension_labels()
    return {
        "period": getattr(form, f"{prefix}period"),
        "value": getattr(form, f"{prefix}value"),
        "explanation": getattr(form, f"{prefix}explanation"),
        "breakdowns": [
            (
                dim_labels[dimension.value],
                [getattr(form, cell_field_name(prefix, dimension, c)) for c in cats],
            )
            for dimension, cats in outcomes.categories(indicator).items()
        ],
    }


def default_period(indicator: ProjectIndicator, periods, today: date) -> str:
    current = outcomes.period_of(indicator.frequency, today)[0]
    starts = [s for s, _ in periods]
    return (current if current in starts else starts[-1]).isoformat() if starts else ""


class DomainForm(FlaskForm):
    """A child well-being domain (issue #21), kept by an admin."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=32)],
        filters=[clean_line],
        description=_l("Short and stable, e.g. HEALTH."),
    )
    name_kk = StringField(
        _l("Name in Kazakh"), validators=[Optional(), Length(max=200)], filters=[clean_line]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[Optional(), Length(max=200)], filters=[clean_line]
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), Length(max=200)], filters=[clean_line]
    )
    position = IntegerField(
        _l("Place in the list"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Lower comes first. Left empty, a new domain goes last."),
    )
    active = BooleanField(
        _l("In use"),
        default=True,
        description=_l(
            "A domain not in use is neither offered nor shown in the portfolio and the board "
            "report; its links to indicators are kept."
        ),
    )
    submit = SubmitField(_l("Save"))
