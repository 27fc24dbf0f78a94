"""The list of applications and an application's page, with the forms of the stage it is in
for the officers (screening, reviewers, decision), and its attachments."""

from flask import render_template, request
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.common import load_application, template_context
from fundtracker.blueprints.applications.forms import (
    AssignForm,
    ScreenForm,
    decision_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import Application, ApplicationFile, ApplicationStatus
from fundtracker.services import applications as svc
from fundtracker.services import decisions, registration, reviews
from fundtracker.services.plan import next_code
from fundtracker.web import load_or_404, requires, send_stored_file
from fundtracker.web.forms import choices


@bp.get("/applications/")
@requires(permissions.can_list_applications)
def index():
    unverified = []
    if permissions.is_grantee(current_user):
        verified = registration.is_verified(db.session, current_user.organisation_id)
    else:
        unverified = registration.unverified_organisations(db.session)
        verified = True
    status = request.args.get("status", "")
    chosen = ApplicationStatus(status) if status in {s.value for s in ApplicationStatus} else None
    return render_template(
        "applications/index.html",
        applications=svc.listed(db.session, current_user, chosen),
        unverified=unverified,
        verified=verified,
        chosen_status=status,
        is_staff=permissions.is_staff(current_user),
        **template_context(),
    )


def _decision_form(application: Application):
    """The decision form as it first shows: the award as requested, the next agreement number
    and project code, the application's title and summary in its author's language."""
    form = decision_form_class(application.milestones)()
    year = today().year
    form.awarded_amount.set_tiyn(application.requested_amount)
    form.agreement_number.data = decisions.suggested_agreement_number(application, year)
    form.code.data = next_code(db.session, year)
    form.fill_texts(decisions.project_texts(application))
    return form


def _staff_forms(application: Application) -> dict:
    """The officers' forms for the stage the application is in."""
    forms = {}
    if not permissions.can_process_applications(current_user):
        return forms
    status = application.status
    if status == ApplicationStatus.SUBMITTED:
        forms["screen"] = ScreenForm(formdata=None)
        forms["screen"].fill(application.screening)
    if status in (ApplicationStatus.SCREENED, ApplicationStatus.UNDER_REVIEW):
        assign = AssignForm(formdata=None)
        taken = {a.reviewer_id for a in application.assignments}
        assign.reviewer_id.choices = choices(
            (u.id, u.name) for u in reviews.reviewers(db.session) if u.id not in taken
        )
        forms["assign"] = assign
        forms["decide"] = _decision_form(application)
    return forms


def render_detail(
    application: Application,
    forms: dict | None = None,
    status: int = 200,
    preview: decisions.ApprovalPlan | None = None,
):
    """The application's page; `forms` replace the stage's blank forms (a form sent back with
    its mistakes); `preview` is what approving as the decision form says would give the
    project."""
    staff_forms = _staff_forms(application)
    staff_forms.update(forms or {})
    deciding = "decide" in staff_forms
    return render_template(
        "applications/detail.html",
        application=application,
        call=application.call,
        verified=registration.is_verified(db.session, application.organisation_id),
        can_edit=permissions.can_edit_application(current_user, application),
        is_staff=permissions.is_staff(current_user),
        forms=staff_forms,
        screening_items=reviews.screening_items(),
        decision_milestones=[
            (m, staff_forms["decide"][f"tranche_{m.id}"]) for m in application.milestones
        ]
        if deciding
        else [],
        review_progress=decisions.review_progress(application) if deciding else None,
        preview=preview,
        **template_context(),
    ), status


@bp.get("/applications/<int:application_id>")
@requires(permissions.can_list_applications)
def detail(application_id: int):
    return render_detail(load_application(application_id))


@bp.get("/applications/files/<int:file_id>")
@requires(permissions.is_signed_in)
def file_download(file_id: int):
    stored = load_or_404(ApplicationFile, file_id, permissions.can_view_application_file)
    return send_stored_file(stored)
