"""Decisions: an officer approves (creating the project), rejects or returns an application; the
list of decisions taken."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.applications import render_detail
from fundtracker.blueprints.applications.common import load_application, template_context
from fundtracker.blueprints.applications.forms import decision_form_class
from fundtracker.core.extensions import db
from fundtracker.models import Application
from fundtracker.services import decisions as svc
from fundtracker.services.errors import DomainError
from fundtracker.web import attempt, form_errors_from, requires


def _decide(form, application: Application) -> None:
    """The decision of the button pressed."""
    comment = form.comment.data or ""
    if form.approve.data:
        svc.approve(
            db.session,
            current_user,
            application,
            awarded_amount=form.awarded_amount.tiyn,
            agreement_number=form.agreement_number.data or "",
            code=form.code.data or "",
            agreement_signed_on=form.agreement_signed_on.data,
            tranche_amounts=form.tranches() or None,
            texts=form.texts(),
            confirm_unscored=form.confirm_unscored.data,
            comment=comment,
        )
    elif form.reject.data:
        svc.reject(db.session, current_user, application, comment)
    elif form.send_back.data:
        svc.return_for_changes(db.session, current_user, application, comment)
    else:
        raise DomainError(_("Choose what to do with the application."))


def _preview(form, application: Application):
    """The decision form again with what approval would give the project; nothing is saved."""
    try:
        plan = svc.approval_plan(application, form.awarded_amount.tiyn, form.tranches() or None)
    except DomainError as error:
        form_errors_from(form, error)
        return render_detail(application, {"decide": form}, status=422)
    return render_detail(application, {"decide": form}, preview=plan)


@bp.post("/applications/<int:application_id>/decide")
@requires(permissions.can_process_applications)
def decide(application_id: int):
    application = load_application(application_id)
    form = decision_form_class(application.milestones)(formdata=request.form)
    if form.validate_on_submit():
        if form.preview.data:
            return _preview(form, application)
        with attempt(form) as outcome:
            _decide(form, application)
        if outcome.ok:
            if application.project is not None:
                flash(_("Approved: the project has been created."), "success")
                return redirect(url_for("projects.detail", project_id=application.project.id))
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return render_detail(load_application(application_id), {"decide": form}, status=422)


@bp.get("/decisions")
@requires(permissions.can_view_decisions)
def decisions():
    return render_template(
        "applications/decisions.html", items=svc.decisions(db.session), **template_context()
    )
