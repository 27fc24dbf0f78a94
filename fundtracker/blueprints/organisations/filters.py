"""The filters of the list of organisations, read from the query string (a GET form, no CSRF
token). A value that is not valid is dropped, never refused; `page_args` are the filters that
were taken, for the page links."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from fundtracker.core.text import clean_line
from fundtracker.models import Region
from fundtracker.services.organisations import OrganisationFilter
from fundtracker.web.forms import choices, int_or_none

VERIFIED = {"yes": True, "no": False}


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)], filters=[clean_line])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    verified = SelectField(_l("Verification"), validators=[Optional()])


def organisation_filters(
    regions: list[Region], locale: str
) -> tuple[OrganisationFilterForm, dict[str, str], OrganisationFilter]:
    anything = ("", _l("All"))
    form = OrganisationFilterForm(request.args)
    form.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])
    form.verified.choices = choices(
        [anything, ("yes", _l("Verified")), ("no", _l("Waiting for verification"))]
    )
    form.validate()
    region_id = form.region.data if not form.region.errors else None
    verified = form.verified.data if not form.verified.errors else ""
    flt = OrganisationFilter(
        q=(form.q.data or "") if not form.q.errors else "",
        region_id=region_id if isinstance(region_id, int) else None,
        verified=VERIFIED.get(verified),
    )
    args = {
        "q": flt.q,
        "region": flt.region_id,
        "verified": verified if verified in VERIFIED else "",
    }
    return form, {k: str(v) for k, v in args.items() if v}, flt
