"""Publishing outcome figures (fund staff only).

- /outcomes/publications: every period of the grid that has ended, published (by whom, when,
  what the audit found) or not (ready, or what holds it back), with a Publish button.
- /outcomes/publications/<period>/publish: what publishing the period does, and the button that
  does it (a POST with its CSRF token); the service flushes, the view commits once.
- /outcomes/publications/<period>: a publication's audit, with every hidden cell in words, its
  true value, why it is hidden and the range the audit's intruder can work out for it; or, for a
  period not published yet, the results that hold it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.disclosure import grid
from fundtracker.models import CellStatus, Publication, PublishedCell, ResultStatus
from fundtracker.models.labels import RESULT_BADGES, category_labels, result_status_labels
from fundtracker.services import outcomes, publications, reference
from fundtracker.services.publications import SEVERAL
from fundtracker.services.publications.cells import measure_of
from fundtracker.services.publications.publish import (
    Readiness,
    cell_subjects,
    hidden_cells,
    readiness,
    waiting_results,
)
from fundtracker.web import Paged, PostOnlyForm, attempt, page_arg, requires

HIDDEN_PER_PAGE = 200


@bp.app_context_processor
def _publications_navigation():
    return {"nav_publications": permissions.can_view_publications(current_user)}


# The list of periods ---------------------------------------------------------------------------


@dataclass
class PeriodRow:
    """One ended period as the publications page shows it."""

    key: str
    label: str
    kind: str  # "Q", "H" or "Y"
    publication: Publication | None
    audit: dict
    ready: bool
    problems: list
    waiting: dict  # status label -> how many, for the period's results not verified yet
    parts: list[str]  # labels of the periods published with it


def _waiting_labels(counts) -> dict:
    labels = result_status_labels()
    order = (ResultStatus.REPORTED, ResultStatus.QUERIED, ResultStatus.DRAFT)
    return {labels[s]: counts[s] for s in order if counts.get(s)}


def _row(r: Readiness) -> PeriodRow:
    return PeriodRow(
        key=r.period.key,
        label=r.period.label(),
        kind=r.period.kind,
        publication=r.publication,
        audit=dict(r.publication.audit or {}) if r.publication else {},
        ready=r.ready,
        problems=r.problems,
        waiting=_waiting_labels(r.waiting),
        parts=[p.label() for p in r.parts],
    )


@bp.get("/publications", endpoint="publications")
@requires(permissions.can_view_publications)
def publications_page():
    rows = [_row(r) for r in readiness(db.session, today())]
    years: dict[str, list[PeriodRow]] = {}
    for row in rows:
        years.setdefault(row.key[:4], []).append(row)
    return render_template(
        "outcomes/publications.html",
        years=years,
        published=sum(1 for r in rows if r.publication is not None),
        ready=sum(1 for r in rows if r.ready),
        can_publish=permissions.can_publish_outcomes(current_user),
    )


# Publishing one ------------------------------------------------------------------------------


def _period_or_404(key: str) -> grid.Period:
    try:
        return grid.parse(key)
    except ValueError:
        abort(404)


@bp.route("/publications/<period>/publish", methods=["GET", "POST"], endpoint="publish")
@requires(permissions.can_publish_outcomes)
def publish_period(period: str):
    """GET: what publishing the period does, and the button; POST: publish it."""
    chosen = _period_or_404(period)
    form = PostOnlyForm()
    found = publications.problems(db.session, chosen, today())
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form has expired: please try again."), "danger")
        elif not found:  # (what holds it back is listed on the page, not flashed as well)
            with attempt() as outcome:
                made = publications.publish(db.session, current_user, chosen.key, today())
            if outcome.ok:
                flash(_published_message(made), "success")
                return redirect(url_for(".publication", period=chosen.key))
            found = publications.problems(db.session, chosen, today())
        status = 422
    published = publications.published_periods(db.session)
    return render_template(
        "outcomes/publications_confirm.html",
        period=chosen,
        label=chosen.label(),
        problems=found,
        parts=[p.label() for p in chosen.within() if p != chosen and p.key not in published],
        form=form,
    ), status


def _published_message(made: list[Publication]) -> str:
    asked = grid.parse(made[-1].period).label()
    if len(made) == 1:
        return _("The outcome figures of %(period)s are published.", period=asked)
    return _(
        "The outcome figures of %(period)s are published, with %(parts)s.",
        period=asked,
        parts=", ".join(grid.parse(p.period).label() for p in made[:-1]),
    )


# A publication's audit ---------------------------------------------------------------------------


@dataclass
class HiddenRow:
    """One hidden cell in words."""

    measure: str
    table: str
    where: str  # its coordinates: area, region, sex or age group, project
    value: int
    primary: bool
    why: str
    low: int | None
    high: int | None


def _table_labels() -> dict[str, str]:
    return {
        "total": _("All projects"),
        "area": _("By programme area"),
        "region": _("By region"),
        "area_region": _("By programme area and region"),
        "sex": _("By sex"),
        "age": _("By age group"),
        "project": _("By project"),
    }


def _describe(cells: list[PublishedCell]) -> list[HiddenRow]:
    """The cells in words, with what naming them needs loaded in a few queries (regions, areas,
    the standards' and project indicators' names, the projects')."""
    locale = current_locale()
    indicators, projects = cell_subjects(db.session, cells)
    standards = {s.id: s for s in outcomes.library(db.session)}
    areas = {a.id: a.name(locale) for a in reference.areas(db.session)}
    regions = {r.code: r.name(locale) for r in reference.regions(db.session)}
    categories = category_labels()
    tables = _table_labels()

    def project_name(project_id: int) -> str:
        project = projects.get(project_id)
        return f"{project.code} {project.title(locale)}" if project else str(project_id)

    def measure_name(cell: PublishedCell) -> str:
        kind, mid = measure_of(cell.standard_id, cell.indicator_id)
        if kind == "std":
            standard = standards.get(mid)
            return standard.name(locale) if standard else str(mid)
        if kind == "ind":
            indicator = indicators.get(mid)
            return indicator.title(locale) if indicator else str(mid)
        return _("People reached")

    rows = []
    for cell in cells:
        where = []
        if cell.area_id is not None:
            where.append(areas.get(cell.area_id, str(cell.area_id)))
        if cell.region is not None:
            where.append(
                _("Several regions") if cell.region == SEVERAL else regions.get(cell.region, "?")
            )
        if cell.category is not None:
            where.append(str(categories.get(cell.category, cell.category)))
        if cell.project_id is not None:
            where.append(project_name(cell.project_id))
        primary = cell.status == CellStatus.PRIMARY
        rows.append(
            HiddenRow(
                measure=measure_name(cell),
                table=tables.get(cell.table, cell.table),
                where=" · ".join(where) or _("All projects"),
                value=cell.value,
                primary=primary,
                why=(
                    _("a count of 1 to 4 people")
                    if primary
                    else _("hidden so that another cannot be worked out")
                ),
                low=cell.low,
                high=cell.high,
            )
        )
    return rows


@bp.get("/publications/<period>", endpoint="publication")
@requires(permissions.can_view_publications)
def publication_page(period: str):
    chosen = _period_or_404(period)
    publication = publications.find(db.session, chosen.key)
    if publication is None:
        return _not_published(chosen)
    cells = hidden_cells(db.session, publication)
    page = page_arg()
    shown = cells[(page - 1) * HIDDEN_PER_PAGE : page * HIDDEN_PER_PAGE]
    return render_template(
        "outcomes/publications_audit.html",
        period=chosen,
        label=chosen.label(),
        publication=publication,
        audit=dict(publication.audit or {}),
        together=[grid.parse(k).label() for k in (publication.audit or {}).get("together", [])],
        hidden=_describe(shown),
        hidden_count=len(cells),
        pagination=Paged(shown, page, HIDDEN_PER_PAGE, len(cells)),
    )


def _not_published(period: grid.Period):
    """A period not published yet: whether it can be, and the results that hold it back."""
    locale = current_locale()
    waiting = waiting_results(db.session, period)
    labels = result_status_labels()
    rows = [
        {
            "result": r,
            "project": r.indicator.project,
            "indicator": r.indicator.title(locale),
            "status": labels[r.status],
            "badge": RESULT_BADGES.get(r.status.value, "secondary"),
            # A draft is the grantee's, in a milestone update not submitted yet: its milestone's
            # page is where the officer sees it waiting.
            "milestone": (
                r.milestone_update.milestone
                if r.milestone_update and r.status == ResultStatus.DRAFT
                else None
            ),
        }
        for r in waiting
    ]
    return render_template(
        "outcomes/publications_period.html",
        period=period,
        label=period.label(),
        problems=publications.problems(db.session, period, today()),
        waiting=rows,
        can_publish=permissions.can_publish_outcomes(current_user),
    )
