"""Results: reporting one, correcting it, and the fund's review (verify, query, lock)."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.common import (
    _load_indicator,
    _load_project,
    _load_result,
    _load_result_to_verify,
    _region_names,
)
from fundtracker.blueprints.outcomes.forms import (
    LockForm,
    ReviewResultForm,
    default_period,
    fill_result_form,
    result_data_from,
    result_fields,
    result_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.services import outcomes
from fundtracker.services.workflow.tables import published_period, published_refusal
from fundtracker.web import PostOnlyForm, attempt, requires, version_of


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


@bp.route("/results/<int:result_id>/correct", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def result_correct(result_id: int):
    result = _load_result(result_id)
    locked = not permissions.can_correct_result(current_user, result)
    if locked and not (result.locked and permissions.could_correct_result(current_user, result)):
        abort(403)
    indicator = result.indicator
    periods = [(result.period_start, result.period_end)]
    form = result_form_class(indicator, periods, _region_names(indicator.project), True)()
    if locked:
        # Locked (or published) since the form was opened: say why and keep what was typed.
        publication = published_period(db.session, result.period_end)
        flash(
            str(published_refusal(publication))
            if publication is not None
            else _("This period is locked: its results can no longer change."),
            "danger",
        )
        if request.method == "GET":
            return redirect(url_for(".project", project_id=indicator.project_id))
        return _render_result_form(form, indicator, correcting=True)[0], 409
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
