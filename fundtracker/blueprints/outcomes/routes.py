import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from fundtracker import permissions, privacy
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.forms import (
    IndicatorForm,
    LockForm,
    LockPeriodsForm,
    PortfolioFilterForm,
    ReviewResultForm,
    StandardForm,
    StoryForm,
    default_period,
    fill_result_form,
    result_data_from,
    result_fields,
    result_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES, current_locale, format_d
from fundtracker.core.page_cache import cached_page
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import (
    Direction,
    Frequency,
    IndicatorResult,
    IndicatorType,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    Region,
    ResultStatus,
    StandardIndicator,
)
from fundtracker.models.labels import (
    RESULT_BADGES,
    category_labels,
    dimension_labels,
    frequency_labels,
    indicator_type_labels,
    result_status_labels,
)
from fundtracker.services import files, outcomes, rollups
from fundtracker.web import PostOnlyForm, attempt, charts, load_or_404, requires, version_of
from fundtracker.web.forms import choices


@bp.app_context_processor
def _outcomes_navigation():
    return {
        "outcomes_nav": {
            "portfolio": permissions.can_view_portfolio_outcomes(current_user),
            "library": permissions.can_view_indicator_library(current_user),
        }
    }


def _areas():
    return list(db.session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)))


def _regions():
    return list(db.session.scalars(select(Region).order_by(Region.code)))


# Library -----------------------------------------------------------------------------------------


@bp.get("/indicators")
@requires(permissions.can_view_indicator_library)
def library():
    return render_template(
        "outcomes/library.html",
        indicators=outcomes.library(db.session),
        type_labels=indicator_type_labels(),
        can_manage=permissions.can_manage_indicator_library(current_user),
    )


def _standard_data(form) -> outcomes.StandardData:
    return outcomes.StandardData(
        code=form.code.data or "",
        **{
            f"{part}_{lang}": getattr(form, f"{part}_{lang}").data or ""
            for part in ("name", "definition", "unit")
            for lang in LANGUAGES
        },
        type=IndicatorType(form.type.data),
        area_id=form.area_id.data,
        active=bool(form.active.data),
    )


def _standard_form(standard=None):
    form = StandardForm(obj=standard) if request.method == "GET" else StandardForm()
    form.fill_choices(_areas(), current_locale())
    if request.method == "GET" and standard is not None:
        form.type.data = standard.type.value
        form.version.data = standard.version_id
    return form


@bp.route("/indicators/new", methods=["GET", "POST"])
@requires(permissions.can_manage_indicator_library)
def standard_new():
    form = _standard_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.create_standard(db.session, current_user, _standard_data(form))
        if outcome.ok:
            flash(_("The indicator has been added to the library."), "success")
            return redirect(url_for(".library"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html", form=form, title=_("New standard indicator"), back=url_for(".library")
    ), status


@bp.route("/indicators/<int:standard_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_manage_indicator_library)
def standard_edit(standard_id: int):
    standard = load_or_404(
        StandardIndicator, standard_id, lambda u, s: permissions.can_manage_indicator_library(u)
    )
    form = _standard_form(standard)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.edit_standard(
                db.session, current_user, standard, _standard_data(form), version_of(form)
            )
        if outcome.ok:
            flash(_("The indicator has been saved."), "success")
            return redirect(url_for(".library"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html", form=form, title=standard.code, back=url_for(".library")
    ), status


# A project's indicators and results --------------------------------------------------------------


def _load_project(project_id: int) -> Project:
    return load_or_404(Project, project_id, permissions.can_view_outcomes)


def _region_names(project: Project) -> dict[str, str]:
    locale = current_locale()
    return {r.code: r.name(locale) for r in project.regions}


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


def _load_indicator(indicator_id: int) -> ProjectIndicator:
    return load_or_404(
        ProjectIndicator, indicator_id, lambda u, i: permissions.can_view_outcomes(u, i.project)
    )


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


@bp.route("/project-indicators/<int:indicator_id>/results/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def result_new(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    if not permissions.can_report_on(current_user, indicator.project):
        abort(403)
    periods = outcomes.reporting_periods(indicator, today())
    form = result_form_class(indicator, periods, _region_names(indicator.project))()
    if request.method == "GET":
        form.period.data = default_period(indicator, periods, today())
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.report_result(
                db.session, current_user, indicator, result_data_from(form, indicator), today()
            )
        if outcome.ok:
            flash(_("The result has been reported to the fund."), "success")
            return redirect(url_for(".project", project_id=indicator.project_id))
    return _render_result_form(form, indicator)


def _render_result_form(form, indicator, correcting: bool = False):
    """The result form again, 422 after a refused POST, with everything typed kept."""
    return render_template(
        "outcomes/result_form.html",
        form=form,
        indicator=indicator,
        fields=result_fields(form, indicator),
        title=indicator.title(current_locale()),
        correcting=correcting,
    ), 422 if request.method == "POST" else 200


def _load_result(result_id: int) -> IndicatorResult:
    return load_or_404(IndicatorResult, result_id, permissions.can_view_result)


def _load_result_to_verify(result_id: int) -> tuple[IndicatorResult, Project]:
    """A result the user may see (else 404) and verify, query or lock (else 403)."""
    result = _load_result(result_id)
    project = result.indicator.project
    if not permissions.can_verify_results(current_user, project):
        abort(403)
    return result, project


@bp.route("/results/<int:result_id>/correct", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def result_correct(result_id: int):
    result = _load_result(result_id)
    if not permissions.can_correct_result(current_user, result):
        abort(403)
    indicator = result.indicator
    periods = [(result.period_start, result.period_end)]
    form = result_form_class(indicator, periods, _region_names(indicator.project), True)()
    if request.method == "GET":
        fill_result_form(form, result)
        form.version.data = result.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.correct_result(
                db.session,
                current_user,
                result,
                result_data_from(form, indicator),
                form.reason.data or "",
                today(),
                version_of(form),
            )
        if outcome.ok:
            flash(_("The correction has been saved; the earlier value is kept."), "success")
            return redirect(url_for(".project", project_id=indicator.project_id))
    return _render_result_form(form, indicator, correcting=True)


@bp.post("/results/<int:result_id>/review")
@requires(permissions.is_signed_in)
def result_review(result_id: int):
    result, project = _load_result_to_verify(result_id)
    form = ReviewResultForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            if form.query.data:
                outcomes.query(
                    db.session, current_user, result, form.comment.data or "", version_of(form)
                )
            else:
                outcomes.verify(db.session, current_user, result, version_of(form))
        if outcome.ok:
            flash(
                _("The result has been queried.")
                if form.query.data
                else _("The result has been verified."),
                "success",
            )
        else:
            for message in form.comment.errors:
                flash(message, "danger")
    else:
        flash(_("The form has expired: please try again."), "danger")
    return redirect(url_for(".project", project_id=project.id) + f"#result-{result.id}")


@bp.post("/results/<int:result_id>/lock")
@requires(permissions.is_signed_in)
def result_lock(result_id: int):
    result, project = _load_result_to_verify(result_id)
    form = LockForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            outcomes.lock(db.session, current_user, result, version_of(form))
        if outcome.ok:
            flash(_("The period has been locked."), "success")
    else:
        flash(_("The form has expired: please try again."), "danger")
    return redirect(url_for(".project", project_id=project.id) + f"#result-{result.id}")


@bp.post("/projects/<int:project_id>/lock")
@requires(permissions.is_signed_in)
def lock_periods(project_id: int):
    project = _load_project(project_id)
    if not permissions.can_verify_results(current_user, project):
        abort(403)
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".project", project_id=project.id))
    try:
        until = date.fromisoformat(request.form.get("until", ""))
    except ValueError:
        flash(_("Choose the last period to lock."), "danger")
        return redirect(url_for(".project", project_id=project.id))
    with attempt() as outcome:
        count = outcomes.lock_period(db.session, current_user, project, until)
    if outcome.ok:
        flash(
            ngettext("%(num)d result has been locked.", "%(num)d results have been locked.", count),
            "success",
        )
    return redirect(url_for(".project", project_id=project.id))


# Stories -----------------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/stories/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def story_new(project_id: int):
    project = _load_project(project_id)
    if not permissions.can_add_story(current_user, project):
        abort(403)
    form = StoryForm()
    if form.validate_on_submit():
        upload = form.photo.data
        stored = []
        with attempt(form) as outcome:
            try:
                story = outcomes.add_story(
                    db.session,
                    file_storage(),
                    current_user,
                    project,
                    outcomes.StoryData(form.title.data, form.body.data, bool(form.consent.data)),
                    upload.stream if upload and upload.filename else None,
                    upload.filename if upload and upload.filename else "",
                )
                if story.photo is not None:
                    stored.append(story.photo.storage_key)
            except files.UploadRejected as error:
                error.field = "photo"
                raise
        if outcome.ok:
            flash(_("The story has been added."), "success")
            return redirect(url_for(".project", project_id=project.id) + "#stories")
        files.discard(file_storage(), stored)
    return render_template(
        "outcomes/form.html",
        form=form,
        title=_("New story: %(code)s", code=project.code),
        back=url_for(".project", project_id=project.id),
    ), 422 if request.method == "POST" else 200


# Portfolio ---------------------------------------------------------------------------------------


def _filters():
    form = PortfolioFilterForm(request.args)
    locale = current_locale()
    library = outcomes.library(db.session)
    form.fill_choices(_areas(), _regions(), library, locale)
    valid = form.validate()
    start = form.start.data if valid else None
    end = form.end.data if valid else None
    area = form.area.data if valid else None
    region = form.region.data if valid else None
    indicator = form.indicator.data if valid else None
    return form, start, end, area, region, indicator


@bp.get("/portfolio")
@requires(permissions.can_view_portfolio_outcomes)
@cached_page  # it adds up every verified result of the period: at 10,000 projects, 0.7 s
def portfolio():
    form, start, end, area, region, indicator = _filters()
    labels = category_labels()
    user = current_user
    totals = rollups.period_totals(db.session, start, end)
    figures = rollups.by_indicator(
        db.session, user, start, end, area, region, labels=labels, totals=totals
    )
    areas = rollups.by_area(
        db.session, user, start, end, area, region, labels=labels, totals=totals
    )
    progress = None
    if figures:
        progress = charts.progress(
            [(f.name, f.achieved, f.target) for f in figures],
            title=_("Achieved against target, by standard indicator"),
            headers=(_("Indicator"), _("Achieved"), _("Target"), _("Share of target")),
            display=[(f.achieved_display, f.target_display) for f in figures],
        )
    area_charts = [
        charts.progress(
            [(f.name, f.achieved, f.target) for f in a.indicators],
            title=a.name,
            headers=(_("Indicator"), _("Achieved"), _("Target"), _("Share of target")),
            display=[(f.achieved_display, f.target_display) for f in a.indicators],
        )
        for a in areas
    ]
    region_chart = None
    chosen = indicator or (figures[0].standard_id if figures else None)
    if chosen is not None:
        by_region = rollups.by_region(db.session, user, chosen, start, end, area, totals=totals)
        if by_region.regions:
            region_chart = charts.hbar(
                [
                    (
                        r.name
                        if r.code != rollups.UNATTRIBUTED
                        else _("Not attributable to one region"),
                        r.achieved,
                    )
                    for r in by_region.regions
                ],
                title=_("%(indicator)s, by region", indicator=by_region.name),
                label_header=_("Region"),
                value_header=_("Achieved"),
                display=[r.display for r in by_region.regions],
            )
    return render_template(
        "outcomes/portfolio.html",
        form=form,
        figures=figures,
        progress=progress,
        area_charts=area_charts,
        region_chart=region_chart,
        raw=permissions.can_see_unsuppressed(user),
        region_filtered=region is not None,
        threshold=privacy.THRESHOLD,
    )


def _cell(text: str) -> str:
    """A spreadsheet must not read a name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@bp.get("/portfolio.csv")
@requires(permissions.can_view_portfolio_outcomes)
def portfolio_csv():
    """The roll-up as CSV: it leaves the fund, so small figures are suppressed for everyone."""
    _form, start, end, area, region, _indicator = _filters()
    labels = category_labels()
    figures = rollups.by_indicator(
        db.session, current_user, start, end, area, region, for_export=True, labels=labels
    )
    out = io.StringIO()
    writer = csv.writer(out)
    cats = list(labels)
    writer.writerow(
        [_("Code"), _("Indicator"), _("Unit"), _("Achieved"), _("Target"), _("Projects")]
        + [str(labels[c]) for c in cats]
    )
    for f in figures:
        shown = {c.key: c.display for b in f.breakdowns for c in b.cells}
        writer.writerow(
            [_cell(f.code), _cell(f.name), _cell(f.unit), f.achieved_display, f.target_display]
            + [f.projects]
            + [shown.get(c, "") for c in cats]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=outcomes.csv"},
    )
