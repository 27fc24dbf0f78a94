from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.milestones import bp
from fundtracker.blueprints.milestones.forms import (
    CommentForm,
    RescheduleForm,
    ReviewForm,
    fill_answer,
    indicator_prefix,
    update_form_class,
)
from fundtracker.blueprints.outcomes.forms import default_period, result_data_from, result_fields
from fundtracker.blueprints.projects.forms import MilestoneForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import Milestone
from fundtracker.models.labels import (
    MILESTONE_BADGES,
    budget_category_labels,
    milestone_status_labels,
    tranche_status_labels,
    update_status_labels,
)
from fundtracker.services import files, milestone_page, milestones, overview, plan
from fundtracker.services.workflow import HOLD_MESSAGES
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of


def _can_view(user, milestone: Milestone) -> bool:
    return permissions.can_view_project(user, milestone.project)


def _load(milestone_id: int) -> Milestone:
    return load_or_404(Milestone, milestone_id, _can_view, overview.load_milestone)


def _slots(milestone: Milestone) -> list[milestone_page.ResultSlot]:
    return milestone_page.result_slots(
        db.session, current_user, milestone, today(), current_locale()
    )


def _update_form(milestone: Milestone, slots: list[milestone_page.ResultSlot]):
    """The update form, with one result's fields per indicator the grantee may answer (a result
    the fund has verified is shown, not edited). Opened, it holds the draft, or after a revision
    request every answer of the submission sent back, results and breakdowns included."""
    locale = current_locale()
    form = update_form_class(
        milestone.project.budget_lines,
        budget_category_labels(),
        [(slot.indicator, slot.periods) for slot in slots if slot.fixed is None],
        {r.code: r.name(locale) for r in milestone.project.regions},
    )()
    if request.method != "GET":
        return form
    for slot in slots:
        if slot.fixed is not None:
            continue
        prefix = indicator_prefix(slot.indicator)
        if slot.answer is not None:
            fill_answer(form, slot.answer.data, prefix)
        else:
            getattr(form, f"{prefix}period").data = default_period(
                slot.indicator, slot.periods, today()
            )
    draft = milestones.current_draft(milestone)
    source = draft or milestones.last_submitted(milestone)
    # 0 means "no draft yet": a colleague's draft started meanwhile is not overwritten.
    form.version.data = draft.version_id if draft is not None else 0
    if source is not None:
        form.narrative.data = source.narrative
        form.progress.data = source.progress
        form.beneficiaries.data = source.beneficiaries
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
    page = milestone_page.build(db.session, user, milestone, today(), current_locale())
    if update_form is None and page.can_report:
        update_form = _update_form(milestone, page.slots)
    if review_form is None and page.can_review:
        review_form = ReviewForm(formdata=None, version=milestone.version_id)
    reporting = update_form is not None and page.can_report
    return render_template(
        "milestones/detail.html",
        milestone=milestone,
        project=project,
        today=today(),
        page=page,
        updates=page.updates,
        draft=page.draft,
        evidence=page.evidence,
        update_form=update_form if page.can_report else None,
        review_form=review_form if page.can_review else None,
        can_approve_tranche=permissions.can_manage_payments(user, project),
        submitted=page.submitted,
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
        if reporting
        else [],
        indicator_fields=[
            (slot, result_fields(update_form, slot.indicator, indicator_prefix(slot.indicator)))
            for slot in page.slots
            if slot.fixed is None
            and hasattr(update_form, f"{indicator_prefix(slot.indicator)}value")
        ]
        if reporting
        else [],
        fixed_results=[slot for slot in page.slots if slot.fixed is not None] if reporting else [],
        update_results=page.update_results,
        changes=page.changes,
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


def _uploads(form) -> list[files.Upload]:
    return [
        files.Upload(u.stream, u.filename) for u in form.evidence.data or [] if u and u.filename
    ]


def _results(form, slots: list[milestone_page.ResultSlot]) -> list:
    """Each answerable indicator's result as typed (an empty value: nothing reported for it); one
    whose value has an error is left as the draft has it."""
    results = []
    for slot in slots:
        prefix = indicator_prefix(slot.indicator)
        value = getattr(form, f"{prefix}value", None)
        if slot.fixed is None and value is not None and not value.errors:
            results.append((slot.indicator, result_data_from(form, slot.indicator, prefix)))
    return results


def _mark_refused_results(form, slots, saved: milestones.Saved) -> None:
    """Each refused result's reason on its field (the value's when it names none)."""
    for slot in slots:
        error = saved.refused_results.get(slot.indicator.id)
        if error is None:
            continue
        prefix = indicator_prefix(slot.indicator)
        target = getattr(form, f"{prefix}{error.field}", None) if error.field else None
        target = target or getattr(form, f"{prefix}value")
        target.errors = [*target.errors, error.message]


@bp.post("/<int:milestone_id>/update")
@requires(permissions.is_signed_in)
def save_update(milestone_id: int):
    """Save the draft and its files whatever else is wrong, then submit it if asked and complete;
    one commit either way: nothing typed or uploaded is lost."""
    milestone = _load(milestone_id)
    if not permissions.can_report_on(current_user, milestone.project):
        abort(403)
    slots = _slots(milestone)
    form = _update_form(milestone, slots)
    valid = form.validate_on_submit()
    wants_submit = valid and bool(form.submit.data)
    uploads = _uploads(form)
    saved = None
    with attempt(form) as outcome:
        saved = milestones.save_and_submit(
            db.session,
            file_storage(),
            current_user,
            milestone,
            _update_data(form, milestone),
            uploads=uploads,
            results=_results(form, slots),
            submit=wants_submit,
            expected_version=version_of(form),
            today=today(),
        )
    if not outcome.ok:
        files.discard(file_storage(), saved.stored if saved else [])
        if saved.stored if saved else uploads:
            flash(_("Nothing was saved, so please attach your files again."), "warning")
        return _render(_load(milestone_id), update_form=form, status=409)
    _mark_refused_results(form, slots, saved)
    for message in saved.rejected:
        flash(message, "danger")
    if not valid or saved.refused_results:
        flash(_("Your draft was saved. Correct the marked fields before submitting."), "warning")
        return _render(_load(milestone_id), update_form=form, status=422)
    if wants_submit and not saved.submitted:
        flash(_("The update was saved as a draft but not submitted."), "warning")
        return _render(_load(milestone_id), update_form=form, missing=saved.missing, status=422)
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
