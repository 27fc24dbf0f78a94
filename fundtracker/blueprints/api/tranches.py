"""Tranches (the grant's payments): GET /api/v1/tranches, /api/v1/projects/{id}/tranches,
/api/v1/tranches/{id}.

A tranche is seen by whoever may see its project (`can_view_project`, as the web's tranche
page); lists join the projects' list scope (`permissions.scopes.projects`)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    TimestampsSchema,
    load,
    money,
    money_field,
    of_visible_projects,
    page_of,
    paginate,
    read_blueprint,
)
from fundtracker.blueprints.api.projects import load_project
from fundtracker.models import Tranche, TrancheStatus

blp = read_blueprint("api_tranches", __name__, "Projects' tranches (payments to the grantee)")


class TrancheSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    milestone_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The milestone whose acceptance releases it, if any."},
    )
    amount = money_field("The payment.", required=True)
    planned_date = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in TrancheStatus]))
    approved_at = fields.DateTime(required=True, allow_none=True)
    paid_on = fields.Date(required=True, allow_none=True)
    payment_reference = fields.String(
        required=True, metadata={"description": "The bank's reference, once paid."}
    )


def tranche_data(tranche: Tranche) -> dict:
    return {
        "id": tranche.id,
        "project_id": tranche.project_id,
        "milestone_id": tranche.milestone_id,
        "amount": money(tranche.amount),
        "planned_date": tranche.planned_date,
        "status": tranche.status.value,
        "approved_at": tranche.approved_at,
        "paid_on": tranche.paid_on,
        "payment_reference": tranche.payment_reference,
        "created_at": tranche.created_at,
        "updated_at": tranche.updated_at,
    }


def can_view_tranche(user, tranche: Tranche) -> bool:
    return permissions.can_view_project(user, tranche.project)


@blp.route("/tranches")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, TrancheSchema(many=True))
@paginate(blp)
def tranche_list(args, pagination_parameters):
    """The tranches of every project you may see"""
    query = of_visible_projects(Tranche, current_user, args)
    return [tranche_data(t) for t in page_of(query, pagination_parameters)]


@blp.route("/projects/<int:project_id>/tranches")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, TrancheSchema(many=True))
@paginate(blp)
def project_tranches(args, project_id: int, pagination_parameters):
    """One project's tranches"""
    project = load_project(project_id)
    query = of_visible_projects(Tranche, current_user, args, project.id)
    return [tranche_data(t) for t in page_of(query, pagination_parameters)]


@blp.route("/tranches/<int:tranche_id>")
@blp.response(200, TrancheSchema)
def tranche_detail(tranche_id: int):
    """One tranche"""
    return tranche_data(load(Tranche, tranche_id, can_view_tranche))
