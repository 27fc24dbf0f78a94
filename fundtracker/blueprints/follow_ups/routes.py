"""Follow-ups after closure (issue #21): the grantee answers, the officer accepts or returns,
an admin sets the months per programme area."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.follow_ups import bp
from fundtracker.blueprints.follow_ups.forms import (
    ReviewForm,
    answer_form_class,
    schedule_form_class,
)
from fundtracker.blueprints.outcomes.forms import cell_field_name
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.disclosure import audience
from fundtracker.models import Dimension, FollowUp
from fundtracker.models.labels import (
    FOLLOW_UP_BADGES,
    category_labels,
    dimension_labels,
    follow_up_status_labels,
)
from fundtracker.services import follow_ups, workflow
from fundtracker.web import attempt, load_or_404, requires, version_of


def _load(follow_up_id: int) -> FollowUp:
    return load_or_404(FollowUp, follow_up_id, permissions.can_view_follow_up)


def _region_names(follow_up: FollowUp) -> dict[str, str]:
    locale = current_locale()
    return {r.code: r.name(locale) for r in follow_up.project.regions}


def _answer_form(follow_up: FollowUp, formdata=True):
    """The answers' form: what was posted, or on opening the answers given before (a returned
    follow-up keeps them)."""
    form_class = answer_form_class(follow_up.project, _region_names(follow_up))
    if formdata:
        return form_class()
    form = form_class(formdata=None)
    form.version.data = str(follow_up.version_id)
    if follow_up.still_running is not None:
        form.still_running.data = "yes" if follow_up.still_running else "no"
    form.people_served.data = follow_up.people_served
    form.stopped_on.data = follow_up.stopped_on
    form.stopped_why.data = follow_up.stopped_why
    form.story.data = follow_up.story
    for cell in follow_up.cells:
        field = getattr(form, cell_field_name("", cell.dimension, cell.category), None)
        if field is not None:
            field.data = cell.value
    return form


def _answers(form, follow_up: FollowUp) -> follow_ups.Answers:
    running = {"yes": True, "no": False}.get(form.still_running.data or "")
    cells: dict[Dimension, dict[str, int]] = {}
    for dimension, cats in follow_ups.categories(follow_up.project).items():
        given = {}
        for category in cats:
            value = getattr(form, cell_field_name("", dimension, category)).data
            if value is not None:
                given[category] = value
        if given:
            cells[dimension] = given
    return follow_ups.Answers(
        still_running=running,
        people_served=form.people_served.data,
        stopped_on=form.stopped_on.data,
        stopped_why=form.stopped_why.data or "",
        story=form.story.data or "",
        cells=cells,
    )


def _breakdown_fields(form, follow_up: FollowUp) -> list:
    labels = dimension_labels()
    return [
        (labels[dimension.value], [getattr(form, cell_field_name("", dimension, c)) for c in cats])
        for dimension, cats in follow_ups.categories(follow_up.project).items()
        if cats
    ]


def _shown_answers(follow_up: FollowUp) -> dict | None:
    """The answers as the page shows them; the counts only to who sees raw figures (staff,
    the organisation itself), never to the board (it reads protected totals in its report)."""
    if follow_up.submitted_at is None:
        return None
    raw = audience.sees_raw(current_user, follow_up.project)
    cats = category_labels()
    regions = _region_names(follow_up)
    labels = dimension_labels()
    breakdowns = []
    if raw:
        for dimension in (Dimension.REGION, Dimension.SEX, Dimension.AGE):
            cells = follow_up.breakdown(dimension)
            if cells:
                names = regions if dimension == Dimension.REGION else cats
                breakdowns.append(
                    (labels[dimension.value], [(names.get(k, k), v) for k, v in cells.items()])
                )
    return {
        "still_running": follow_up.still_running,
        "stopped_on": follow_up.stopped_on,
        "stopped_why": follow_up.stopped_why if raw else "",
        "people_served": follow_up.people_served if raw else None,
        "breakdowns": breakdowns,
        "story": follow_up.story if raw else "",
        "submitted_at": follow_up.submitted_at,
        "submitted_by": follow_up.submitted_by.name if follow_up.submitted_by else "",
    }


def _render(follow_up: FollowUp, answer_form=None, review_form=None, status: int = 200):
    actions = workflow.actions(current_user, follow_up, today())
    if answer_form is None and "submit" in actions:
        answer_form = _answer_form(follow_up, formdata=False)
    if review_form is None and "accept" in actions:
        review_form = ReviewForm(formdata=None, version=str(follow_up.version_id))
    opens = follow_up.due_date - workflow.FOLLOW_UP_OPENS
    not_open_yet = (
        "submit" not in actions
        and permissions.can_answer_follow_up(current_user, follow_up)
        and follow_up.status in follow_ups.WITH_GRANTEE
    )
    return render_template(
        "follow_ups/detail.html",
        follow_up=follow_up,
        project=follow_up.project,
        status_labels=follow_up_status_labels(),
        badges=FOLLOW_UP_BADGES,
        answers=_shown_answers(follow_up),
        answer_form=answer_form,
        breakdown_fields=_breakdown_fields(answer_form, follow_up) if answer_form else [],
        review_form=review_form,
        opens_on=opens if not_open_yet else None,
        returned_comment=follow_up.review_comment if follow_up.reviewed_at else "",
        overdue=follow_up.status in follow_ups.WITH_GRANTEE and follow_up.due_date < today(),
    ), status


@bp.get("/follow-ups/<int:follow_up_id>")
@requires(permissions.is_signed_in)
def detail(follow_up_id: int):
    return _render(_load(follow_up_id))


@bp.post("/follow-ups/<int:follow_up_id>/answer")
@requires(permissions.is_signed_in)
def answer(follow_up_id: int):
    """The grantee's answers: a form with errors comes back with every answer as typed."""
    follow_up = _load(follow_up_id)
    if not permissions.can_answer_follow_up(current_user, follow_up):
        abort(403)
    form = _answer_form(follow_up)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            follow_ups.submit(
                db.session,
                current_user,
                follow_up,
                _answers(form, follow_up),
                expected_version=version_of(form),
                today=today(),
            )
        if outcome.ok:
            flash(_("Thank you: your follow-up has been sent to the fund."), "success")
            return redirect(url_for(".detail", follow_up_id=follow_up.id))
    return _render(_load(follow_up_id), answer_form=form, status=422)


@bp.post("/follow-ups/<int:follow_up_id>/review")
@requires(permissions.is_signed_in)
def review(follow_up_id: int):
    follow_up = _load(follow_up_id)
    if not permissions.can_review_follow_up(current_user, follow_up):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        accept = bool(form.accept.data)
        with attempt(form) as outcome:
            follow_ups.review(
                db.session,
                current_user,
                follow_up,
                accept=accept,
                comment=form.comment.data or "",
                expected_version=version_of(form),
            )
        if outcome.ok:
            flash(
                _("The follow-up has been accepted.")
                if accept
                else _("The follow-up has been returned to the organisation."),
                "success",
            )
            return redirect(url_for(".detail", follow_up_id=follow_up.id))
    return _render(_load(follow_up_id), review_form=form, status=422)


@bp.route("/admin/follow-up-schedule", methods=["GET", "POST"])
@requires(permissions.can_manage_follow_up_schedule)
def schedule():
    areas = follow_ups.areas(db.session)
    form = schedule_form_class(areas, current_locale())()
    if form.validate_on_submit():
        months = {area: getattr(form, f"months_{area.id}").data or "" for area in areas}
        with attempt(form) as outcome:
            follow_ups.set_schedule(db.session, current_user, months)
        if outcome.ok:
            flash(_("The follow-up schedule has been saved."), "success")
            return redirect(url_for(".schedule"))
        return render_template("follow_ups/schedule.html", form=form, areas=areas), 422
    if not form.is_submitted():
        for area in areas:
            months = follow_ups.months_of(area)
            getattr(form, f"months_{area.id}").data = ", ".join(str(m) for m in months)
    status = 422 if form.errors else 200
    return render_template("follow_ups/schedule.html", form=form, areas=areas), status
