"""The public transparency page (issue #20): no sign-in, in the visitor's language, cached.

Only public projects appear (services/transparency.py decides which); the service computes
every figure and the templates print them."""

from __future__ import annotations

from flask import abort, request, url_for

from fundtracker.blueprints.transparency import bp
from fundtracker.blueprints.transparency.cache import (
    LANGUAGE_ARG,
    chosen_language,
    page_args,
    public_page,
    render_public,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGE_NAMES, current_locale
from fundtracker.services import transparency as svc
from fundtracker.web import Paged, page_arg
from fundtracker.web.region_map import region_map

_CODE_MAX = 32


def _filter(areas, regions) -> svc.PublicFilter:
    """The filters of the address; an unknown code is no filter (a public page does not argue)."""
    area = request.args.get("area") or None
    region = request.args.get("region") or None
    return svc.PublicFilter(
        area=area if area in {a.code for a in areas} else None,
        region=region if region in {r.code for r in regions} else None,
    )


def _language_links(endpoint: str, args: dict) -> list[dict]:
    here = current_locale()
    return [
        {
            "code": code,
            "name": name,
            "href": url_for(endpoint, **dict(args, **{LANGUAGE_ARG: code})),
            "current": code == here,
        }
        for code, name in LANGUAGE_NAMES.items()
    ]


@bp.get("/")
@public_page
def index() -> str:
    locale = current_locale()
    areas, regions = svc.choices(db.session, locale)
    flt = _filter(areas, regions)
    page = page_arg()
    items, total = svc.project_page(db.session, flt, locale, page)
    # Links keep the language the address asked for, and the filters.
    keep = {LANGUAGE_ARG: chosen_language()} if chosen_language() else {}
    filters = {k: v for k, v in (("area", flt.area), ("region", flt.region)) if v}
    return render_public(
        "transparency/index.html",
        totals=svc.totals(db.session, flt),
        projects=Paged(items, page, svc.PER_PAGE, total),
        areas=areas,
        regions=regions,
        flt=flt,
        filtered=bool(filters),
        page_args=dict(keep, **filters),
        keep=keep,
        region_map=region_map(
            svc.by_region(db.session, flt, locale),
            lambda r: url_for("transparency.index", **{**keep, **filters, "region": r.code}),
        ),
        outcomes=svc.outcomes(db.session, locale),
        status_labels=svc.public_status_labels(),
        languages=_language_links("transparency.index", page_args()),
    )


@bp.get("/projects/<code>")
@public_page
def project(code: str) -> str:
    if len(code) > _CODE_MAX:
        abort(404)
    found = svc.public_project(db.session, code)
    if found is None:
        abort(404)
    locale = current_locale()
    keep = {LANGUAGE_ARG: chosen_language()} if chosen_language() else {}
    return render_public(
        "transparency/project.html",
        project=svc.project_detail(db.session, found, locale),
        outcomes=svc.project_outcomes(db.session, found, locale),
        status_labels=svc.public_status_labels(),
        keep=keep,
        languages=_language_links("transparency.project", dict(page_args(), code=found.code)),
    )
