"""Published outcome tables: GET /api/v1/publications, /api/v1/publications/{id} and
/api/v1/publications/{id}/figures.

Outcome figures leave the fund only as published periods, protected: the figures here are read
by `services.publications.read` exactly as the board's pages show them (a hidden cell has no
value; a small count is never shown). Never a raw result. For the fund's staff
(`can_view_publications`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from fundtracker import permissions
from fundtracker.blueprints.api.auth import page_size_limit
from fundtracker.blueprints.api.common import (
    PlainListArgsSchema,
    load,
    paginate,
    read_blueprint,
)
from fundtracker.core.extensions import db
from fundtracker.models import Publication
from fundtracker.services.publications import read

blp = read_blueprint("api_publications", __name__, "Published outcome tables (protected)")

KINDS = {"std": "standard", "ind": "indicator", "reached": "reached"}
TABLE_NAMES = ("total", "area", "region", "area_region", "sex", "age")


class PublicationSchema(Schema):
    id = fields.Integer(required=True)
    period = fields.String(
        required=True, metadata={"description": "The period's key: a year (2025) or a quarter."}
    )
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    published_at = fields.DateTime(required=True)


class MeasureSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(KINDS.values())),
        metadata={
            "description": "standard: a standard indicator (id is /indicators' standard_id); "
            "indicator: a project's own indicator (id is its /indicators id); reached: people "
            "reached (id 0)."
        },
    )
    id = fields.Integer(required=True)


class FigureSchema(Schema):
    measure = fields.Nested(MeasureSchema, required=True)
    table = fields.String(required=True, validate=validate.OneOf(TABLE_NAMES))
    area_id = fields.Integer(required=True, allow_none=True)
    region = fields.String(required=True, allow_none=True, metadata={"description": "Region code."})
    category = fields.String(
        required=True, allow_none=True, metadata={"description": "Sex or age group."}
    )
    value = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Null when the cell is hidden or nothing was reported."},
    )
    hidden = fields.Boolean(
        required=True, metadata={"description": "Hidden to protect the people counted."}
    )
    display = fields.String(required=True, metadata={"description": "As the board reads it."})
    projects = fields.Integer(required=True, metadata={"description": "Projects reporting."})
    target = fields.Integer(required=True, allow_none=True)


def publication_data(publication: Publication) -> dict:
    return {
        "id": publication.id,
        "period": publication.period,
        "period_start": publication.period_start,
        "period_end": publication.period_end,
        "published_at": publication.published_at,
    }


def _may_read() -> None:
    if not permissions.can_view_publications(current_user):
        abort(403, message=_("Published tables are read here by the fund's staff."))


def _can_view(user, _publication) -> bool:
    return permissions.can_view_publications(user)


def figures(publication: Publication) -> list[dict]:
    published = read.load(db.session, publication)
    rows = []
    for key, figure in sorted(published.figures.items(), key=lambda item: repr(item[0])):
        kind, measure_id, table, area, region, category, _project = key
        rows.append(
            {
                "measure": {"kind": KINDS[kind], "id": measure_id},
                "table": table,
                "area_id": area,
                "region": region,
                "category": category,
                "value": figure.value,
                "hidden": figure.hidden,
                "display": figure.display,
                "projects": figure.projects,
                "target": figure.target,
            }
        )
    return rows


@blp.route("/publications")
@blp.arguments(PlainListArgsSchema, location="query")
@blp.response(200, PublicationSchema(many=True))
@paginate(blp)
def publication_list(_args, pagination_parameters):
    """Every published period, the latest first"""
    _may_read()
    found = read.publications(db.session)
    return [publication_data(p) for p in _page(found, pagination_parameters)]


@blp.route("/publications/<int:publication_id>")
@blp.response(200, PublicationSchema)
def publication_detail(publication_id: int):
    """One published period"""
    _may_read()
    return publication_data(load(Publication, publication_id, _can_view))


@blp.route("/publications/<int:publication_id>/figures")
@blp.arguments(PlainListArgsSchema, location="query")
@blp.response(200, FigureSchema(many=True))
@paginate(blp)
def publication_figures(_args, publication_id: int, pagination_parameters):
    """A published period's figures (protected), in a stable order"""
    _may_read()
    publication = load(Publication, publication_id, _can_view)
    return _page(figures(publication), pagination_parameters)


def _page(rows: list, pagination_parameters) -> list:
    """A page of rows read whole (publications are few; a period's tables are read at once,
    as the board's page reads them)."""
    pagination_parameters.page_size = min(pagination_parameters.page_size, page_size_limit())
    pagination_parameters.item_count = len(rows)
    start = pagination_parameters.first_item
    return rows[start : start + pagination_parameters.page_size]
