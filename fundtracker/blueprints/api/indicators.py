"""Project indicators (what a project promised to achieve, with its targets): GET
/api/v1/indicators, /api/v1/projects/{id}/indicators, /api/v1/indicators/{id}.

The plan only: reported results are not here (outcome figures leave the fund only as published,
protected tables: /publications). An indicator is seen by whoever may see its project
(`can_view_outcomes`); lists join the projects' list scope (`permissions.scopes.projects`)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy.orm import joinedload

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    TimestampsSchema,
    load,
    localized,
    localized_field,
    of_visible_projects,
    page_of,
    paginate,
    read_blueprint,
)
from fundtracker.blueprints.api.projects import load_project
from fundtracker.core.i18n import LANGUAGES
from fundtracker.models import Direction, Frequency, IndicatorType, ProjectIndicator

blp = read_blueprint("api_indicators", __name__, "Projects' planned indicators and targets")


class IndicatorSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    standard_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The fund's standard indicator it measures, if any."},
    )
    name = localized_field(
        "The standard indicator's name in kk, ru and en; for a project's own indicator, its one "
        "name in each.",
        required=True,
    )
    unit = localized_field("The unit, likewise.", required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in IndicatorType]))
    baseline = fields.Integer(required=True)
    target = fields.Integer(required=True)
    direction = fields.String(required=True, validate=validate.OneOf([d.value for d in Direction]))
    cumulative = fields.Boolean(
        required=True,
        metadata={
            "description": "Each period reports the total so far (else what happened in it)."
        },
    )
    frequency = fields.String(required=True, validate=validate.OneOf([f.value for f in Frequency]))
    dimensions = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Breakdowns reported: region, sex, age."},
    )


def _same(text: str) -> dict[str, str]:
    return dict.fromkeys(LANGUAGES, text)


def indicator_data(indicator: ProjectIndicator) -> dict:
    standard = indicator.standard
    if standard is not None:
        name = localized(standard, "name")
        unit = _same(indicator.unit) if indicator.unit else localized(standard, "unit")
    else:
        name, unit = _same(indicator.name), _same(indicator.unit)
    return {
        "id": indicator.id,
        "project_id": indicator.project_id,
        "standard_id": indicator.standard_id,
        "name": name,
        "unit": unit,
        "type": indicator.type.value,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "direction": indicator.direction.value,
        "cumulative": indicator.cumulative,
        "frequency": indicator.frequency.value,
        "dimensions": [d.value for d in indicator.dimensions],
        "created_at": indicator.created_at,
        "updated_at": indicator.updated_at,
    }


def can_view_indicator(user, indicator: ProjectIndicator) -> bool:
    return permissions.can_view_outcomes(user, indicator.project)


def _query(args: dict, project_id: int | None = None):
    query = of_visible_projects(ProjectIndicator, current_user, args, project_id)
    return query.options(joinedload(ProjectIndicator.standard))


@blp.route("/indicators")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, IndicatorSchema(many=True))
@paginate(blp)
def indicator_list(args, pagination_parameters):
    """The indicators of every project you may see"""
    return [indicator_data(i) for i in page_of(_query(args), pagination_parameters)]


@blp.route("/projects/<int:project_id>/indicators")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, IndicatorSchema(many=True))
@paginate(blp)
def project_indicators(args, project_id: int, pagination_parameters):
    """One project's indicators"""
    project = load_project(project_id)
    return [indicator_data(i) for i in page_of(_query(args, project.id), pagination_parameters)]


@blp.route("/indicators/<int:indicator_id>")
@blp.response(200, IndicatorSchema)
def indicator_detail(indicator_id: int):
    """One indicator"""
    return indicator_data(load(ProjectIndicator, indicator_id, can_view_indicator))
