"""Error pages in the user's language; never a traceback.

Under /api/ every error is JSON in one shape, the one the OpenAPI document describes
(flask-smorest's `Error`: `code`, `status`, `message`, and `errors` for invalid arguments), with
the exception's headers kept (WWW-Authenticate on 401, Allow on 405, Retry-After on 429)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from fundtracker.core.extensions import db

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    413: (
        _l("File too large"),
        _l(
            "What you sent is larger than the allowed limit. Go back: your browser usually keeps "
            "what you typed. Then send fewer or smaller files."
        ),
    ),
    429: (_l("Too many requests"), _l("Please wait a little and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened. It has been logged; please try again later."),
    ),
}

CSRF_MESSAGE = _l(
    "Your form expired or was sent from elsewhere. Please reload the page and try again."
)


API_PREFIX = "/api/"
API_CHALLENGE = 'Bearer realm="FundTracker API"'


def is_api_request() -> bool:
    return request.path == API_PREFIX[:-1] or request.path.startswith(API_PREFIX)


def _api_error(code: int, error: HTTPException | None = None):
    """The JSON body and headers of an API error (never a traceback: the message is the
    exception's own text for an HTTP error, a fixed sentence for anything else)."""
    payload = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Unknown Error")}
    headers: dict[str, str] = {}
    data = getattr(error, "data", None) or {}
    if error is not None:
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                headers[key] = value
    if "message" in data:
        payload["message"] = str(data["message"])
    else:
        _title, message = MESSAGES.get(code, (None, None))
        if message is None and error is not None and error.description:
            message = error.description
        payload["message"] = str(message or MESSAGES[500][1])
    if "errors" in data:
        payload["errors"] = data["errors"]
    elif "messages" in data:
        payload["errors"] = data["messages"]
    headers.update(data.get("headers") or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", API_CHALLENGE)
    return payload, code, headers


def _render(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    wants_json = (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )
    if wants_json:
        return {"error": str(title), "message": str(detail or message)}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if is_api_request() and error.code is not None and error.code >= 400:
            return _api_error(error.code, error)
        if error.code in MESSAGES:
            return _render(error.code)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.testing and not app.config.get("TEST_ERROR_PAGES"):
            raise error  # let tests see the real failure
        if is_api_request():
            return _api_error(InternalServerError.code)
        return _render(InternalServerError.code)
