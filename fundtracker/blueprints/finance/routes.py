"""Tranches and budget lines: editing, approval for payment (one, or several ticked in the list
of tranches waiting for it), recording payments."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import Optional

from fundtracker import permissions
from fundtracker.blueprints.finance import bp
from fundtracker.blueprints.milestones.forms import PaymentForm
from fundtracker.blueprints.projects.forms import budget_line_form, tranche_form
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.models import BudgetCategory, BudgetLine, Project, Tranche, TrancheStatus
from fundtracker.services import bulk, payments, plan, reference
from fundtracker.web import (
    PostOnlyForm,
    attempt,
    bulk_ids,
    load_or_404,
    next_url,
    page_arg,
    requires,
    version_of,
)
from fundtracker.web.forms import choices, int_or_none
from fundtracker.web.reauth import reauth_response


def _can_view(user, obj) -> bool:
    return permissions.can_view_project(user, obj.project)


def _back(obj, anchor: str) -> str:
    return url_for("projects.detail", project_id=obj.project_id) + anchor


def _load_tranche(tranche_id: int, rule) -> Tranche:
    tranche = load_or_404(Tranche, tranche_id, _can_view)
    if not rule(current_user, tranche.project):
        abort(403)
    return tranche


@bp.route("/tranches/<int:tranche_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def tranche_edit(tranche_id: int):
    tranche = _load_tranche(tranche_id, permissions.can_edit_project)
    form = tranche_form(tranche.project, obj=tranche)
    if not form.is_submitted():
        form.amount.set_tiyn(tranche.amount)
        form.version.data = tranche.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.edit_tranche(
                db.session,
                current_user,
                tranche,
                plan.TrancheData(
                    amount=form.amount.tiyn,
                    planned_date=form.planned_date.data,
                    milestone_id=form.milestone_id.data,
                ),
                version_of(form),
            )
        if outcome.ok:
            flash(_("The tranche has been saved."), "success")
            return redirect(_back(tranche, "#tranches"))
    return render_template(
        "projects/form.html", form=form, title=_("Tranche"), back=_back(tranche, "#tranches")
    )


@bp.post("/tranches/<int:tranche_id>/approve")
@requires(permissions.is_signed_in)
def tranche_approve(tranche_id: int):
    tranche = _load_tranche(tranche_id, permissions.can_manage_payments)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            payments.approve(db.session, current_user, tranche, today())
        if outcome.ok:
            flash(_("The tranche has been approved for payment."), "success")
    return redirect(_back(tranche, "#tranches"))


@bp.route("/tranches/<int:tranche_id>/pay", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def tranche_pay(tranche_id: int):
    tranche = _load_tranche(tranche_id, permissions.can_manage_payments)
    large = tranche.amount > current_app.config["REAUTH_PAYMENT_ABOVE_TIYN"]
    if large and (asked := reauth_response(url_for(".tranche_pay", tranche_id=tranche.id))):
        return asked
    form = PaymentForm()
    if not form.is_submitted():
        form.paid_on.data = today()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            payments.record_payment(
                db.session,
                current_user,
                tranche,
                form.paid_on.data,
                form.reference.data or "",
                today(),
            )
        if outcome.ok:
            flash(_("The payment has been recorded."), "success")
            return redirect(_back(tranche, "#tranches"))
    return render_template(
        "projects/form.html",
        form=form,
        title=_("Record a payment"),
        back=_back(tranche, "#tranches"),
    )


@bp.route("/budget-lines/<int:line_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def budget_line_edit(line_id: int):
    line = load_or_404(BudgetLine, line_id, _can_view)
    if not permissions.can_edit_project(current_user, line.project):
        abort(403)
    form = budget_line_form(obj=line)
    if not form.is_submitted():
        form.amount.set_tiyn(line.amount)
        form.category.data = line.category.value
        form.version.data = line.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.edit_budget_line(
                db.session,
                current_user,
                line,
                plan.BudgetLineData(
                    category=BudgetCategory(form.category.data),
                    amount=form.amount.tiyn,
                    description=form.description.data or "",
                ),
                version_of(form),
            )
        if outcome.ok:
            flash(_("The budget line has been saved."), "success")
            return redirect(_back(line, "#budget"))
    return render_template(
        "projects/form.html", form=form, title=_("Budget line"), back=_back(line, "#budget")
    )


# Approving several tranches at once ------------------------------------------------------------

ALREADY_APPROVED = _l("Already approved.")


class AwaitingFilterForm(FlaskForm):
    """The list's filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    project = SelectField(_l("Project"), coerce=int_or_none, validators=[Optional()])
    due = SelectField(_l("Planned"), coerce=int_or_none, validators=[Optional()])


FILTER_KEYS = ("area", "project", "due")


def _filters() -> tuple[AwaitingFilterForm, payments.AwaitingFilter]:
    """The filters of the address; a value that is not among the choices is dropped."""
    locale = current_locale()
    form = AwaitingFilterForm(request.args)
    anything = ("", _l("All"))
    form.area.choices = choices(
        [anything] + [(a.id, a.name(locale)) for a in reference.areas(db.session)]
    )
    form.project.choices = choices(
        [anything]
        + [
            (p.id, f"{p.code} · {p.title(locale)}")
            for p in payments.awaiting_projects(
                db.session, current_user, bulk.id_from(request.args.get("project"))
            )
        ]
    )
    form.due.choices = choices(
        [
            anything,
            (0, _l("By today")),
            (30, _l("Within 30 days")),
            (90, _l("Within 90 days")),
        ]
    )
    form.validate()
    days = form.due.data if not form.due.errors else None
    return form, payments.AwaitingFilter(
        area_id=form.area.data if not form.area.errors else None,
        project_id=form.project.data if not form.project.errors else None,
        due_by=today() + timedelta(days=days) if days is not None else None,
    )


def _can_approve(tranche: Tranche) -> bool:
    return permissions.can_manage_payments(current_user, tranche.project)


def _load_selected(ids: list[int]) -> dict[int, Tranche]:
    return bulk.load(
        db.session,
        Tranche,
        ids,
        lambda t: _can_view(current_user, t),
        (
            joinedload(Tranche.project).joinedload(Project.organisation),
            joinedload(Tranche.milestone),
        ),
    )


@bp.get("/tranches/to-approve")
@requires(permissions.is_staff)
def tranches_to_approve():
    form, flt = _filters()
    pagination = db.paginate(
        payments.awaiting_approval(current_user, flt),
        page=page_arg(),
        per_page=bulk.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "finance/approve_tranches.html",
        stage="list",
        form=form,
        pagination=pagination,
        page_args={key: request.args[key] for key in FILTER_KEYS if request.args.get(key)},
        csrf_form=PostOnlyForm(formdata=None),
        here=request.full_path.rstrip("?"),
        locale=current_locale(),
    )


@bp.post("/tranches/approve-selected")
@requires(permissions.is_staff)
def tranches_approve_selected():
    """The list's ticked tranches: first the confirmation (nothing changes), then, with
    `confirmed`, each approved in its own savepoint as the single "Approve" button does, and
    the outcome shown."""
    back = next_url("finance.tranches_to_approve")
    ids = bulk_ids()
    if ids is None:
        return redirect(back)
    found = _load_selected(ids)
    page = {"csrf_form": PostOnlyForm(formdata=None), "next": back, "locale": current_locale()}
    if not request.form.get("confirmed"):
        selection = bulk.selection(ids, found)
        return render_template(
            "finance/approve_tranches.html",
            stage="confirm",
            selection=selection,
            total=sum(t.amount for t in selection.items),
            **page,
        )
    day = today()
    with attempt() as outcome:
        result = bulk.run(
            db.session,
            ids,
            found,
            lambda t: payments.approve(db.session, current_user, t, day),
            may=_can_approve,
            skip=lambda t: (
                ALREADY_APPROVED
                if t.status in (TrancheStatus.APPROVED, TrancheStatus.PAID)
                else None
            ),
        )
    if not outcome.ok:
        return redirect(back)
    _load_selected(ids)  # what the outcome names, reloaded after the commit in one SELECT
    return render_template(
        "finance/approve_tranches.html",
        stage="done",
        result=result,
        done_message=ngettext(
            "%(num)d tranche has been approved for payment.",
            "%(num)d tranches have been approved for payment.",
            len(result.done),
        ),
        **page,
    )
