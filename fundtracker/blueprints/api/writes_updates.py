"""A grantee's milestone update through the API (scope "write-updates"): the same use case as
the milestone's page (`services.milestones.save_and_submit`), with the same rule
(`permissions.can_report_on`: the organisation's own grantees, on a running project), the same
checks of evidence files (`services.files`, `services.uploads`) and the same workflow (events,
notifications to the officer).

    GET  /api/v1/milestones/{id}/update           the update as the page's form holds it
    PUT  /api/v1/milestones/{id}/update           save the draft (narrative, figures, spending,
                                                  indicator results with their breakdowns)
    POST /api/v1/milestones/{id}/update/evidence  add one evidence file (multipart/form-data)
    POST /api/v1/milestones/{id}/update/submit    submit the draft to the fund

Every write answers the update as GET does, with its new `version`: the next write sends it
back (optimistic concurrency, as the page's hidden field: 409 when someone saved meanwhile).
Unlike the page, which keeps a draft whatever part of it is wrong (a person would lose what
they typed), a request here is all or nothing: any refusal rolls the whole request back and
says why, field by field, and the integrator sends it again corrected."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    MAX_ID,
    localized_field,
    money,
    money_field,
    scoped_blueprint,
)
from fundtracker.blueprints.api.indicators import indicator_data
from fundtracker.blueprints.api.milestones import can_view_milestone
from fundtracker.blueprints.api.writes_common import NO_NUL, Text, one_commit
from fundtracker.blueprints.outcomes.forms import MAX_COUNT
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import (
    BudgetCategory,
    Dimension,
    Milestone,
    MilestoneStatus,
    UpdateStatus,
)
from fundtracker.models.api_tokens import SCOPE_WRITE_UPDATES
from fundtracker.services import files, milestone_page, milestones, outcomes, overview
from fundtracker.web import load_or_404
from fundtracker.web.forms import MoneyField

blp = scoped_blueprint(
    "api_updates",
    __name__,
    "A grantee's milestone update: the draft, its evidence files, its submission "
    '(scope "write-updates")',
    SCOPE_WRITE_UPDATES,
)

MAX_TIYN = int(MoneyField.MAX_TENGE) * 100  # the web form's largest amount
MAX_NARRATIVE = 100_000
DIMENSIONS = [d.value for d in Dimension]
# The service's names of a result's fields, as this API names them.
RESULT_FIELDS = {"period": "period_start", "value": "value", "explanation": "explanation"}


# Schemas -----------------------------------------------------------------------------------------


class ReportingPeriodSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    label = fields.String(required=True, metadata={"description": "E.g. 2026 Q3."})


def _cells_field(dimension: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Integer(validate=validate.Range(0, MAX_COUNT)),
        metadata={"description": f"Counts per category of the breakdown by {dimension}."},
    )


class ResultBreakdownsSchema(Schema):
    region = _cells_field("region (the project's regions' ISO 3166-2 codes)")
    sex = _cells_field("sex (female, male)")
    age = _cells_field("age group (0-2, 3-6, 7-11, 12-17, 18+)")


def _breakdowns_field(**kwargs) -> fields.Nested:
    return fields.Nested(
        ResultBreakdownsSchema,
        metadata={
            "description": (
                "Counts per breakdown and category, e.g. "
                '`{"sex": {"female": 12, "male": 9}, "region": {"KZ-71": 21}}`; the '
                "categories are the indicator's `categories`. A category left out is not "
                "reported."
            )
        },
        **kwargs,
    )


class UpdateAnswerSchema(Schema):
    period_start = fields.Date(required=True)
    value = fields.Integer(required=True, allow_none=True)
    explanation = fields.String(required=True)
    breakdowns = _breakdowns_field(required=True)


class UpdateIndicatorSchema(Schema):
    indicator_id = fields.Integer(required=True)
    name = localized_field("The indicator's name in kk, ru and en.", required=True)
    periods = fields.List(
        fields.Nested(ReportingPeriodSchema),
        required=True,
        metadata={"description": "The periods a result may be given for."},
    )
    categories = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DIMENSIONS)),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "The categories of each breakdown the indicator reports."},
    )
    editable = fields.Boolean(
        required=True,
        metadata={
            "description": "False for a result the fund has verified: it is shown, not changed."
        },
    )
    note = fields.String(
        required=True, allow_none=True, metadata={"description": "A query from the fund."}
    )
    answer = fields.Nested(
        UpdateAnswerSchema,
        required=True,
        allow_none=True,
        metadata={"description": "What the update says for it; null: nothing yet."},
    )


class UpdateSpendingSchema(Schema):
    budget_line_id = fields.Integer(required=True)
    category = fields.String(
        required=True, validate=validate.OneOf([c.value for c in BudgetCategory])
    )
    description = fields.String(required=True)
    planned = money_field("The budget line's amount.", required=True)
    amount = money_field(
        "Spending to date on the line; null: not filled in.", required=True, allow_none=True
    )


class UpdateEvidenceSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    sha256 = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)


class MilestoneUpdateSchema(Schema):
    milestone_id = fields.Integer(required=True)
    milestone_status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in MilestoneStatus])
    )
    accepts_update = fields.Boolean(
        required=True,
        metadata={
            "description": (
                "Whether the milestone waits for an update (planned, or a revision was "
                "requested): only then may the update be saved or submitted."
            )
        },
    )
    status = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([s.value for s in UpdateStatus]),
        metadata={
            "description": (
                "`draft` when there is a draft (shared by the organisation's people); else the "
                "status of the last submission, which a new draft starts from; null: nothing yet."
            )
        },
    )
    version = fields.Integer(
        required=True,
        metadata={"description": "The draft's version, to send back with a write; 0: no draft."},
    )
    narrative = fields.String(required=True)
    progress = fields.Integer(required=True, allow_none=True)
    beneficiaries = fields.Integer(required=True, allow_none=True)
    spending = fields.List(fields.Nested(UpdateSpendingSchema), required=True)
    results = fields.List(
        fields.Nested(UpdateIndicatorSchema),
        required=True,
        metadata={"description": "The planned indicators with a period to report for."},
    )
    evidence = fields.List(fields.Nested(UpdateEvidenceSchema), required=True)
    submitted_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "Of the last submission."}
    )


class MoneyInSchema(Schema):
    amount = fields.Integer(
        required=True,
        validate=validate.Range(0, MAX_TIYN),
        metadata={"description": "Whole tiyn (1 tenge = 100 tiyn)."},
    )
    currency = fields.String(load_default="KZT", validate=validate.OneOf(["KZT"]))


class UpdateSpendingInSchema(Schema):
    budget_line_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    amount = fields.Nested(
        MoneyInSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Spending to date on the line; null: not filled in."},
    )


class UpdateResultInSchema(Schema):
    indicator_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    period_start = fields.Date(
        required=True, metadata={"description": "The start of one of the indicator's periods."}
    )
    value = fields.Integer(
        required=True,
        allow_none=True,
        validate=validate.Range(0, MAX_COUNT),
        metadata={"description": "null: nothing reported for the indicator."},
    )
    breakdowns = _breakdowns_field(load_default=dict)
    explanation = Text(
        load_default="",
        validate=[validate.Length(max=2000), NO_NUL],
        metadata={"description": "Why a breakdown does not add up to the value."},
    )


class MilestoneUpdateInSchema(Schema):
    """The whole draft, as the page's form sends it: what is left out is empty."""

    version = fields.Integer(
        required=True,
        validate=validate.Range(0, MAX_ID),
        metadata={"description": "The `version` read last; 0 when there was no draft."},
    )
    narrative = Text(load_default="", validate=[validate.Length(max=MAX_NARRATIVE), NO_NUL])
    progress = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 100),
        metadata={"description": "Percent; null keeps the draft's."},
    )
    beneficiaries = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, MAX_COUNT),
        metadata={"description": "People reached in the period, in total (no names)."},
    )
    spending = fields.List(
        fields.Nested(UpdateSpendingInSchema),
        load_default=list,
        validate=validate.Length(max=1000),
        metadata={"description": "Per budget line; a line left out is not filled in."},
    )
    results = fields.List(
        fields.Nested(UpdateResultInSchema),
        load_default=list,
        validate=validate.Length(max=1000),
        metadata={
            "description": (
                "One per indicator of `results` that is `editable`; one left out reports "
                "nothing for it."
            )
        },
    )


class UpdateVersionInSchema(Schema):
    version = fields.Integer(
        required=True,
        validate=validate.Range(0, MAX_ID),
        metadata={"description": "The `version` read last; 0 when there was no draft."},
    )


class UpdateEvidenceInSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": (
                "A PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file, checked by its content "
                "as on the web; pictures are stored without their metadata."
            )
        },
    )


# Loading and answering ---------------------------------------------------------------------------


def _load(milestone_id: int) -> Milestone:
    """The milestone (404 if the user may not see it), when the user may report on its project
    (403 otherwise: the fund's staff never send a grantee's update)."""
    milestone = load_or_404(Milestone, milestone_id, can_view_milestone, overview.load_milestone)
    if not permissions.can_report_on(current_user, milestone.project):
        abort(403, message=_("You cannot report on this project."))
    return milestone


def _reload(milestone: Milestone) -> Milestone:
    db.session.expire_all()
    return overview.load_milestone(db.session, milestone.id)


def _breakdowns(cells) -> dict:
    return {dimension.value: dict(values) for dimension, values in cells.items()}


def _slot_data(slot: milestone_page.ResultSlot) -> dict:
    indicator = slot.indicator
    answer = slot.answer.data if slot.answer is not None else None
    return {
        "indicator_id": indicator.id,
        "name": indicator_data(indicator)["name"],
        "periods": [
            {
                "start": start,
                "end": end,
                "label": outcomes.period_label(indicator.frequency, start),
            }
            for start, end in slot.periods
        ],
        "categories": {d.value: c for d, c in outcomes.categories(indicator).items()},
        "editable": slot.fixed is None,
        "note": str(slot.note) if slot.note else None,
        "answer": None
        if answer is None
        else {
            "period_start": answer.period_start,
            "value": answer.value,
            "explanation": answer.explanation,
            "breakdowns": _breakdowns(answer.cells),
        },
    }


def update_data(milestone: Milestone) -> dict:
    """The update as the milestone's page shows it to its grantee: the draft, or the submission
    a new draft would start from; the indicators of the form; the evidence."""
    page = milestone_page.build(db.session, current_user, milestone, today(), current_locale())
    draft = milestones.current_draft(milestone)
    source = draft or milestones.last_submitted(milestone)
    spent = {s.budget_line_id: s.amount for s in source.spending} if source else {}
    return {
        "milestone_id": milestone.id,
        "milestone_status": milestone.status.value,
        "accepts_update": page.can_report,
        "status": source.status.value if source else None,
        "version": draft.version_id if draft else 0,
        "narrative": source.narrative if source else "",
        "progress": source.progress if source else None,
        "beneficiaries": source.beneficiaries if source else None,
        "spending": [
            {
                "budget_line_id": line.id,
                "category": line.category.value,
                "description": line.description,
                "planned": money(line.amount),
                "amount": money(spent.get(line.id)),
            }
            for line in milestone.project.budget_lines
        ],
        "results": [_slot_data(slot) for slot in page.slots],
        "evidence": [
            {
                "id": f.id,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "uploaded_at": f.uploaded_at,
            }
            for f in page.evidence
        ],
        "submitted_at": page.submitted.submitted_at if page.submitted else None,
    }


def _as_saved(milestone: Milestone) -> milestones.UpdateData:
    """The draft's values as they are (or those of the submission it starts from): what a save
    that changes nothing of them sends (evidence, submission)."""
    source = milestones.current_draft(milestone) or milestones.last_submitted(milestone)
    if source is None:
        return milestones.UpdateData()
    return milestones.UpdateData(
        narrative=source.narrative,
        progress=source.progress,
        beneficiaries=source.beneficiaries,
        spending={s.budget_line_id: s.amount for s in source.spending},
    )


def _invalid(path: tuple, message: str):
    """422 for one field of the body, `path` being its place in it (e.g. ("results", 0,
    "indicator_id"))."""
    errors: dict = {}
    node = errors.setdefault("json", {})
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = [message]
    abort(422, message=message, errors=errors)


def _spending(milestone: Milestone, rows: list[dict]) -> dict[int, int | None]:
    lines = {line.id for line in milestone.project.budget_lines}
    spending: dict[int, int | None] = dict.fromkeys(lines)
    seen = set()
    for i, row in enumerate(rows):
        line_id = row["budget_line_id"]
        if line_id not in lines:
            _invalid(
                ("spending", i, "budget_line_id"), _("This is not a budget line of the project.")
            )
        if line_id in seen:
            _invalid(("spending", i, "budget_line_id"), _("This budget line is given twice."))
        seen.add(line_id)
        spending[line_id] = row["amount"]["amount"] if row["amount"] is not None else None
    return spending


def _results(milestone: Milestone, rows: list[dict]) -> tuple[list[tuple], dict]:
    """Each editable indicator's answer: the one given, or none (nothing reported for it), as
    the page sends every indicator of its form."""
    slots = milestone_page.result_slots(
        db.session, current_user, milestone, today(), current_locale()
    )
    by_id = {slot.indicator.id: slot for slot in slots}
    given: dict[int, tuple[int, outcomes.ResultData]] = {}
    for i, row in enumerate(rows):
        slot = by_id.get(row["indicator_id"])
        if slot is None:
            _invalid(
                ("results", i, "indicator_id"),
                _("This indicator has no period to report for in this update."),
            )
        if slot.fixed is not None:
            _invalid(
                ("results", i, "indicator_id"),
                _("The fund has verified this result: it is not changed in an update."),
            )
        if slot.indicator.id in given:
            _invalid(("results", i, "indicator_id"), _("This indicator is given twice."))
        allowed = {d.value: set(c) for d, c in outcomes.categories(slot.indicator).items()}
        cells = {}
        for dimension, values in row["breakdowns"].items():
            if dimension not in allowed or set(values) - allowed[dimension]:
                _invalid(
                    ("results", i, "breakdowns"),
                    _("This breakdown is not reported for this indicator."),
                )
            if values:
                cells[Dimension(dimension)] = dict(values)
        data = outcomes.ResultData(
            period_start=row["period_start"],
            value=row["value"],
            cells=cells,
            explanation=row["explanation"],
        )
        given[slot.indicator.id] = (i, data)
    results, places = [], {}
    for slot in slots:
        if slot.fixed is not None:
            continue
        place, data = given.get(slot.indicator.id, (None, None))
        if data is None:  # nothing reported for it: the period is not looked at
            data = outcomes.ResultData(period_start=slot.periods[-1][0], value=None)
        places[slot.indicator.id] = place
        results.append((slot.indicator, data))
    return results, places


def _refused(saved: milestones.Saved, places: dict) -> None:
    """422 for the results the service refused, each on its field."""
    errors: dict = {}
    for indicator_id, error in saved.refused_results.items():
        name = RESULT_FIELDS.get(error.field or "value", "value")
        place = places.get(indicator_id)
        # By its place in `results`; one left out of the request, by its indicator's id.
        key = str(place) if place is not None else f"indicator_id={indicator_id}"
        errors.setdefault(key, {})[name] = [str(error.message)]
    first = next(iter(saved.refused_results.values()))
    abort(422, message=str(first.message), errors={"json": {"results": errors}})


# Endpoints ---------------------------------------------------------------------------------------


@blp.route("/milestones/<int:milestone_id>/update")
class UpdateResource(MethodView):
    @blp.response(200, MilestoneUpdateSchema)
    def get(self, milestone_id: int):
        """The milestone's update as its page's form holds it"""
        return update_data(_load(milestone_id))

    @blp.arguments(MilestoneUpdateInSchema)
    @blp.response(200, MilestoneUpdateSchema)
    @blp.alt_response(409, response="CONFLICT")
    def put(self, args, milestone_id: int):
        """Save the draft: the whole of it, as the page's form does (what is left out is empty)

        All or nothing: a refused field (a result for a period reported elsewhere, a breakdown
        that cannot be reported, ...) answers 422 naming it, and nothing is saved. A breakdown
        that does not add up to the value is kept, as on the page, and stops only the
        submission. 409 when the draft changed since `version` was read (or was started by a
        colleague when `version` is 0): read it again.
        """
        milestone = _load(milestone_id)
        data = milestones.UpdateData(
            narrative=args["narrative"],
            progress=args["progress"],
            beneficiaries=args["beneficiaries"],
            spending=_spending(milestone, args["spending"]),
        )
        results, places = _results(milestone, args["results"])
        with one_commit():
            saved = milestones.save_and_submit(
                db.session,
                file_storage(),
                current_user,
                milestone,
                data,
                results=results,
                expected_version=args["version"],
                today=today(),
            )
            if saved.refused_results:
                _refused(saved, places)
        return update_data(_reload(milestone))


@blp.route("/milestones/<int:milestone_id>/update/evidence", methods=["POST"])
@blp.arguments(UpdateEvidenceInSchema, location="files")
@blp.response(201, MilestoneUpdateSchema)
@blp.alt_response(409, response="CONFLICT")
def update_evidence(args, milestone_id: int):
    """Add an evidence file to the draft (one per request; the draft is made if there is none)

    The file is checked as on the web (kind by its content, size, hidden contents); a refused
    one answers 422 with the same message as the page, and nothing is stored. The draft's
    `version` changes.
    """
    milestone = _load(milestone_id)
    upload = args["file"]
    stored: list[str] = []
    try:
        with one_commit():
            saved = milestones.save_and_submit(
                db.session,
                file_storage(),
                current_user,
                milestone,
                _as_saved(milestone),
                uploads=[files.Upload(upload.stream, upload.filename or "file")],
                today=today(),
            )
            stored = saved.stored
            if saved.rejected:
                message = str(saved.rejected[0])
                abort(422, message=message, errors={"files": {"file": [message]}})
    except BaseException:
        files.discard(file_storage(), stored)
        raise
    return update_data(_reload(milestone))


@blp.route("/milestones/<int:milestone_id>/update/submit", methods=["POST"])
@blp.arguments(UpdateVersionInSchema)
@blp.response(200, MilestoneUpdateSchema)
@blp.alt_response(409, response="CONFLICT")
def update_submit(args, milestone_id: int):
    """Submit the draft to the fund, as the page's "Submit to the fund" does

    The officer is told as for an update sent from the page. When something is missing the
    answer is 422 with `errors.missing`, the list of what to add, and nothing changes.
    """
    milestone = _load(milestone_id)
    with one_commit():
        saved = milestones.save_and_submit(
            db.session,
            file_storage(),
            current_user,
            milestone,
            _as_saved(milestone),
            submit=True,
            expected_version=args["version"],
            today=today(),
        )
        if not saved.submitted:
            abort(
                422,
                message=_("The update is not complete, so it was not submitted."),
                errors={"missing": [str(m) for m in saved.missing]},
            )
    return update_data(_reload(milestone))
