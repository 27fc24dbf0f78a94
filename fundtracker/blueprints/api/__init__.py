"""The REST API, version 1 (issue #20): JSON under /api/v1, described by an OpenAPI 3.1 document
that flask-smorest builds from the marshmallow schemas (/api/v1/openapi.json) and browsable with
Swagger UI served by the app (/api/v1/docs, the files from the installed swagger_ui package: no
CDN). Neither the document nor the docs page needs a token.

Every endpoint checks the same permission rules and calls the same services as the web pages."""

from __future__ import annotations

from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api
from flask_smorest.pagination import PaginationMetadataSchema

from fundtracker.blueprints.api import (
    applications,
    calls,
    docs,
    indicators,
    me,
    milestones,
    organisations,
    projects,
    publications,
    tranches,
    writes_payments,
    writes_updates,
)
from fundtracker.blueprints.api.auth import authenticate
from fundtracker.core.extensions import csrf

PREFIX = "/api/v1"

# Every resource blueprint of the API, in the order the document lists them.
BLUEPRINTS = [
    me.blp,
    calls.blp,
    organisations.blp,
    projects.blp,
    milestones.blp,
    tranches.blp,
    indicators.blp,
    publications.blp,
    applications.blp,
    writes_updates.blp,
    writes_payments.blp,
]

DESCRIPTION = """\
The API of FundTracker, the grant tracker of the fund.

**Tokens.** Create a personal access token on your account page and send it as
`Authorization: Bearer <token>`. A token acts as its user and can do no more than the user may,
within its scopes (`read`, `write-updates`, `write-payments`). An object you may not see is
answered with 404, exactly as one that does not exist; a missing scope with 403.

**Lists** are paged: `page` (from 1) and `page_size` (at most 100, 25 by default); the totals are
in the `X-Pagination` response header (JSON: total, total_pages, page, next_page, ...). Lists of
objects that change take `updated_since` (ISO 8601, inclusive) and are ordered by
(updated_at, id), oldest first, for synchronisation.

**Values.** Money is an object `{amount, currency}`: whole tiyn (1 tenge = 100 tiyn) in KZT.
Dates are ISO 8601 (`YYYY-MM-DD`), times ISO 8601 in UTC. Texts the fund keeps in three
languages are objects `{kk, ru, en}`.

**Errors** are JSON: `{code, status, message, errors}` (`errors` names the invalid arguments).
"""

# Answers every operation may give besides its own (the `Error` schema).
COMMON_ERRORS = {
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "429": "TOO_MANY_REQUESTS",
    "500": "INTERNAL_SERVER_ERROR",
}


class CommonErrorsPlugin(BasePlugin):
    """Documents the errors every API operation may answer (401 without a valid token, 403
    without the scope or the role, 404 for an object one may not see, 429 over the token's rate
    limit), so that each documented operation lists every status it can send."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            for code, name in COMMON_ERRORS.items():
                responses.setdefault(code, name)


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "FundTracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app, spec_kwargs={"extra_plugins": [CommonErrorsPlugin()]})
    # X-Pagination carries JSON text: described as content, not as an object-valued header.
    metadata = api.ma_plugin.converter.resolve_nested_schema(PaginationMetadataSchema)
    api.spec.components.headers_lazy["PAGINATION"] = {
        "description": (
            "Paging, as JSON: total, total_pages, first_page, last_page, page, previous_page, "
            "next_page."
        ),
        "content": {"application/json": {"schema": metadata}},
    }
    for blp in BLUEPRINTS:
        if authenticate not in blp.before_request_funcs.get(None, []):
            blp.before_request(authenticate)
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=PREFIX + (blp.url_prefix or ""))
    app.register_blueprint(docs.bp, url_prefix=PREFIX)
    return api
