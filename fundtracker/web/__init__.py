"""Helpers for views: role checks, loading objects with their permission check, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote, urlsplit

from flask import abort, current_app, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from fundtracker.core.extensions import db, login_manager
from fundtracker.core.storage import file_storage
from fundtracker.services import bulk
from fundtracker.services.errors import DomainError
from fundtracker.services.plan import STALE


def requires(rule: Callable[[object], bool]):
    """Anonymous users go to the login page; signed-in users who fail `rule` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_or_404(model, object_id: int, rule: Callable[[object, object], bool], loader=None):
    """Load an object by id and check `rule(user, obj)`; a missing or forbidden object is 404."""
    if not 0 < object_id < 2**31:  # beyond an INTEGER column: PostgreSQL would raise
        abort(404)
    obj = loader(db.session, object_id) if loader else db.session.get(model, object_id)
    if obj is None or not rule(current_user, obj):
        abort(404)
    return obj


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def next_url(default_endpoint: str = "main.index") -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


def back_url(default_endpoint: str = "main.index") -> str:
    """The page the user came from when it is on this site, else `default_endpoint`."""
    referrer = request.referrer
    if referrer and referrer.startswith(request.host_url):
        return referrer
    return url_for(default_endpoint)


def form_errors_from(form: FlaskForm, error) -> None:
    """Show a DomainError on its field when the form has it, else as a flash message."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


# Past this, a page number is a probe, not a reader: it is taken as MAX_PAGE (a number too large
# for the database's OFFSET never reaches it; a list shorter than that shows its nearest page or
# an empty one, as it would for any page past its end).
MAX_PAGE = 10_000


def page_arg(name: str = "page") -> int:
    """The page number asked for in the query string: 1 when it is missing, not a whole number or
    below 1; at most MAX_PAGE."""
    page = request.args.get(name, 1, type=int)
    return 1 if page is None or page < 1 else min(page, MAX_PAGE)


class Paged(Pagination):
    """A page of rows worked out elsewhere (not by one SELECT, e.g. a ranking sorted in Python),
    for the same page links as `db.paginate`'s (the `pages` macro)."""

    def __init__(self, items: list, page: int, per_page: int, total: int) -> None:
        super().__init__(
            page=page,
            per_page=per_page,
            max_per_page=None,
            error_out=False,
            items=items,
            total=total,
        )

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


class PostOnlyForm(FlaskForm):
    """A form with no fields, only the CSRF token, for buttons that change state."""


def bulk_ids() -> list[int] | None:
    """The ids ticked for a bulk action, from its POST (the list's, or the confirmation's);
    None, with the reason flashed, when the form has expired or none or too many were chosen:
    the view then goes back to the list and nothing is done."""
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return None
    ids = bulk.ids_from(request.form.getlist("ids"))
    try:
        bulk.check_count(ids)
    except bulk.SelectionRefused as error:
        flash(error.message, "danger")
        return None
    return ids


@dataclass
class Outcome:
    ok: bool = False
    error: DomainError | None = None


@contextmanager
def attempt(form: FlaskForm | None = None):
    """Run the service calls in the block and commit once. A DomainError (or an edit that lost a
    race with another user's) rolls everything back and is shown on the form or as a message;
    `outcome.ok` tells the view whether to redirect."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
        outcome.ok = True
    except StaleDataError:
        db.session.rollback()
        flash(STALE, "danger")
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if form is not None:
            form_errors_from(form, error)
        else:
            flash(error.message, "danger")


def version_of(form) -> int | None:
    """The version of the object the form was loaded with (hidden field `version`)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError, AttributeError):
        return None


# nginx's internal locations for downloads (deploy/nginx): X-Accel-Redirect points there.
ACCEL_UPLOADS = "/_protected/uploads/"
ACCEL_REPORTS = "/_protected/reports/"


def send_download(path, internal: str, **kwargs):
    """A file as a download, after the caller has checked who may have it. Behind nginx
    (X_ACCEL_REDIRECT) the body is left to nginx: the response carries the headers the app sets
    (type, name, no caching) and an X-Accel-Redirect to `internal`, a path under one of nginx's
    internal locations, which a client cannot ask for itself."""
    accel = bool(current_app.config.get("X_ACCEL_REDIRECT"))
    response = send_file(path, conditional=not accel, **kwargs)
    if accel:
        response.close()  # the file the app opened: nginx sends its own
        response.response = []
        response.headers["Content-Length"] = "0"
        response.headers["X-Accel-Redirect"] = quote(internal)
    return response


def send_stored_file(stored):
    """An uploaded file (anything with storage_key, content_type and original_name) as a
    download, never shown inline: the caller has checked access to its owner already."""
    storage = file_storage()
    path = storage.local_path(stored.storage_key)
    if path is None:
        abort(404)
    return send_download(
        path,
        ACCEL_UPLOADS + storage.name(stored.storage_key),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )
