"""What the API's write endpoints share: one commit per request, and the services' domain errors
as JSON answers, in the language the request chose (core/i18n.py `select_locale`).

As `web.attempt` does for a page: the service calls of a request are committed once at the
end; any error rolls everything back, so nothing is half-written. A `DomainError` becomes

- 409 for a `Conflict` (an edit based on an older version, or data that exists already), and
  for an edit that lost a race (`StaleDataError`);
- 403 for `NotAllowed` (the user may not do this, whatever the token's scopes);
- 422 otherwise, with the field it belongs to in `errors` (`{"json": {field: [message]}}`, the
  shape of a request body's validation errors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask_smorest import abort
from marshmallow import fields, validate
from sqlalchemy.orm.exc import StaleDataError

from fundtracker.core.extensions import db
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import STALE

# PostgreSQL stores no NUL character in a text: such a text is refused as invalid input.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Text may not contain NUL characters.")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Text(fields.String):
    """A string as a browser's form gives one: JSON may escape a lone surrogate (half of a
    UTF-16 pair), which no UTF-8 text holds and no database stores; each becomes U+FFFD, as
    werkzeug decodes a form's bytes."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _LONE_SURROGATE.sub("\ufffd", super()._deserialize(value, attr, data, **kwargs))


def field_errors(field: str | None, message) -> dict | None:
    return {"json": {field: [str(message)]}} if field else None


def abort_for(error: DomainError, errors: dict | None = None, field: str | None = None):
    """Answer a domain error: 409, 403 or 422 (see the module's docstring). `field` names the
    request's field when it differs from the service's own name for it."""
    message = str(error.message)
    errors = errors or field_errors(field or error.field, message)
    if isinstance(error, Conflict):
        abort(409, message=message, **({"errors": errors} if errors else {}))
    if isinstance(error, NotAllowed):
        abort(403, message=message)
    abort(422, message=message, **({"errors": errors} if errors else {}))


@contextmanager
def one_commit() -> Iterator[None]:
    """Run the block's service calls and commit once; roll back on any error (a domain error is
    answered as the module's docstring says, anything else goes on)."""
    try:
        yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        abort(409, message=str(STALE))
    except DomainError as error:
        db.session.rollback()
        abort_for(error)
    except BaseException:
        db.session.rollback()
        raise
