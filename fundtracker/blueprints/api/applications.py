"""Applications and their reviews: GET /api/v1/applications, /api/v1/applications/{id} and
/api/v1/applications/{id}/reviews.

As on the web: the list is the web list's query (`services.applications.list_query`, whose
scope is `permissions.scopes.applications`: staff see what has been submitted, never a draft; an
applicant its own organisation's, drafts included); each application loaded by id is checked
with `can_view_application`. Reviews are for the fund's staff, as the application's page shows
them: who reviews, their declaration of interests, their weighted score."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    TimestampsSchema,
    load,
    money,
    money_field,
    page_of,
    paginate,
    read_blueprint,
    since,
)
from fundtracker.models import Application, ApplicationStatus, ConflictDeclaration
from fundtracker.services import applications as svc

blp = read_blueprint("api_applications", __name__, "Applications, and their reviews for staff")


class ApplicationSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    call_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in ApplicationStatus])
    )
    title = fields.String(required=True, metadata={"description": "In the applicant's language."})
    summary = fields.String(required=True)
    start_date = fields.Date(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    requested_amount = money_field("The budget's total.", required=True)
    awarded_amount = money_field("Set when approved.", required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    project_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The project it became."}
    )


class ReviewerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ReviewSchema(Schema):
    id = fields.Integer(required=True)
    application_id = fields.Integer(required=True)
    reviewer = fields.Nested(ReviewerSchema, required=True)
    assigned_at = fields.DateTime(required=True)
    conflict = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in ConflictDeclaration]),
        metadata={"description": "The reviewer's declaration of interests."},
    )
    conflict_note = fields.String(required=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    weighted_score = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "The criteria's scores weighted by the call's (1 to 5)."},
    )


def application_data(application: Application) -> dict:
    return {
        "id": application.id,
        "call_id": application.call_id,
        "organisation_id": application.organisation_id,
        "status": application.status.value,
        "title": application.title,
        "summary": application.summary,
        "start_date": application.start_date,
        "end_date": application.end_date,
        "requested_amount": money(application.requested_amount),
        "awarded_amount": money(application.awarded_amount),
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "project_id": application.project_id,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
    }


def review_data(assignment) -> dict:
    return {
        "id": assignment.id,
        "application_id": assignment.application_id,
        "reviewer": {"id": assignment.reviewer.id, "name": assignment.reviewer.name},
        "assigned_at": assignment.assigned_at,
        "conflict": assignment.conflict.value,
        "conflict_note": assignment.conflict_note,
        "submitted_at": assignment.submitted_at,
        "weighted_score": assignment.weighted_score(),
    }


def _may_list() -> None:
    if not permissions.can_list_applications(current_user):
        abort(403, message=_("Applications are for the fund's staff and applicants."))


def load_application(application_id: int) -> Application:
    return load(Application, application_id, permissions.can_view_application)


@blp.route("/applications")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, ApplicationSchema(many=True))
@paginate(blp)
def application_list(args, pagination_parameters):
    """The applications you may see: submitted ones for staff, your organisation's for applicants"""
    _may_list()
    query = since(svc.list_query(current_user), Application, args)
    return [application_data(a) for a in page_of(query, pagination_parameters)]


@blp.route("/applications/<int:application_id>")
@blp.response(200, ApplicationSchema)
def application_detail(application_id: int):
    """One application"""
    _may_list()
    return application_data(load_application(application_id))


@blp.route("/applications/<int:application_id>/reviews")
@blp.response(200, ReviewSchema(many=True))
def application_reviews(application_id: int):
    """An application's reviews, for the fund's staff (a few per application: not paged)"""
    _may_list()
    application = load_application(application_id)
    if not permissions.is_staff(current_user):
        abort(403, message=_("Reviews are read by the fund's staff."))
    return [review_data(a) for a in application.assignments]
