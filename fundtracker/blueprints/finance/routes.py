"""Tranches and budget lines: editing, approval for payment, recording payments."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.finance import bp
from fundtracker.blueprints.milestones.forms import PaymentForm
from fundtracker.blueprints.projects.forms import budget_line_form, tranche_form
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import BudgetCategory, BudgetLine, Tranche
from fundtracker.services import payments, plan
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of


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
