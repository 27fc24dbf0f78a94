"""The project filters (list, export, dashboard) read from the query string."""

from flask import request

from fundtracker.blueprints.projects.forms import ProjectFilterForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import ProjectStatus
from fundtracker.models.labels import status_labels
from fundtracker.services import reference
from fundtracker.services.projects import ProjectFilter


def filters_from_request(portfolio: bool) -> tuple[ProjectFilterForm, ProjectFilter]:
    """The list filters from the query string; invalid values are dropped, not refused."""
    locale = current_locale()
    form = ProjectFilterForm(request.args)
    form.fill_choices(
        reference.areas(db.session),
        reference.regions(db.session, locale),
        reference.officers(db.session) if portfolio else [],
        status_labels(),
        locale,
    )
    form.validate()
    status_value = (
        form.status.data if form.status.data in ProjectStatus._value2member_map_ else None
    )
    flt = ProjectFilter(
        area_id=form.area.data if not form.area.errors else None,
        region_id=form.region.data if not form.region.errors else None,
        status=ProjectStatus(status_value) if status_value else None,
        officer_id=form.officer.data if portfolio and not form.officer.errors else None,
        q=(form.q.data or "") if not form.q.errors else "",
        sort=form.sort.data if not form.sort.errors else "code",
        descending=form.order.data == "desc",
    )
    return form, flt


FILTER_KEYS = ("q", "area", "region", "status", "officer", "sort", "order")


def filter_args() -> dict[str, str]:
    """The filters in the query string, to carry over into links (pages, exports). Only known
    keys: anything else would be passed to url_for as one of its own arguments."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
