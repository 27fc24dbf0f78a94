"""The portfolio's outcomes, and their CSV.

A protected audience (the board) sees only published periods: the stored, protected tables of one
publication, read once per page, filtered by area, region or both to the stored cell of that
filter. Staff see live roll-ups over any range of dates by default, and may pick a published
period to see exactly what the board sees. The CSV leaves the fund, so it is always a published
period, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import disclosure, permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.forms import PortfolioFilterForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.page_cache import cached_page
from fundtracker.core.time import local_day, today
from fundtracker.models import AGE_GROUPS, SEXES, Publication
from fundtracker.models.labels import category_labels, dimension_labels
from fundtracker.services import (
    export,
    outcomes,
    publications,
    reference,
    rollups,
    sustainability,
    wellbeing,
)
from fundtracker.services.publications import UNKNOWN, views
from fundtracker.web import audit as audit_log
from fundtracker.web import charts, requires


@dataclass
class Filters:
    form: PortfolioFilterForm
    live: bool  # staff, on live figures
    publication: Publication | None  # the published period shown (None: live, or none yet)
    published: int  # how many periods are published
    start: date | None = None
    end: date | None = None
    area: int | None = None
    region: int | None = None
    region_code: str | None = None
    indicator: int | None = None

    @property
    def refused(self) -> bool:
        """An unknown period was asked for: its error is shown, and no figures."""
        return bool(self.form.period.errors)


def _filters(*, export: bool = False) -> Filters:
    """The filters of the address. `export`: for the CSV, which is published figures whoever
    asks (no period is the latest)."""
    form = PortfolioFilterForm(request.args)
    found = publications.publications(db.session)
    regions = reference.regions(db.session)
    raw = disclosure.sees_raw(current_user) and not export
    form.fill_choices(
        reference.areas(db.session),
        regions,
        outcomes.library(db.session),
        current_locale(),
        [(p.period, disclosure.parse(p.period).label()) for p in found],
        live=raw,
    )
    if not raw:
        form.published_only(found[0].period if found else None)
    valid = form.validate()
    key = None if form.period.errors else form.period.data
    publication = next((p for p in found if p.period == key), None) if key else None
    live = raw and publication is None and not form.period.errors
    if live:
        form.period.data = ""  # "Live figures", chosen
    elif form.start is not None:
        # Dates do not apply to a published period: not shown as if they did.
        for field in (form.start, form.end):
            field.data, field.raw_data = None, []
    filters = Filters(form, live, publication, len(found))
    if valid:  # (as before publishing: a filter in error shows the whole portfolio)
        if live:
            filters.start, filters.end = form.start.data, form.end.data
        filters.area, filters.region = form.area.data, form.region.data
        filters.indicator = form.indicator.data
        filters.region_code = next((r.code for r in regions if r.id == filters.region), None)
    return filters


def _progress(figures, title: str):
    return charts.progress(
        [(f.name, f.achieved, f.target) for f in figures],
        title=title,
        headers=(_("Indicator"), _("Achieved"), _("Target"), _("Share of target")),
        display=[(f.achieved_display, f.target_display) for f in figures],
    )


def _region_chart(by_region: rollups.RegionRollup):
    """One indicator by region, as a bar chart with its table (None without regions)."""
    if not by_region.regions:
        return None
    return charts.hbar(
        [
            (
                r.name if r.code != rollups.UNATTRIBUTED else _("Not attributable to one region"),
                r.achieved,
            )
            for r in by_region.regions
        ],
        title=_("%(indicator)s, by region", indicator=by_region.name),
        label_header=_("Region"),
        value_header=_("Achieved"),
        display=[r.display for r in by_region.regions],
    )


def _live(filters: Filters) -> dict:
    """Staff's live, raw roll-ups over any range of dates (unchanged by publishing)."""
    start, end, area, region = filters.start, filters.end, filters.area, filters.region
    labels = category_labels()
    user = current_user
    totals = rollups.period_totals(db.session, start, end)
    figures = rollups.by_indicator(
        db.session, user, start, end, area, region, labels=labels, totals=totals
    )
    areas = rollups.by_area(
        db.session, user, start, end, area, region, labels=labels, totals=totals
    )
    region_chart = None
    chosen = filters.indicator or (figures[0].standard_id if figures else None)
    if chosen is not None:
        by_region = rollups.by_region(db.session, user, chosen, start, end, area, totals=totals)
        region_chart = _region_chart(by_region)
    return {
        "figures": figures,
        "areas": areas,
        "region_chart": region_chart,
        "region_filtered": region is not None,
    }


def _published(filters: Filters) -> dict:
    """One publication's stored tables: the cell of the area, the region or both; the regional
    chart from the region cells (an area's, with one), "several regions" included so that its
    rows add up to the total."""
    published = publications.load(db.session, filters.publication)
    locale = current_locale()
    area, code = filters.area, filters.region_code
    figures = views.by_indicator(
        db.session, published, area, code, locale=locale, labels=category_labels()
    )
    areas = views.by_area(db.session, published, area, code, locale=locale)
    region_chart = None
    chosen = filters.indicator or (figures[0].standard_id if figures else None)
    if chosen is not None and chosen in published.measures("std"):
        by_region = views.by_region(db.session, published, ("std", chosen), area, locale=locale)
        region_chart = _region_chart(by_region)
    return {
        "figures": figures,
        "areas": areas,
        "region_chart": region_chart,
        "stamp": {
            "period": published.period.label(),
            "published_at": published.published_at,
        },
    }


@bp.get("/portfolio")
@requires(permissions.can_view_portfolio_outcomes)
@cached_page  # the key has the query string (the period among it) and the data version
def portfolio():
    filters = _filters()
    if filters.live:
        shown = _live(filters)
    elif filters.publication is not None:
        shown = _published(filters)
    else:  # nothing published yet, or an unknown period asked for
        shown = {"figures": [], "areas": [], "region_chart": None}
    figures = shown["figures"]
    progress = (
        _progress(figures, _("Achieved against target, by standard indicator")) if figures else None
    )
    area_charts = [_progress(a.indicators, a.name) for a in shown["areas"]]
    export = {
        k: v
        for k, v in (
            ("period", filters.publication.period if filters.publication else None),
            ("area", filters.area),
            ("region", filters.region),
        )
        if v is not None
    }
    return render_template(
        "outcomes/portfolio.html",
        form=filters.form,
        live=filters.live,
        refused=filters.refused,
        published_any=filters.published > 0,
        figures=figures,
        progress=progress,
        area_charts=area_charts,
        # The same figures, grouped by child well-being domain (issue #21): nothing added up.
        domains=wellbeing.by_domain(db.session, figures, current_locale()),
        region_chart=shown["region_chart"],
        region_filtered=shown.get("region_filtered", False),
        stamp=shown.get("stamp"),
        export=export,
        # Closed projects' follow-ups (issue #21), protected as in the board report.
        sustainability=sustainability.board_section(
            db.session, today(), current_locale(), filters.area, filters.region
        ),
    )


def _count(value: int, display: str) -> int | str:
    """A published count as the CSV writes it: the number, plain, when it is printed; else its
    mark (hidden, nothing reported), as the page shows it."""
    return value if disclosure.is_printed(display) else display


# The breakdown columns of the CSV: each sex and age group, and what was not recorded.
_BREAKDOWN_COLUMNS = [("sex", k) for k in (*SEXES, UNKNOWN)] + [
    ("age", k) for k in (*AGE_GROUPS, UNKNOWN)
]


@bp.get("/portfolio.csv")
@requires(permissions.can_view_portfolio_outcomes)
def portfolio_csv():
    """A published period's figures as CSV, the same cells as the page shows for the same
    filters. It leaves the fund, so it is published figures for everyone, staff included: the
    latest period unless one is asked for; only the header while nothing is published yet."""
    filters = _filters(export=True)
    if filters.refused:
        return Response(
            "\n".join(str(e) for e in filters.form.period.errors) + "\n",
            status=404,
            mimetype="text/plain",
        )
    labels = category_labels()
    dimensions = dimension_labels()
    locale = current_locale()
    header = [
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Period"),
        _("Published on"),
        _("Achieved"),
        _("Target"),
        _("Projects"),
    ] + [
        str(labels[k])
        if k != UNKNOWN
        else _("%(breakdown)s: %(category)s", breakdown=dimensions[d], category=labels[k])
        for d, k in _BREAKDOWN_COLUMNS
    ]
    rows = []
    name = "outcomes.csv"
    if filters.publication is not None:
        published = publications.load(db.session, filters.publication)
        period = published.period.label()
        day = local_day(published.published_at).isoformat()
        figures = views.by_indicator(
            db.session, published, filters.area, filters.region_code, labels=labels
        )
        for f in figures:
            shown = {
                (b.dimension, c.key): _count(c.value, c.display)
                for b in f.breakdowns
                for c in b.cells
            }
            rows.append(
                [f.code, f.name, f.unit, period, day]
                + [
                    _count(f.achieved, f.achieved_display),
                    f.target if f.target is not None else f.target_display,
                    f.projects,
                ]
                + [shown.get(column, "") for column in _BREAKDOWN_COLUMNS]
            )
        name = f"outcomes-{published.period.key}.csv"
    # The same CSV as the project export: the reader's delimiter and decimal mark, plain numbers,
    # formulas neutralised, a byte-order mark.
    response = Response(
        export.to_csv(header, rows, locale),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
    audit_log.record_read(
        "export.downloaded",
        details={
            "list": "outcomes",
            "file": name,
            "rows": len(rows),
            "area": filters.area,
            "region": filters.region_code,
        },
    )
    return response
