"""The public transparency page (issue #20): no sign-in, in the visitor's language, cached.

Only public projects appear (services/transparency.py decides which); the service computes
every figure and the templates print them."""

from __future__ import annotations

from babel.numbers import format_compact_currency
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from fundtracker.blueprints.transparency import bp
from fundtracker.blueprints.transparency.cache import (
    LANGUAGE_ARG,
    chosen_language,
    page_args,
    public_page,
    render_public,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGE_NAMES, TENGE_SIGN, current_locale, format_money
from fundtracker.services import transparency as svc
from fundtracker.web import Paged, charts, page_arg

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


def _compact(tiyn: float) -> str:
    """An amount of tiyn in compact tenge ("12,5 млрд ₸"), for the map's legend."""
    text = format_compact_currency(tiyn / 100, "KZT", locale=current_locale(), fraction_digits=1)
    return text.replace("KZT", TENGE_SIGN)


def _region_map(shares: list[svc.RegionShare], args: dict) -> charts.Chart:
    tiles = [
        charts.Tile(
            code=r.code,
            name=r.name,
            value=r.amount,
            said=ngettext(
                "%(num)d project, %(amount)s",
                "%(num)d projects, %(amount)s",
                r.count,
                amount=format_money(r.amount),
            )
            if r.count
            else _("no projects"),
            cells=[str(r.count), format_money(r.amount)],
            href=url_for("transparency.index", **dict(args, region=r.code)),
        )
        for r in shares
    ]
    return charts.tilemap(
        tiles,
        locale=current_locale(),
        title=_("Projects and amounts awarded by region"),
        headers=[_("Region"), _("Projects"), _("Awarded")],
        scale_fmt=_compact,
        none_label=_("No projects"),
    )


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
        region_map=_region_map(svc.by_region(db.session, flt, locale), dict(keep, **filters)),
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
