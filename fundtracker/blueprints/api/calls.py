"""Calls for applications: GET /api/v1/calls and /api/v1/calls/{id}.

Staff see every call; applicants only the calls open now (`can_list_calls`, `can_view_call`;
the list is the web list's query, `services.calls.list_query`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    ReferenceSchema,
    TimestampsSchema,
    load,
    localized,
    localized_field,
    money,
    money_field,
    page_of,
    paginate,
    read_blueprint,
    reference,
    since,
)
from fundtracker.models import Call, CallStatus, utcnow
from fundtracker.services import calls as svc

blp = read_blueprint("api_calls", __name__, "Calls for applications")


class CriterionSchema(Schema):
    id = fields.Integer(required=True)
    name = localized_field("The criterion in kk, ru and en.", required=True)
    weight = fields.Integer(required=True, metadata={"description": "Its weight in the score."})


class CallSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    title = localized_field(required=True)
    description = localized_field("What the call funds, in kk, ru and en.", required=True)
    eligibility = localized_field("Who may apply, in kk, ru and en.", required=True)
    area = fields.Nested(
        ReferenceSchema, required=True, metadata={"description": "Programme area."}
    )
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in CallStatus]))
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    is_open = fields.Boolean(required=True, metadata={"description": "Accepting applications now."})
    budget_envelope = money_field("The call's whole budget.", required=True)
    max_request = money_field("The most one application may ask for.", required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


def call_data(call: Call, now) -> dict:
    return {
        "id": call.id,
        "title": localized(call, "title"),
        "description": localized(call, "description"),
        "eligibility": localized(call, "eligibility"),
        "area": reference(call.area),
        "status": call.status.value,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "is_open": call.is_open(now),
        "budget_envelope": money(call.budget_envelope),
        "max_request": money(call.max_request),
        "criteria": [
            {"id": c.id, "name": localized(c, "name"), "weight": c.weight} for c in call.criteria
        ],
        "created_at": call.created_at,
        "updated_at": call.updated_at,
    }


def _may_list() -> None:
    if not permissions.can_list_calls(current_user):
        abort(403, message=_("Calls are for the fund's staff and applicants."))


@blp.route("/calls")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CallSchema(many=True))
@paginate(blp)
def call_list(args, pagination_parameters):
    """The calls you may see: every call for staff, the open ones for applicants"""
    _may_list()
    now = utcnow()
    query = since(svc.list_query(current_user, now), Call, args)
    query = query.options(selectinload(Call.criteria))
    return [call_data(c, now) for c in page_of(query, pagination_parameters)]


@blp.route("/calls/<int:call_id>")
@blp.response(200, CallSchema)
def call_detail(call_id: int):
    """One call"""
    _may_list()
    return call_data(load(Call, call_id, permissions.can_view_call), utcnow())
