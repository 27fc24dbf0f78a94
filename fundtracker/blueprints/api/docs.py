"""GET /api/v1/docs: Swagger UI over /api/v1/openapi.json, served by the app (no CDN, no token).

The page is a template with no inline script (the CSP allows scripts from this site only); the
Swagger UI files come from the installed `swagger_ui` package, and only the two it needs are
served."""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, abort, render_template, send_file

bp = Blueprint("api_docs", __name__)

SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
}


@bp.route("/docs")
def index():
    return render_template("api/docs.html")


@bp.route("/docs/swagger-ui/<name>")
def swagger_file(name: str):
    if name not in SWAGGER_FILES:
        abort(404)
    path = files("swagger_ui") / "static" / name
    return send_file(path, mimetype=SWAGGER_FILES[name], max_age=86400)
