"""Screening and reviews: an officer screens an application and assigns reviewers (to one, or
to several of a call's applications ticked at once); a reviewer declares any conflict of
interest, then scores; the call's ranking of the scores."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField
from wtforms.validators import InputRequired

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.applications import render_detail
from fundtracker.blueprints.applications.common import (
    load_application,
    load_call,
    template_context,
)
from fundtracker.blueprints.applications.forms import (
    AssignForm,
    DeclareForm,
    ScreenForm,
    score_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Call,
    ConflictDeclaration,
    ReviewAssignment,
    User,
)
from fundtracker.models.labels import review_labels
from fundtracker.services import bulk
from fundtracker.services import reviews as svc
from fundtracker.web import Paged, PostOnlyForm, attempt, load_or_404, page_arg, requires
from fundtracker.web.forms import choices, int_or_none

# Screening and reviewers ----------------------------------------------------------------------


@bp.post("/applications/<int:application_id>/screen")
@requires(permissions.can_process_applications)
def screen(application_id: int):
    application = load_application(application_id)
    form = ScreenForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.screen(
                db.session,
                current_user,
                application,
                form.checks(),
                form.decision(),
                form.comment.data or "",
            )
        if outcome.ok:
            flash(_("The screening has been recorded."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return render_detail(load_application(application_id), {"screen": form}, status=422)


@bp.post("/applications/<int:application_id>/assign")
@requires(permissions.can_process_applications)
def assign(application_id: int):
    application = load_application(application_id)
    form = AssignForm()
    form.reviewer_id.choices = choices((u.id, u.name) for u in svc.reviewers(db.session))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.assign_reviewer(
                db.session, current_user, application, db.session.get(User, form.reviewer_id.data)
            )
        if outcome.ok:
            flash(_("The reviewer has been assigned."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return render_detail(load_application(application_id), {"assign": form}, status=422)


# One reviewer for several applications of a call ----------------------------------------------


class BulkAssignForm(FlaskForm):
    """The reviewer for the ticked applications (the ids travel as `ids`)."""

    reviewer_id = SelectField(
        _l("Reviewer"),
        coerce=int_or_none,
        validators=[InputRequired(message=_l("Choose a reviewer."))],
    )


def _bulk_assign_form(reviewers: list[User]) -> BulkAssignForm:
    form = BulkAssignForm()
    form.reviewer_id.choices = choices(
        [("", _l("Choose a reviewer"))] + [(u.id, u.name) for u in reviewers]
    )
    return form


def _load_call_applications(call: Call, ids: list[int]) -> dict[int, Application]:
    """The chosen applications that are this call's and that the user may see."""
    return bulk.load(
        db.session,
        Application,
        ids,
        lambda a: a.call_id == call.id and permissions.can_view_application(current_user, a),
        (
            joinedload(Application.organisation),
            selectinload(Application.assignments).joinedload(ReviewAssignment.reviewer),
        ),
    )


def _render_assign(call: Call, stage: str, status: int = 200, **context):
    return render_template(
        "applications/assign_reviewers.html",
        call=call,
        stage=stage,
        review_labels=review_labels(),
        **template_context(),
        **context,
    ), status


def _assign_list(
    call: Call, form: BulkAssignForm, chosen: frozenset[int] = frozenset(), status: int = 200
):
    """The list; after a refused POST (422), with what was ticked still ticked."""
    pagination = db.paginate(
        svc.taking_reviewers(call), page=page_arg(), per_page=bulk.PER_PAGE, error_out=False
    )
    return _render_assign(call, "list", status, form=form, pagination=pagination, chosen=chosen)


@bp.route("/calls/<int:call_id>/assign-reviewers", methods=["GET", "POST"])
@requires(permissions.can_process_applications)
def assign_reviewers(call_id: int):
    """The call's applications that can take a reviewer; the ticked ones and the reviewer
    chosen are confirmed first (nothing changes), then, with `confirmed`, each assignment goes
    through `reviews.assign_reviewer` in its own savepoint and the outcome is shown."""
    call = load_call(call_id)
    reviewers = svc.reviewers(db.session)
    form = _bulk_assign_form(reviewers)
    if request.method == "GET":
        return _assign_list(call, form)
    ids = bulk.ids_from(request.form.getlist("ids"))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("The form has expired: please try again."), "danger")
        return _assign_list(call, form, frozenset(ids), 422)
    try:
        bulk.check_count(ids)
    except bulk.SelectionRefused as error:
        flash(error.message, "danger")
        return _assign_list(call, form, frozenset(ids), 422)
    reviewer = db.session.get(User, form.reviewer_id.data)
    found = _load_call_applications(call, ids)
    page = {"reviewer": reviewer, "next": url_for(".assign_reviewers", call_id=call.id)}
    if not request.form.get("confirmed"):
        return _render_assign(
            call,
            "confirm",
            selection=bulk.selection(ids, found),
            csrf_form=PostOnlyForm(formdata=None),
            **page,
        )
    with attempt() as outcome:
        result = bulk.run(
            db.session,
            ids,
            found,
            lambda a: svc.assign_reviewer(db.session, current_user, a, reviewer),
        )
    if not outcome.ok:
        return redirect(page["next"])
    _load_call_applications(call, ids)  # what the outcome names, reloaded in one SELECT
    return _render_assign(
        call,
        "done",
        result=result,
        done_message=ngettext(
            "%(name)s has been assigned to %(num)d application.",
            "%(name)s has been assigned to %(num)d applications.",
            len(result.done),
            name=reviewer.name,
        ),
        **page,
    )


# A reviewer's part ----------------------------------------------------------------------------


@bp.get("/reviews/")
@requires(permissions.is_reviewer)
def reviews():
    return render_template(
        "applications/reviews.html",
        assignments=svc.assignments_of(db.session, current_user),
        **template_context(),
    )


def _load_assignment(assignment_id: int) -> ReviewAssignment:
    return load_or_404(ReviewAssignment, assignment_id, permissions.can_view_assignment)


def _render_review(assignment: ReviewAssignment, declare_form=None, score_form=None, status=200):
    criteria = assignment.application.call.criteria
    if score_form is None:
        score_form = score_form_class(criteria)(formdata=None)
        for s in assignment.scores:
            score_form[f"score_{s.criterion_id}"].data = s.score
            score_form[f"comment_{s.criterion_id}"].data = s.comment
    readable = permissions.can_read_as_reviewer(current_user, assignment)
    return render_template(
        "applications/review.html",
        assignment=assignment,
        application=assignment.application if readable else None,
        call=assignment.application.call,
        readable=readable,
        declare_form=declare_form or DeclareForm(formdata=None),
        score_form=score_form,
        score_fields=[
            (c, score_form[f"score_{c.id}"], score_form[f"comment_{c.id}"]) for c in criteria
        ],
        can_score=readable
        and assignment.submitted_at is None
        and assignment.application.status == ApplicationStatus.UNDER_REVIEW,
        pending=assignment.conflict == ConflictDeclaration.PENDING,
        **template_context(),
    ), status


@bp.get("/reviews/<int:assignment_id>")
@requires(permissions.is_reviewer)
def review(assignment_id: int):
    return _render_review(_load_assignment(assignment_id))


@bp.post("/reviews/<int:assignment_id>/declare")
@requires(permissions.is_reviewer)
def declare(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    form = DeclareForm()
    if form.validate_on_submit() and (form.no_conflict.data or form.conflict.data):
        with attempt(form) as outcome:
            svc.declare_conflict(
                db.session, current_user, assignment, bool(form.conflict.data), form.note.data or ""
            )
        if outcome.ok:
            if form.conflict.data:
                flash(_("Thank you: you have been taken off this application."), "success")
                return redirect(url_for(".reviews"))
            return redirect(url_for(".review", assignment_id=assignment.id))
    return _render_review(_load_assignment(assignment_id), declare_form=form, status=422)


@bp.post("/reviews/<int:assignment_id>/score")
@requires(permissions.is_reviewer)
def score(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    criteria = assignment.application.call.criteria
    form = score_form_class(criteria)()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.submit_scores(
                db.session,
                current_user,
                assignment,
                {
                    c.id: (form[f"score_{c.id}"].data, form[f"comment_{c.id}"].data or "")
                    for c in criteria
                },
            )
        if outcome.ok:
            flash(_("Your scores have been submitted."), "success")
            return redirect(url_for(".reviews"))
    return _render_review(_load_assignment(assignment_id), score_form=form, status=422)


# The call's ranking ---------------------------------------------------------------------------


@bp.get("/calls/<int:call_id>/ranking")
@requires(permissions.can_process_applications)
def call_ranking(call_id: int):
    call = load_call(call_id)
    per_page = current_app.config["RANKING_PER_PAGE"]
    ranking = svc.ranking(db.session, call, page=page_arg(), per_page=per_page)
    return render_template(
        "applications/ranking.html",
        call=call,
        ranking=ranking,
        pagination=Paged(ranking.rows, ranking.page, per_page, ranking.count),
        **template_context(),
    )
