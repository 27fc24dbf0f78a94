"""Pieces every API module shares: localized texts, money, paging, `updated_since`, loading one
object with its permission check, and the error responses the document lists.

Paging is by page number (flask-smorest's `paginate`: `page` and `page_size` in the query
string, the totals in the `X-Pagination` response header), like the web lists (`db.paginate`):
an integrator reads the total at once, and a list of changes is walked safely with
`updated_since` plus the stable order (updated_at, id), so a cursor would add little.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Select, select

from fundtracker.blueprints.api.auth import authenticate, page_size_limit, require_scope
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES
from fundtracker.models import Project
from fundtracker.permissions import scopes
from fundtracker.web import MAX_PAGE, load_or_404

CURRENCY = "KZT"
DEFAULT_PAGE_SIZE = 25
# The largest page size the document states; API_MAX_PAGE_SIZE (page_size_limit()) may lower it.
MAX_PAGE_SIZE = 100
MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger one names nothing
MONEY_DESCRIPTION = (
    "Money: `amount` is a whole number of tiyn (1 tenge = 100 tiyn), `currency` is always KZT."
)
TITLE_DESCRIPTION = "A text in the fund's three languages: kk (Kazakh), ru (Russian), en (English)."


class LocalizedTextSchema(Schema):
    kk = fields.String(required=True, metadata={"description": "Kazakh"})
    ru = fields.String(required=True, metadata={"description": "Russian"})
    en = fields.String(required=True, metadata={"description": "English"})


class MoneySchema(Schema):
    amount = fields.Integer(
        required=True, metadata={"description": "Whole tiyn (1 tenge = 100 tiyn)."}
    )
    currency = fields.String(
        required=True,
        validate=validate.OneOf([CURRENCY]),
        metadata={"description": "ISO 4217 currency code: always KZT."},
    )


def localized_field(description: str = TITLE_DESCRIPTION, **kwargs) -> fields.Nested:
    return fields.Nested(LocalizedTextSchema, metadata={"description": description}, **kwargs)


def money_field(description: str = "", **kwargs) -> fields.Nested:
    text = f"{description} {MONEY_DESCRIPTION}".strip()
    return fields.Nested(MoneySchema, metadata={"description": text}, **kwargs)


def localized(obj, field: str) -> dict[str, str]:
    """{kk, ru, en} from the columns `<field>_kk`, `<field>_ru`, `<field>_en` (empty stays empty:
    the integrator chooses its own fallback)."""
    return {code: getattr(obj, f"{field}_{code}", "") or "" for code in LANGUAGES}


def money(tiyn: int | None) -> dict | None:
    return None if tiyn is None else {"amount": int(tiyn), "currency": CURRENCY}


class _KnownArgsSchema(Schema):
    """Query arguments that refuse a name they do not know (422 naming it), so a typo such as
    `updated_after` is not a silent "everything". The paging arguments are flask-smorest's."""

    PAGING = frozenset({"page", "page_size"})

    @validates_schema(pass_original=True)
    def _no_unknown(self, data, original, **kwargs) -> None:
        unknown = set(original) - set(self.fields) - self.PAGING
        if unknown:
            raise ValidationError(
                {name: [_("Unknown query parameter.")] for name in sorted(unknown)}
            )


class ListArgsSchema(_KnownArgsSchema):
    """Query arguments of a list of objects that change (they have `updated_at`)."""

    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={
            "description": (
                "Only objects changed at or after this time (ISO 8601; inclusive; UTC when no "
                "offset is given). Lists are ordered by (updated_at, id), oldest first: to "
                "synchronise, keep the largest updated_at you have seen and ask again with it "
                "(objects changed at exactly that time come again; skip those you have)."
            )
        },
    )


class PlainListArgsSchema(_KnownArgsSchema):
    """Query arguments of a list without `updated_since` (its objects have no change time)."""


def paginate(blp: Blueprint):
    """`blp.paginate` with the API's page sizes: 25 by default, at most MAX_PAGE_SIZE (and at
    most API_MAX_PAGE_SIZE, whichever is smaller)."""
    return blp.paginate(page_size=DEFAULT_PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)


def since(query: Select, model, args: dict) -> Select:
    """Apply `updated_since` (inclusive) and the synchronisation order (updated_at, id)."""
    value: datetime | None = args.get("updated_since")
    if value is not None:
        query = query.where(model.updated_at >= value)
    return query.order_by(None).order_by(model.updated_at, model.id)


def page_of(query: Select, pagination_parameters) -> list:
    """One page of `query` (already ordered, stably) and the total for X-Pagination. A page
    past MAX_PAGE (the web's bound: an OFFSET beyond what the database takes) is empty."""
    limit = page_size_limit()
    pagination_parameters.page_size = min(pagination_parameters.page_size, limit)
    page = db.paginate(
        query,
        page=min(pagination_parameters.page, MAX_PAGE),
        per_page=pagination_parameters.page_size,
        max_per_page=limit,
        error_out=False,
    )
    pagination_parameters.item_count = page.total
    return list(page.items) if pagination_parameters.page <= MAX_PAGE else []


def load(model, object_id: int, rule, loader=None):
    """One object by id with its rule: a missing object and one the user may not see are the
    same 404 (the web's `load_or_404`)."""
    return load_or_404(model, object_id, rule, loader)


def scoped_blueprint(name: str, import_name: str, description: str, scope: str) -> Blueprint:
    """A blueprint whose every request needs a token (401) with `scope` (403), checked in that
    order before the view; the user's own rights are checked by the view, per object."""
    blp = Blueprint(name, import_name, description=description)
    blp.before_request(authenticate)  # first: no token is 401 before a missing scope is 403

    @blp.before_request
    def _scope() -> None:
        require_scope(scope)

    return blp


def read_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of read endpoints: every request needs the token's "read" scope (403)."""
    return scoped_blueprint(name, import_name, description, "read")


class ReferenceSchema(Schema):
    """An entry of a reference list (a region, a programme area)."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = localized_field("The entry's name in kk, ru and en.", required=True)


def reference(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.id, "code": obj.code, "name": localized(obj, "name")}


class TimestampsSchema(Schema):
    """The change times of an object (UTC): `updated_at` is what `updated_since` filters."""

    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


def of_visible_projects(model, actor, args: dict, project_id: int | None = None) -> Select:
    """Rows of `model` (which has `project_id` and `updated_at`) on the projects `actor` may
    see: the projects' list scope (`permissions.scopes.projects`) joined, so one rule decides
    both the project and what hangs from it; with `project_id`, one project's rows only."""
    query = select(model).join(Project, model.project_id == Project.id)
    query = query.where(*scopes.projects(actor))
    if project_id is not None:
        query = query.where(model.project_id == project_id)
    return since(query, model, args)
