"""The forms of calls, registration, applications, screening, reviews and decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional

from fundtracker.core.i18n import LANGUAGES, current_locale
from fundtracker.core.text import clean_line, clean_text
from fundtracker.models import BeneficiaryCategory, BudgetCategory
from fundtracker.models.labels import budget_category_labels
from fundtracker.services.applications import BudgetLineData, IndicatorPlan, MilestonePlan
from fundtracker.services.calls import CriterionData
from fundtracker.services.decisions import ProjectTexts
from fundtracker.services.reviews import screening_items
from fundtracker.web.forms import (
    DESCRIPTIONS,
    LANGUAGE_CHOICES,
    SUMMARIES,
    DateField,
    MoneyField,
    RowList,
    VersionForm,
    choices,
    text_fields,
    title_fields,
)

ELIGIBILITY = (
    _l("Eligibility criteria in Kazakh"),
    _l("Eligibility criteria in Russian"),
    _l("Eligibility criteria in English"),
)
DOCUMENTS = (
    _l("Documents to attach, in Kazakh"),
    _l("Documents to attach, in Russian"),
    _l("Documents to attach, in English"),
)
CRITERION_NAMES = (
    _l("Criterion in Kazakh"),
    _l("Criterion in Russian"),
    _l("Criterion in English"),
)


class CriterionRow(Form):
    name_kk, name_ru, name_en = title_fields(CRITERION_NAMES)
    weight = IntegerField(_l("Weight"), validators=[Optional(), NumberRange(min=1, max=100)])

    def to_data(self) -> CriterionData:
        return CriterionData(
            name_kk=self.name_kk.data or "",
            name_ru=self.name_ru.data or "",
            name_en=self.name_en.data or "",
            weight=self.weight.data or 0,
        )


class CallForm(VersionForm):
    area_id = SelectField(_l("Programme area"), coerce=int, validators=[InputRequired()])
    title_kk, title_ru, title_en = title_fields()
    description_kk, description_ru, description_en = text_fields(DESCRIPTIONS)
    eligibility_kk, eligibility_ru, eligibility_en = text_fields(ELIGIBILITY)
    opens_on = DateField(_l("Opens on"), validators=[InputRequired()])
    opens_time = TimeField(_l("at (Astana time)"), validators=[InputRequired()])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired()])
    closes_time = TimeField(_l("at (Astana time)"), validators=[InputRequired()])
    budget_envelope = MoneyField(_l("Budget envelope, ₸"), validators=[InputRequired()])
    max_request = MoneyField(_l("Maximum request, ₸"), validators=[InputRequired()])
    required_documents_kk, required_documents_ru, required_documents_en = text_fields(DOCUMENTS)
    criteria = RowList(FormField(CriterionRow), _l("Scoring criteria"))
    submit = SubmitField(_l("Save"))


class CallStatusForm(FlaskForm):
    status = StringField(validators=[InputRequired()])


class RegistrationForm(FlaskForm):
    name = StringField(_l("Organisation's name"), validators=[InputRequired(), Length(max=255)])
    bin = StringField(
        _l("BIN"),
        validators=[InputRequired(), Length(min=12, max=14)],
        description=_l("Business identification number: 12 digits."),
    )
    region_id = SelectField(_l("Region"), coerce=int, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    contact_name = StringField(_l("Contact person"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Register"))


def _category_choices():
    return choices((c.value, label) for c, label in budget_category_labels().items())


class BudgetRow(Form):
    category = SelectField(_l("Category"), choices=_category_choices(), validators=[Optional()])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
    amount = MoneyField(_l("Amount, ₸"), validators=[Optional(), NumberRange(min=0)])

    def to_data(self) -> BudgetLineData | None:
        """The line, or None when it has no valid amount."""
        if self.amount.errors or self.amount.tiyn is None:
            return None
        try:
            category = BudgetCategory(self.category.data)
        except ValueError:
            category = BudgetCategory.OTHER
        return BudgetLineData(category, self.amount.tiyn, self.description.data or "")


class MilestoneRow(Form):
    title = StringField(
        _l("Milestone"), validators=[Optional(), Length(max=300)], filters=[clean_line]
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])
    tranche = MoneyField(_l("Tranche, ₸"), validators=[Optional(), NumberRange(min=0)])

    def to_data(self) -> MilestonePlan | None:
        """The milestone, or None without a title or a valid due date (a tranche with a
        mistake counts as none)."""
        title = self.title.data or ""
        if not title.strip() or not self.due_date.data or self.due_date.errors:
            return None
        tranche = 0 if self.tranche.errors else (self.tranche.tiyn or 0)
        return MilestonePlan(title=title, due_date=self.due_date.data, tranche_amount=tranche)


class IndicatorRow(Form):
    name = StringField(_l("Indicator"), validators=[Optional(), Length(max=300)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=60)])
    baseline = IntegerField(_l("Baseline"), validators=[Optional(), NumberRange(min=0)])
    target = IntegerField(_l("Target"), validators=[Optional(), NumberRange(min=0)])

    def to_data(self) -> IndicatorPlan | None:
        """The indicator, or None without a name or a valid target (a baseline with a mistake
        counts as 0)."""
        name = self.name.data or ""
        if not name.strip() or self.target.data is None or self.target.errors:
            return None
        return IndicatorPlan(
            name=name,
            unit=self.unit.data or "",
            baseline=0 if self.baseline.errors else (self.baseline.data or 0),
            target=self.target.data,
        )


def beneficiary_labels() -> dict:
    return {
        BeneficiaryCategory.CHILDREN: _l("Children"),
        BeneficiaryCategory.CHILDREN_RARE_DISEASES: _l("Children with rare diseases"),
        BeneficiaryCategory.CHILDREN_AUTISM: _l("Children with autism spectrum disorder"),
        BeneficiaryCategory.PEOPLE_WITH_DISABILITIES: _l("People with disabilities"),
        BeneficiaryCategory.FAMILIES: _l("Families"),
        BeneficiaryCategory.STUDENTS: _l("Pupils and students"),
        BeneficiaryCategory.SPECIALISTS: _l("Specialists trained"),
        BeneficiaryCategory.OTHER: _l("Other people"),
    }


def application_form_class():
    class ApplicationForm(VersionForm):
        title = StringField(
            _l("Project title"), validators=[Optional(), Length(max=300)], filters=[clean_line]
        )
        summary = TextAreaField(
            _l("Summary"), validators=[Optional(), Length(max=10000)], filters=[clean_text]
        )
        start_date = DateField(_l("Start date"), validators=[Optional()])
        end_date = DateField(_l("End date"), validators=[Optional()])
        region_ids = SelectMultipleField(_l("Regions"), coerce=int, validators=[Optional()])
        budget = RowList(FormField(BudgetRow), _l("Budget"))
        milestones = RowList(FormField(MilestoneRow), _l("Milestones"))
        indicators = RowList(FormField(IndicatorRow), _l("Outcome indicators"))
        attachment = FileField(
            _l("Attach a file"), description=_l("PDF, Word, Excel, JPEG or PNG.")
        )
        document = SelectField(_l("This file is"), validators=[Optional()])
        save = SubmitField(_l("Save draft"))
        submit = SubmitField(_l("Submit to the fund"))

    for category, label in beneficiary_labels().items():
        setattr(
            ApplicationForm,
            f"people_{category.value}",
            IntegerField(label, validators=[Optional(), NumberRange(min=0, max=10_000_000)]),
        )
    return ApplicationForm


def _with_checklist(form_class):
    """A checkbox for each item of the screening checklist (`reviews.screening_items`, its one
    definition), named by the item's key."""
    for key, label in screening_items().items():
        setattr(form_class, key, BooleanField(label))
    return form_class


@_with_checklist
class ScreenForm(FlaskForm):
    comment = TextAreaField(_l("Comment to the applicant"), validators=[Optional()])
    eligible = SubmitField(_l("Eligible"))
    send_back = SubmitField(_l("Return for changes"))
    reject = SubmitField(_l("Reject as ineligible"))

    def fill(self, screening: dict | None) -> None:
        """Tick what the application's last screening ticked."""
        for key in screening_items():
            self[key].data = bool((screening or {}).get(key))

    def checks(self) -> dict[str, bool]:
        return {key: self[key].data for key in screening_items()}

    def decision(self) -> str:
        """The button pressed, in the words of `reviews.screen`; "" for none."""
        if self.eligible.data:
            return "eligible"
        if self.send_back.data:
            return "return"
        return "reject" if self.reject.data else ""


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


PROJECT_TEXT_FIELDS = tuple(
    f"{kind}_{language}" for kind in ("title", "summary") for language in LANGUAGES
)


def decision_form_class(milestones):
    class DecisionForm(FlaskForm):
        awarded_amount = MoneyField(_l("Awarded amount, ₸"), validators=[Optional()])
        agreement_number = StringField(
            _l("Agreement number"), validators=[Optional(), Length(max=40)]
        )
        code = StringField(_l("Project code"), validators=[Optional(), Length(max=32)])
        agreement_signed_on = DateField(
            _l("Agreement signed on"),
            validators=[Optional()],
            description=_l(
                "Leave it empty if the agreement is not signed yet: the project is published "
                "on the transparency page once it is (set it later on the project's edit page)."
            ),
        )
        title_kk, title_ru, title_en = title_fields()
        summary_kk, summary_ru, summary_en = text_fields(SUMMARIES)
        confirm_unscored = BooleanField(_l("Approve although not every reviewer has scored"))
        comment = TextAreaField(_l("Comment to the applicant"), validators=[Optional()])
        preview = SubmitField(_l("Preview"))
        approve = SubmitField(_l("Approve and create the project"))
        send_back = SubmitField(_l("Return for changes"))
        reject = SubmitField(_l("Reject"))

        def tranches(self) -> dict[int, int]:
            """The tranches the officer typed, by milestone id."""
            amounts = {m.id: self[f"tranche_{m.id}"].tiyn for m in milestones}
            return {mid: amount for mid, amount in amounts.items() if amount is not None}

        def texts(self) -> ProjectTexts:
            """The project's titles and summaries as typed."""
            return ProjectTexts(**{name: self[name].data or "" for name in PROJECT_TEXT_FIELDS})

        def fill_texts(self, texts: ProjectTexts) -> None:
            for name in PROJECT_TEXT_FIELDS:
                self[name].data = getattr(texts, name)

    for m in milestones:
        setattr(
            DecisionForm,
            f"tranche_{m.id}",
            MoneyField(m.title, validators=[Optional(), NumberRange(min=0)]),
        )
    return DecisionForm


class DeclareForm(FlaskForm):
    note = TextAreaField(
        _l("If you have a conflict of interest, describe it"), validators=[Optional()]
    )
    no_conflict = SubmitField(_l("I have no conflict of interest"))
    conflict = SubmitField(_l("I have a conflict of interest"))


def score_form_class(criteria):
    """Each criterion's score and comment, labelled with its name in the user's language."""

    class ScoreForm(FlaskForm):
        submit = SubmitField(_l("Submit scores"))

    locale = current_locale()
    for c in criteria:
        setattr(
            ScoreForm,
            f"score_{c.id}",
            SelectField(
                c.label(locale),
                coerce=lambda v: int(v) if v not in (None, "") else None,
                choices=choices([("", "—")] + [(n, str(n)) for n in range(1, 6)]),
                validators=[Optional()],
            ),
        )
        setattr(ScoreForm, f"comment_{c.id}", TextAreaField(_l("Comment"), validators=[Optional()]))
    return ScoreForm
