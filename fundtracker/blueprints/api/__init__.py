"""The REST API, version 1 (issue #20): JSON under /api/v1, described by an OpenAPI 3.1 document
that flask-smorest builds from the marshmallow schemas (/api/v1/openapi.json) and browsable with
Swagger UI served by the app (/api/v1/docs).

Every endpoint checks the same permission rules and calls the same services as the web pages."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from fundtracker.blueprints.api import me
from fundtracker.blueprints.api.auth import authenticate
from fundtracker.core.extensions import csrf

PREFIX = "/api/v1"

# Every resource blueprint of the API, in the order the document lists them.
BLUEPRINTS = [me.blp]


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "FundTracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app)
    for blp in BLUEPRINTS:
        if authenticate not in blp.before_request_funcs.get(None, []):
            blp.before_request(authenticate)
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=PREFIX + (blp.url_prefix or ""))
    return api
