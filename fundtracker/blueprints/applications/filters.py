"""The filters of the lists of applications and of calls, read from the query string.

Each is a GET form (no CSRF token). A value that is not valid (not a number, not one of the
choices, too long) is dropped, never refused: the list shows as if it had not been given.
`page_args` are the filters that were taken, for the page links."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField
from wtforms.validators import Length, Optional

from fundtracker.core.text import clean_line
from fundtracker.models import ApplicationStatus, Call, CallStatus
from fundtracker.services.applications import ApplicationFilter
from fundtracker.services.calls import CallFilter
from fundtracker.web.forms import choices, int_or_none

SEARCH_MAX = 200


def _search_field(label=None) -> SearchField:
    return SearchField(
        label or _l("Search"),
        validators=[Optional(), Length(max=SEARCH_MAX)],
        filters=[clean_line],
    )


def _valid_id(value) -> int | None:
    """A row id as the database can hold it (an INTEGER column), else None."""
    return value if isinstance(value, int) and 0 < value < 2**31 else None


class ApplicationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = _search_field()
    call = SelectField(_l("Call"), coerce=int_or_none, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    # Set from a row's organisation link (a list of every organisation would not fit a page);
    # kept when the other filters are changed.
    organisation = HiddenField(filters=[int_or_none])


class CallFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = _search_field()
    status = SelectField(_l("Status"), validators=[Optional()])


@dataclass
class Filtered:
    form: FlaskForm
    page_args: dict[str, str]


def application_filters(
    calls: list[Call], status_labels: dict, locale: str
) -> tuple[Filtered, ApplicationFilter]:
    """The filters of the list of applications; `calls` are those it may be narrowed to,
    `status_labels` the statuses (label by status) it may show."""
    anything = ("", _l("All"))
    form = ApplicationFilterForm(request.args)
    form.call.choices = choices([anything] + [(c.id, c.title(locale)) for c in calls])
    form.status.choices = choices([anything] + [(s.value, lbl) for s, lbl in status_labels.items()])
    form.validate()
    flt = ApplicationFilter(
        q=(form.q.data or "") if not form.q.errors else "",
        call_id=_valid_id(form.call.data) if not form.call.errors else None,
        status=ApplicationStatus(form.status.data)
        if not form.status.errors and form.status.data in {s.value for s in status_labels}
        else None,
        organisation_id=_valid_id(form.organisation.data),
    )
    form.organisation.data = flt.organisation_id or ""
    args = {
        "q": flt.q,
        "call": flt.call_id,
        "status": flt.status.value if flt.status else None,
        "organisation": flt.organisation_id,
    }
    return Filtered(form, {k: str(v) for k, v in args.items() if v}), flt


def call_filters(status_labels: dict) -> tuple[Filtered, CallFilter]:
    """The filters of the list of calls; `status_labels` (label by status) are empty for those
    who see open calls only."""
    form = CallFilterForm(request.args)
    form.status.choices = choices(
        [("", _l("All"))] + [(s.value, label) for s, label in status_labels.items()]
    )
    form.validate()
    status = form.status.data if not form.status.errors else None
    flt = CallFilter(
        q=(form.q.data or "") if not form.q.errors else "",
        status=CallStatus(status) if status in {s.value for s in status_labels} else None,
    )
    args = {"q": flt.q, "status": flt.status.value if flt.status else None}
    return Filtered(form, {k: str(v) for k, v in args.items() if v}), flt
