"""Milestones: GET /api/v1/milestones, /api/v1/projects/{id}/milestones, /api/v1/milestones/{id}.

A milestone is seen by whoever may see its project (`can_view_project`); lists join the
projects' list scope (`permissions.scopes.projects`)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    TimestampsSchema,
    load,
    of_visible_projects,
    page_of,
    paginate,
    read_blueprint,
)
from fundtracker.blueprints.api.projects import load_project
from fundtracker.models import Milestone, MilestoneStatus

blp = read_blueprint("api_milestones", __name__, "Projects' milestones")


class MilestoneSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "As the plan names it."})
    description = fields.String(required=True)
    deliverables = fields.String(required=True)
    due_date = fields.Date(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in MilestoneStatus])
    )
    accepted_at = fields.DateTime(required=True, allow_none=True)


def milestone_data(milestone: Milestone) -> dict:
    return {
        "id": milestone.id,
        "project_id": milestone.project_id,
        "title": milestone.title,
        "description": milestone.description,
        "deliverables": milestone.deliverables,
        "due_date": milestone.due_date,
        "status": milestone.status.value,
        "accepted_at": milestone.accepted_at,
        "created_at": milestone.created_at,
        "updated_at": milestone.updated_at,
    }


def can_view_milestone(user, milestone: Milestone) -> bool:
    return permissions.can_view_project(user, milestone.project)


@blp.route("/milestones")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, MilestoneSchema(many=True))
@paginate(blp)
def milestone_list(args, pagination_parameters):
    """The milestones of every project you may see"""
    query = of_visible_projects(Milestone, current_user, args)
    return [milestone_data(m) for m in page_of(query, pagination_parameters)]


@blp.route("/projects/<int:project_id>/milestones")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, MilestoneSchema(many=True))
@paginate(blp)
def project_milestones(args, project_id: int, pagination_parameters):
    """One project's milestones"""
    project = load_project(project_id)
    query = of_visible_projects(Milestone, current_user, args, project.id)
    return [milestone_data(m) for m in page_of(query, pagination_parameters)]


@blp.route("/milestones/<int:milestone_id>")
@blp.response(200, MilestoneSchema)
def milestone_detail(milestone_id: int):
    """One milestone"""
    return milestone_data(load(Milestone, milestone_id, can_view_milestone))
