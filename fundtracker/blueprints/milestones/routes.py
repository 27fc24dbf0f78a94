from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions, privacy
from fundtracker.blueprints.milestones import bp
from fundtracker.blueprints.milestones.forms import (
    CommentForm,
    RescheduleForm,
    ReviewForm,
    indicator_prefix,
    update_form_class,
)
from fundtracker.blueprints.outcomes.forms import (
    default_period,
    fill_result_form,
    result_data_from,
    result_fields,
)
from fundtracker.blueprints.projects.forms import MilestoneForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import FileKind, Milestone, MilestoneStatus, UpdateStatus
from fundtracker.models.labels import (
    MILESTONE_BADGES,
    budget_category_labels,
    milestone_status_labels,
    tranche_status_labels,
    update_status_labels,
)
from fundtracker.services import files, milestones, outcomes, overview, plan
from fundtracker.services.errors import DomainError
from fundtracker.services.workflow import HOLD_MESSAGES
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of


def _can_view(user, milestone: Milestone) -> bool:
    return permissions.can_view_project(user, milestone.project)


def _load(milestone_id: int) -> Milestone:
    return load_or_404(Milestone, milestone_id, _can_view, overview.load_milestone)


def _indicators(milestone: Milestone) -> list:
    """The project's indicators that have a period to report for, with their periods."""
    pairs = [
        (indicator, outcomes.reporting_periods(indicator, today()))
        for indicator in outcomes.project_indicators(db.session, milestone.project)
    ]
    return [(indicator, periods) for indicator, periods in pairs if periods]


def _region_names(milestone: Milestone) -> dict[str, str]:
    locale = current_locale()
    return {r.code: r.name(locale) for r in milestone.project.regions}


def _update_form(milestone: Milestone, draft=None, formdata=None):
    indicators = _indicators(milestone)
    form_cls = update_form_class(
        milestone.project.budget_lines,
        budget_category_labels(),
        indicators,
        _region_names(milestone),
    )
    form = form_cls(formdata=formdata) if formdata is not None else form_cls()
    if request.method == "GET":
        drafts = (
            {r.indicator_id: r for r in outcomes.drafts_in_update(db.session, draft)}
            if (draft is not None)
            else {}
        )
        for indicator, periods in indicators:
            prefix = indicator_prefix(indicator)
            if indicator.id in drafts:
                fill_result_form(form, drafts[indicator.id], prefix)
            else:
                getattr(form, f"{prefix}period").data = default_period(indicator, periods, today())
    # A revision starts from the last submission, as the draft made from it will.
    source = draft or milestones.last_submitted(milestone)
    if request.method == "GET" and source is None:
        form.version.data = 0
    if request.method == "GET" and source is not None:
        form.narrative.data = source.narrative
        form.progress.data = source.progress
        form.beneficiaries.data = source.beneficiaries
        # 0 means "no draft yet": a colleague's draft started meanwhile is not overwritten.
        form.version.data = draft.version_id if draft is not None else 0
        for s in source.spending:
            field = getattr(form, f"spending_{s.budget_line_id}", None)
            if field is not None:
                field.set_tiyn(s.amount)
    return form


def _render(
    milestone: Milestone,
    update_form=None,
    review_form=None,
    comment_form=None,
    missing=None,
    status=200,
):
    user = current_user
    project = milestone.project
    draft = milestones.current_draft(milestone)
    can_report = permissions.can_report_on(user, project) and milestone.status in (
        MilestoneStatus.PLANNED,
        MilestoneStatus.REVISION_REQUESTED,
    )
    if update_form is None and can_report:
        update_form = _update_form(milestone, draft)
    submitted = milestones.last_submitted(milestone)
    can_review = (
        permissions.can_review_updates(user, project)
        and submitted is not None
        and submitted.status == UpdateStatus.SUBMITTED
    )
    if review_form is None and can_review:
        review_form = ReviewForm(formdata=None, version=milestone.version_id)
    visible_updates = [u for u in milestone.updates if permissions.can_view_update(user, u)]
    raw = permissions.can_see_unsuppressed(user, project)
    evidence = [
        f
        for u in visible_updates
        for f in u.files
        if not f.is_deleted or permissions.is_staff(user)
    ]
    return render_template(
        "milestones/detail.html",
        milestone=milestone,
        project=project,
        today=today(),
        updates=[u for u in visible_updates if u.status != UpdateStatus.DRAFT],
        draft=draft if can_report else None,
        evidence=evidence,
        update_form=update_form if can_report else None,
        review_form=review_form if can_review else None,
        can_approve_tranche=permissions.can_manage_payments(user, project),
        submitted=submitted,
        comment_form=comment_form or CommentForm(formdata=None),
        can_comment=permissions.can_comment(user, project),
        can_edit=permissions.can_edit_project(user, project),
        missing=missing or [],
        milestone_labels=milestone_status_labels(),
        milestone_badges=MILESTONE_BADGES,
        update_labels=update_status_labels(),
        tranche_labels=tranche_status_labels(),
        hold_messages=HOLD_MESSAGES,
        category_labels=budget_category_labels(),
        file_form=PostOnlyForm(formdata=None),
        spending_fields=[
            (line, getattr(update_form, f"spending_{line.id}")) for line in project.budget_lines
        ]
        if update_form is not None and can_report
        else [],
        indicator_fields=[
            (indicator, result_fields(update_form, indicator, indicator_prefix(indicator)))
            for indicator, _periods in _indicators(milestone)
            if hasattr(update_form, f"{indicator_prefix(indicator)}value")
        ]
        if update_form is not None and can_report
        else [],
        update_results={
            update_id: [
                (
                    r.indicator.title(current_locale()),
                    privacy.fmt_count(r.value) if raw else privacy.show_total(r.value),
                )
                for r in results
            ]
            for update_id, results in outcomes.results_by_update(
                db.session, [u.id for u in visible_updates if u.status != UpdateStatus.DRAFT]
            ).items()
        },
    ), status


@bp.get("/<int:milestone_id>")
@requires(permissions.is_signed_in)
def detail(milestone_id: int):
    return _render(_load(milestone_id))


def _update_data(form, milestone: Milestone) -> milestones.UpdateData:
    """The form's values; a field with an error keeps what the draft had, so saving the rest
    loses nothing."""
    draft = milestones.current_draft(milestone)
    spending = {}
    for line in milestone.project.budget_lines:
        field = getattr(form, f"spending_{line.id}")
        if not field.errors:
            spending[line.id] = field.tiyn
    return milestones.UpdateData(
        narrative=form.narrative.data or "",
        progress=None if form.progress.errors else form.progress.data,
        beneficiaries=(
            (draft.beneficiaries if draft else None)
            if form.beneficiaries.errors
            else form.beneficiaries.data
        ),
        spending=spending,
    )


def _save_results(form, milestone: Milestone, draft) -> bool:
    """Keep each indicator's result typed in the update as a draft of it; a result that cannot
    be kept (e.g. its period was reported already) is marked on its field. True if any was."""
    failed = False
    for indicator, _periods in _indicators(milestone):
        prefix = indicator_prefix(indicator)
        value_field = getattr(form, f"{prefix}value", None)
        if value_field is None or value_field.errors:
            failed = failed or bool(value_field is not None and value_field.errors)
            continue
        data = result_data_from(form, indicator, prefix)
        if data.value is None:
            outcomes.drop_from_update(db.session, draft, indicator.id)
            continue
        try:
            with db.session.begin_nested():
                outcomes.save_in_update(db.session, current_user, indicator, data, draft, today())
        except DomainError as error:
            target = getattr(form, f"{prefix}{error.field}", None) if error.field else None
            target = target or value_field
            target.errors = [*target.errors, error.message]
            failed = True
    return failed


@bp.post("/<int:milestone_id>/update")
@requires(permissions.is_signed_in)
def save_update(milestone_id: int):
    """Save the draft and its files whatever else is wrong, then submit it if asked and complete;
    one commit either way: nothing typed or uploaded is lost."""
    milestone = _load(milestone_id)
    if not permissions.can_report_on(current_user, milestone.project):
        abort(403)
    form = _update_form(milestone)
    valid = form.validate_on_submit()
    wants_submit = valid and bool(form.submit.data)
    rejected, stored, missing = [], [], []
    with attempt(form) as outcome:
        data = _update_data(form, milestone)
        draft = milestones.save_draft(db.session, current_user, milestone, data, version_of(form))
        for upload in form.evidence.data or []:
            if not upload or not upload.filename:
                continue
            try:
                new = files.store(
                    db.session,
                    file_storage(),
                    current_user,
                    milestone.project,
                    upload.stream,
                    upload.filename,
                    FileKind.EVIDENCE,
                    update=draft,
                )
                stored.append(new.storage_key)
            except files.UploadRejected as error:
                rejected.append(error.message)
        result_errors = _save_results(form, milestone, draft)
        if wants_submit and not rejected and not result_errors:
            # a refused file means the evidence is incomplete
            try:
                with db.session.begin_nested():  # an incomplete submission keeps the draft
                    milestones.submit_update(db.session, current_user, milestone, data)
            except milestones.IncompleteUpdate as error:
                missing = error.missing
    if not outcome.ok:
        files.discard(file_storage(), stored)
        if stored:
            flash(_("Nothing was saved, so please attach your files again."), "warning")
        return _render(_load(milestone_id), update_form=form, status=409)
    for message in rejected:
        flash(message, "danger")
    if not valid or result_errors:
        flash(_("Your draft was saved. Correct the marked fields before submitting."), "warning")
        return _render(_load(milestone_id), update_form=form, status=422)
    if missing or (wants_submit and rejected):
        flash(_("The update was saved as a draft but not submitted."), "warning")
        return _render(_load(milestone_id), update_form=form, missing=missing, status=422)
    if wants_submit:
        flash(_("Your update has been submitted to the fund."), "success")
        return redirect(url_for(".detail", milestone_id=milestone.id))
    flash(_("Your draft has been saved."), "success")
    return redirect(url_for(".detail", milestone_id=milestone.id) + "#update")


@bp.post("/<int:milestone_id>/review")
@requires(permissions.is_signed_in)
def review(milestone_id: int):
    milestone = _load(milestone_id)
    if not permissions.can_review_updates(current_user, milestone.project):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            milestones.review(
                db.session,
                current_user,
                milestone,
                accept=bool(form.accept.data),
                comment=form.comment.data or "",
                approve_tranche=form.approve_tranche.data,
                today=today(),
                expected_version=version_of(form),
            )
        if outcome.ok:
            flash(
                _("The milestone has been accepted.")
                if form.accept.data
                else _("A revision has been requested."),
                "success",
            )
            return redirect(url_for(".detail", milestone_id=milestone.id))
    return _render(_load(milestone_id), review_form=form, status=422)


@bp.post("/<int:milestone_id>/comments")
@requires(permissions.is_signed_in)
def comment(milestone_id: int):
    milestone = _load(milestone_id)
    if not permissions.can_comment(current_user, milestone.project):
        abort(403)
    form = CommentForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            milestones.add_comment(db.session, current_user, milestone, form.body.data)
        if outcome.ok:
            return redirect(url_for(".detail", milestone_id=milestone.id) + "#comments")
    return _render(milestone, comment_form=form, status=422)


def _load_for_edit(milestone_id: int) -> Milestone:
    milestone = _load(milestone_id)
    if not permissions.can_edit_project(current_user, milestone.project):
        abort(403)
    return milestone


@bp.route("/<int:milestone_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def edit(milestone_id: int):
    milestone = _load_for_edit(milestone_id)
    form = MilestoneForm(obj=milestone)
    del form.due_date  # a new date is a rescheduling, with its reason
    if request.method == "GET":
        form.version.data = milestone.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.edit_milestone(
                db.session,
                current_user,
                milestone,
                plan.MilestoneData(
                    title=form.title.data,
                    description=form.description.data or "",
                    deliverables=form.deliverables.data or "",
                ),
                version_of(form),
            )
        if outcome.ok:
            flash(_("The milestone has been saved."), "success")
            return redirect(url_for(".detail", milestone_id=milestone.id))
    return render_template(
        "projects/form.html",
        form=form,
        title=milestone.title,
        back=url_for(".detail", milestone_id=milestone.id),
    )


@bp.route("/<int:milestone_id>/reschedule", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def reschedule(milestone_id: int):
    milestone = _load_for_edit(milestone_id)
    form = RescheduleForm()
    if request.method == "GET":
        form.due_date.data = milestone.due_date
        form.version.data = milestone.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.reschedule_milestone(
                db.session,
                current_user,
                milestone,
                form.due_date.data,
                form.reason.data,
                version_of(form),
            )
        if outcome.ok:
            flash(_("The milestone has been rescheduled."), "success")
            return redirect(url_for(".detail", milestone_id=milestone.id))
    return render_template(
        "projects/form.html",
        form=form,
        title=_("Reschedule: %(title)s", title=milestone.title),
        intro=_("The earlier date and your reason are kept in the project's history."),
        back=url_for(".detail", milestone_id=milestone.id),
    )
