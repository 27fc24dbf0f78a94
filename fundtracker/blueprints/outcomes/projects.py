"""A project's outcomes page (its indicators with their results, progress and stories), and
setting its indicators.

Staff and the project's own grantee see the live, raw results. Anyone else (the board) sees a
count of people only as it was published (services/publications): the project's cells of each
published period, never a result's own value, breakdown, history or chart. Percentages and yes/no
indicators are not counts of people and are shown as they are."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import disclosure, permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.common import _load_indicator, _load_project, _region_names
from fundtracker.blueprints.outcomes.forms import (
    IndicatorForm,
    LockForm,
    LockPeriodsForm,
    ReviewResultForm,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale, format_d
from fundtracker.disclosure import fmt_count
from fundtracker.models import (
    Direction,
    Frequency,
    IndicatorResult,
    IndicatorType,
    Project,
    ProjectIndicator,
    ResultStatus,
)
from fundtracker.models.labels import (
    RESULT_BADGES,
    category_labels,
    dimension_labels,
    frequency_labels,
    indicator_type_labels,
    result_status_labels,
)
from fundtracker.services import outcomes, publications, rollups
from fundtracker.web import PostOnlyForm, attempt, charts, requires, version_of
from fundtracker.web.forms import choices


@dataclass
class BreakdownView:
    label: str
    cells: list[tuple[str, str]]  # (category label, display)


@dataclass
class ResultView:
    result: IndicatorResult
    label: str
    display: str
    breakdowns: list[BreakdownView]
    can_correct: bool
    can_review: bool
    can_lock: bool
    history: list[tuple[object, str, str]] = field(default_factory=list)


@dataclass
class PublishedRow:
    """One published period of the project: its figure for each column of the table."""

    period: str  # "2025 Q1"
    published_at: datetime
    displays: list[str]  # as published: a number, "…" (hidden) or "—" (nothing reported)


@dataclass
class PublishedTable:
    columns: list[str]  # the project's count indicators, then people reached
    rows: list[PublishedRow]


def _result_view(result: IndicatorResult, raw: bool, region_names: dict) -> ResultView:
    """A result as its page shows it: for those who see raw figures, its value, breakdowns and
    earlier values; for others (a percentage or yes/no indicator only), its value."""
    indicator = result.indicator
    names = {**category_labels(), **region_names}
    dim_labels = dimension_labels()
    breakdowns = []
    for dimension in indicator.dimensions if raw else ():
        cells = result.breakdown(dimension)
        if not cells:
            continue
        order = outcomes.categories(indicator)[dimension]
        breakdowns.append(
            BreakdownView(
                str(dim_labels[dimension.value]),
                [(str(names.get(k, k)), fmt_count(cells.get(k, 0))) for k in order],
            )
        )
    user = current_user
    project = indicator.project
    can_review = permissions.can_verify_results(user, project) and not result.locked
    return ResultView(
        result=result,
        label=outcomes.period_label(indicator.frequency, result.period_start),
        display=fmt_count(result.value),
        breakdowns=breakdowns,
        can_correct=permissions.can_correct_result(user, result),
        can_review=can_review and result.status in (ResultStatus.REPORTED, ResultStatus.QUERIED),
        can_lock=can_review and result.status == ResultStatus.VERIFIED,
        history=[(rev.changed_at, fmt_count(rev.value), rev.reason) for rev in result.revisions]
        if raw
        else [],
    )


def _measure(indicator: ProjectIndicator) -> tuple[str, int]:
    """The published measure a count indicator's figures go into."""
    if indicator.standard_id is not None:
        return ("std", indicator.standard_id)
    return ("ind", indicator.id)


def _published_table(
    project: Project, indicators: list[ProjectIndicator], locale: str
) -> PublishedTable:
    """The project's published figures, newest period first: each count indicator (one column
    per published measure) and the people reached of its accepted milestone updates."""
    measures: dict[tuple[str, int], str] = {}
    for indicator in indicators:
        if indicator.type == IndicatorType.COUNT:
            measures.setdefault(_measure(indicator), indicator.title(locale))
    measures[publications.REACHED] = _("People reached (accepted updates)")
    rows = [
        PublishedRow(
            disclosure.parse(publication.period).label(),
            publication.published_at,
            [figures.get(m, publications.NOTHING_REPORTED).display for m in measures],
        )
        for publication, figures in publications.project_figures(db.session, project.id)
    ]
    return PublishedTable(list(measures.values()), rows)


def _chart(indicator: ProjectIndicator, series, locale: str):
    if not series.points:
        return None
    return charts.lines(
        [p.label for p in series.points],
        [(_("Verified"), [p.value for p in series.points])],
        title=indicator.title(locale),
        period_header=_("Period"),
    )


@bp.get("/projects/<int:project_id>")
@requires(permissions.is_signed_in)
def project(project_id: int):
    project = _load_project(project_id)
    user = current_user
    raw = disclosure.sees_raw(user, project)
    region_names = _region_names(project)
    locale = current_locale()
    indicators = outcomes.project_indicators(db.session, project, with_results=True)
    series = {s.indicator_id: s for s in rollups.project_series(db.session, project, user)}
    views = []
    for indicator in indicators:
        # A protected reader sees a count of people only as published (the table above): the
        # live series leaves those indicators out for them.
        s = series.get(indicator.id)
        shown = s is not None
        results = [r for r in indicator.results if permissions.can_view_result(user, r)]
        views.append(
            {
                "indicator": indicator,
                "series": s if shown else None,
                "published_only": not shown,
                "chart": _chart(indicator, s, locale) if shown else None,
                "results": [_result_view(r, raw, region_names) for r in reversed(results)]
                if shown
                else [],
                "can_report": permissions.can_report_on(user, project),
                "can_edit": permissions.can_plan_indicators(user, project),
            }
        )
    counted = [s for s in series.values() if s.target and s.points is not None]
    progress = None
    if counted:
        progress = charts.progress(
            [(s.name, s.achieved, s.target) for s in counted],
            title=_("Achieved against target (verified results)"),
            headers=(_("Indicator"), _("Achieved"), _("Target"), _("Share of target")),
            display=[(fmt_count(s.achieved), fmt_count(s.target)) for s in counted],
        )
    lock_periods_form = None
    if permissions.can_verify_results(user, project):
        ends = outcomes.lockable_period_ends(indicators)
        if ends:
            lock_periods_form = LockPeriodsForm(formdata=None)
            lock_periods_form.until.choices = choices(
                (end.isoformat(), format_d(end)) for end in ends
            )
    return render_template(
        "outcomes/project.html",
        lock_periods_form=lock_periods_form,
        project=project,
        views=views,
        progress=progress,
        published=None if raw else _published_table(project, indicators, locale),
        # Board views are reports: only the stories with consent.
        stories=outcomes.stories(db.session, project, for_report=not raw),
        can_plan=permissions.can_plan_indicators(user, project),
        can_add_story=permissions.can_add_story(user, project),
        status_labels=result_status_labels(),
        badges=RESULT_BADGES,
        frequency_labels=frequency_labels(),
        type_labels=indicator_type_labels(),
        dim_labels=dimension_labels(),
        review_form=ReviewResultForm(formdata=None),
        lock_form=LockForm(formdata=None),
        csrf_form=PostOnlyForm(formdata=None),
        raw=raw,
    )


def _indicator_data(form) -> outcomes.IndicatorData:
    return outcomes.IndicatorData(
        standard_id=form.standard_id.data,
        name=form.name.data or "",
        unit=form.unit.data or "",
        type=IndicatorType(form.type.data),
        baseline=form.baseline.data or 0,
        target=form.target.data or 0,
        direction=Direction(form.direction.data),
        cumulative=bool(form.cumulative.data),
        frequency=Frequency(form.frequency.data),
        by_region=bool(form.by_region.data),
        by_sex=bool(form.by_sex.data),
        by_age=bool(form.by_age.data),
    )


def _indicator_form(indicator=None):
    form = IndicatorForm(obj=indicator) if request.method == "GET" else IndicatorForm()
    form.fill_choices(outcomes.library(db.session, active_only=True), current_locale())
    if request.method == "GET" and indicator is not None:
        form.type.data = indicator.type.value
        form.direction.data = indicator.direction.value
        form.frequency.data = indicator.frequency.value
        form.version.data = indicator.version_id
    elif request.method == "GET":
        form.frequency.data = Frequency.QUARTERLY.value
    return form


@bp.route("/projects/<int:project_id>/indicators/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def indicator_new(project_id: int):
    project = _load_project(project_id)
    if not permissions.can_plan_indicators(current_user, project):
        abort(403)
    form = _indicator_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.add_indicator(db.session, current_user, project, _indicator_data(form))
        if outcome.ok:
            flash(_("The indicator has been added."), "success")
            return redirect(url_for(".project", project_id=project.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html",
        form=form,
        title=_("New indicator: %(code)s", code=project.code),
        back=url_for(".project", project_id=project.id),
    ), status


@bp.route("/project-indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def indicator_edit(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    if not permissions.can_plan_indicators(current_user, indicator.project):
        abort(403)
    form = _indicator_form(indicator)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.edit_indicator(
                db.session, current_user, indicator, _indicator_data(form), version_of(form)
            )
        if outcome.ok:
            flash(_("The indicator has been saved."), "success")
            return redirect(url_for(".project", project_id=indicator.project_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html",
        form=form,
        title=indicator.title(current_locale()),
        back=url_for(".project", project_id=indicator.project_id),
    ), status
