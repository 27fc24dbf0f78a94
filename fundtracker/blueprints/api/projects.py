"""GET /api/v1/projects and /api/v1/projects/{id}: the projects the token's user may see.

The list is `permissions.scopes.projects` (the web list's scope); each project loaded by id is
checked with `can_view_project` (404 when the user may not see it)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    MAX_ID,
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
from fundtracker.models import Project, ProjectStatus
from fundtracker.permissions import scopes

blp = read_blueprint("api_projects", __name__, "Projects the fund finances")


class ProjectSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "The fund's project code."})
    agreement_number = fields.String(
        required=True, allow_none=True, metadata={"description": "The grant agreement's number."}
    )
    title = localized_field(required=True)
    summary = localized_field(required=True)
    organisation_id = fields.Integer(
        required=True, metadata={"description": "The grantee organisation (/organisations/{id})."}
    )
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ProjectStatus]))
    area = fields.Nested(
        ReferenceSchema, required=True, metadata={"description": "Programme area."}
    )
    regions = fields.List(
        fields.Nested(ReferenceSchema),
        required=True,
        metadata={"description": "Where the project works."},
    )
    awarded_amount = money_field("The grant awarded.", required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    agreement_signed_on = fields.Date(required=True, allow_none=True)


class ProjectListArgsSchema(ListArgsSchema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in ProjectStatus]),
        metadata={"description": "Only projects in this status."},
    )
    organisation_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only this organisation's."},
    )


def project_data(project: Project) -> dict:
    return {
        "id": project.id,
        "code": project.code,
        "agreement_number": project.agreement_number,
        "title": localized(project, "title"),
        "summary": localized(project, "summary"),
        "organisation_id": project.organisation_id,
        "status": project.status.value,
        "area": reference(project.area),
        "regions": [reference(r) for r in project.regions],
        "awarded_amount": money(project.awarded_amount),
        "start_date": project.start_date,
        "end_date": project.end_date,
        "agreement_signed_on": project.agreement_signed_on,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }


def list_query(actor, args: dict):
    """The projects `actor` may list (the web list's scope), narrowed by the arguments."""
    query = select(Project).where(*scopes.projects(actor))
    if args.get("status"):
        query = query.where(Project.status == ProjectStatus(args["status"]))
    if args.get("organisation_id"):
        query = query.where(Project.organisation_id == args["organisation_id"])
    query = query.options(joinedload(Project.area), selectinload(Project.regions))
    return since(query, Project, args)


def load_project(project_id: int) -> Project:
    return load(Project, project_id, permissions.can_view_project)


@blp.route("/projects")
@blp.arguments(ProjectListArgsSchema, location="query")
@blp.response(200, ProjectSchema(many=True))
@paginate(blp)
def project_list(args, pagination_parameters):
    """The projects you may see, oldest change first"""
    return [project_data(p) for p in page_of(list_query(current_user, args), pagination_parameters)]


@blp.route("/projects/<int:project_id>")
@blp.response(200, ProjectSchema)
def project_detail(project_id: int):
    """One project"""
    return project_data(load_project(project_id))
