"""A project's outcomes page (its indicators with their results, progress and stories), and
setting its indicators."""

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions, privacy
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
from fundtracker.models import Direction, Frequency, IndicatorResult, IndicatorType, ResultStatus
from fundtracker.models.labels import (
    RESULT_BADGES,
    category_labels,
    dimension_labels,
    frequency_labels,
    indicator_type_labels,
    result_status_labels,
)
from fundtracker.services import outcomes, rollups
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


def _result_view(
    result: IndicatorResult, raw: bool, region_names: dict, display: str | None = None
) -> ResultView:
    """`display`: the value as the project's series shows it (verified periods are suppressed
    together, as cells of the achieved total)."""
    indicator = result.indicator
    counts = indicator.type == IndicatorType.COUNT
    names = {**category_labels(), **region_names}
    dim_labels = dimension_labels()
    breakdowns = []
    for dimension in indicator.dimensions:
        cells = result.breakdown(dimension)
        if not cells:
            continue
        order = outcomes.categories(indicator)[dimension]
        ordered = {k: cells.get(k, 0) for k in order}
        shown = privacy.breakdown(ordered, result.value, raw=raw)
        breakdowns.append(
            BreakdownView(
                str(dim_labels[dimension.value]),
                [(str(names.get(k, k)), shown.cells[k]) for k in ordered],
            )
        )
    user = current_user
    project = indicator.project
    can_review = permissions.can_verify_results(user, project) and not result.locked
    history = [
        (
            rev.changed_at,
            privacy.fmt_count(rev.value) if raw or not counts else privacy.show_total(rev.value),
            rev.reason,
        )
        for rev in result.revisions
    ]
    return ResultView(
        result=result,
        label=outcomes.period_label(indicator.frequency, result.period_start),
        display=display
        or (
            privacy.fmt_count(result.value)
            if raw or not counts
            else privacy.show_total(result.value)
        ),
        breakdowns=breakdowns,
        can_correct=permissions.can_correct_result(user, result),
        can_review=can_review and result.status in (ResultStatus.REPORTED, ResultStatus.QUERIED),
        can_lock=can_review and result.status == ResultStatus.VERIFIED,
        history=history if raw else [],
    )


@bp.get("/projects/<int:project_id>")
@requires(permissions.is_signed_in)
def project(project_id: int):
    project = _load_project(project_id)
    user = current_user
    raw = permissions.can_see_unsuppressed(user, project)
    region_names = _region_names(project)
    locale = current_locale()
    indicators = outcomes.project_indicators(db.session, project, with_results=True)
    series = {s.indicator_id: s for s in rollups.project_series(db.session, project, user)}
    views = []
    hidden = (privacy.SMALL, privacy.HIDDEN)
    for indicator in indicators:
        results = [r for r in indicator.results if permissions.can_view_result(user, r)]
        s = series[indicator.id]
        shown = {p.result_id: p.display for p in s.points}
        chart = None
        if s.points:
            chart = charts.lines(
                [p.label for p in s.points],
                # A hidden figure leaves a gap (its table cell says "—").
                [
                    (
                        _("Verified"),
                        [None if p.display in hidden else p.value for p in s.points],
                    )
                ],
                title=indicator.title(locale),
                period_header=_("Period"),
            )
        views.append(
            {
                "indicator": indicator,
                "series": s,
                "chart": chart,
                "results": [
                    _result_view(r, raw, region_names, shown.get(r.id)) for r in reversed(results)
                ],
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
            display=[(s.achieved_display, privacy.fmt_count(s.target)) for s in counted],
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
