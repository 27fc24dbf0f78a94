from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from fundtracker.core.i18n import format_d
from fundtracker.core.text import clean_line
from fundtracker.models import BudgetCategory, Project
from fundtracker.models.labels import budget_category_labels
from fundtracker.services.projects import SORT_KEYS
from fundtracker.web.forms import (
    SUMMARIES,
    DateField,
    MoneyField,
    VersionForm,
    choices,
    int_or_none,
    text_fields,
    title_fields,
)


class ProjectFilterForm(FlaskForm):
    """The list's filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    officer = SelectField(_l("Officer"), coerce=int_or_none, validators=[Optional()])
    sort = SelectField(_l("Sort by"), default="code", validators=[Optional()])
    order = SelectField(_l("Order"), default="asc", validators=[Optional()])

    def fill_choices(self, areas, regions, officers, status_labels, locale: str) -> None:
        anything = ("", _l("All"))
        self.area.choices = choices([anything] + [(a.id, a.name(locale)) for a in areas])
        self.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])
        self.status.choices = choices(
            [anything] + [(s.value, label) for s, label in status_labels.items()]
        )
        self.officer.choices = choices([anything] + [(u.id, u.name) for u in officers])
        sort_labels = {
            "code": _l("Code"),
            "title": _l("Title"),
            "organisation": _l("Organisation"),
            "amount": _l("Amount"),
            "start": _l("Start date"),
            "end": _l("End date"),
            "status": _l("Status"),
        }
        self.sort.choices = choices((key, sort_labels[key]) for key in SORT_KEYS)
        self.order.choices = choices([("asc", _l("Ascending")), ("desc", _l("Descending"))])


class ProjectEditForm(VersionForm):
    """A project's details; the end date and the award change only by an amendment."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=32)])
    title_kk, title_ru, title_en = title_fields()
    summary_kk, summary_ru, summary_en = text_fields(SUMMARIES)
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    area_id = SelectField(_l("Programme area"), coerce=int, validators=[InputRequired()])
    region_ids = SelectMultipleField(_l("Regions"), coerce=int, validators=[InputRequired()])
    officer_id = SelectField(_l("Responsible officer"), coerce=int_or_none, validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    agreement_signed_on = DateField(
        _l("Agreement signed on"),
        validators=[Optional()],
        description=_l(
            "The project appears on the public transparency page and in the open data once its "
            "agreement is signed, unless an administrator marks it confidential."
        ),
    )
    submit = SubmitField(_l("Save"))

    def fill_choices(self, organisations, areas, regions, officers, locale: str) -> None:
        self.organisation_id.choices = choices((o.id, o.name) for o in organisations)
        self.area_id.choices = choices((a.id, a.name(locale)) for a in areas)
        self.region_ids.choices = choices((r.id, r.name(locale)) for r in regions)
        self.officer_id.choices = choices([("", "—")] + [(u.id, u.name) for u in officers])


class ProjectForm(ProjectEditForm):
    """A new project."""

    end_date = DateField(_l("End date"), validators=[InputRequired()])
    awarded_amount = MoneyField(_l("Awarded amount, ₸"), validators=[InputRequired()])


class AmendmentForm(VersionForm):
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    awarded_amount = MoneyField(_l("Awarded amount, ₸"), validators=[InputRequired()])
    board_decision = SelectField(
        _l("Board decision"),
        coerce=int_or_none,
        validators=[InputRequired()],
        description=_l(
            "The decision of the board of trustees' register that approved this amendment."
        ),
    )
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the amendment"))


class StatusForm(VersionForm):
    status = SelectField(_l("New status"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    submit = SubmitField(_l("Change status"))


class MilestoneForm(VersionForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=300)], filters=[clean_line]
    )
    due_date = DateField(_l("Due date"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    deliverables = TextAreaField(_l("Expected deliverables"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class TrancheForm(VersionForm):
    amount = MoneyField(_l("Amount, ₸"), validators=[InputRequired()])
    planned_date = DateField(_l("Planned payment date"), validators=[InputRequired()])
    milestone_id = SelectField(
        _l("Unlocked by milestone"),
        coerce=int_or_none,
        validators=[Optional()],
        description=_l("The tranche is paid only after this milestone is accepted."),
    )
    submit = SubmitField(_l("Save"))


class BudgetLineForm(VersionForm):
    category = SelectField(_l("Category"), validators=[InputRequired()])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
    amount = MoneyField(_l("Amount, ₸"), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class DocumentForm(FlaskForm):
    file = FileField(_l("Document"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


def tranche_form(project: Project, obj=None) -> TrancheForm:
    form = TrancheForm(obj=obj)
    form.milestone_id.choices = choices(
        [("", "—")] + [(m.id, f"{m.title} ({format_d(m.due_date)})") for m in project.milestones]
    )
    return form


def budget_line_form(obj=None) -> BudgetLineForm:
    form = BudgetLineForm(obj=obj)
    labels = budget_category_labels()
    form.category.choices = choices((c.value, labels[c]) for c in BudgetCategory)
    return form
