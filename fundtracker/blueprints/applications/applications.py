"""The list of applications and an application's page, with the forms of the stage it is in
for the officers (screening, reviewers, decision), and its attachments."""

from flask import render_template
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.common import load_application, template_context
from fundtracker.blueprints.applications.filters import application_filters
from fundtracker.blueprints.applications.forms import (
    AssignForm,
    ScreenForm,
    decision_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import Application, ApplicationFile, ApplicationStatus, Organisation
from fundtracker.models.labels import decision_outcome_labels
from fundtracker.services import applications as svc
from fundtracker.services import board, decisions, organisations, registration, reviews
from fundtracker.services.plan import next_code
from fundtracker.web import audit as audit_log
from fundtracker.web import load_or_404, page_arg, requires, send_stored_file
from fundtracker.web.forms import choices

# Rows per page of the list of applications.
APPLICATIONS_PER_PAGE = 25
# Organisations waiting for verification shown above the list; the rest are one link away.
WAITING_SHOWN = 10


@bp.get("/applications/")
@requires(permissions.can_list_applications)
def index():
    staff = permissions.is_staff(current_user)
    context = template_context()
    labels = context["status_labels"]
    if staff:  # a draft is its applicant's own
        labels = {s: label for s, label in labels.items() if s != ApplicationStatus.DRAFT}
    filtered, flt = application_filters(
        svc.filter_calls(db.session, current_user), labels, context["locale"]
    )
    pagination = db.paginate(
        svc.list_query(current_user, flt),
        page=page_arg(),
        per_page=APPLICATIONS_PER_PAGE,
        error_out=False,
    )
    chosen_organisation = None
    if flt.organisation_id is not None:
        found = db.session.get(Organisation, flt.organisation_id)
        if found is not None and permissions.can_view_organisation(current_user, found):
            chosen_organisation = found
    waiting, waiting_total = [], 0
    if staff:
        verified = True
        waiting, waiting_total = organisations.waiting_for_verification(db.session, WAITING_SHOWN)
    else:
        verified = registration.is_verified(db.session, current_user.organisation_id)
    return render_template(
        "applications/index.html",
        pagination=pagination,
        applications=pagination.items,
        form=filtered.form,
        page_args=filtered.page_args,
        filtered=bool(filtered.page_args),
        chosen_organisation=chosen_organisation,
        organisation_filter=flt.organisation_id,
        every_organisation_args={
            k: v for k, v in filtered.page_args.items() if k != "organisation"
        },
        unverified=waiting,
        unverified_total=waiting_total,
        verified=verified,
        is_staff=staff,
        **context,
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
        board_status=board.application_status(db.session, application) if deciding else None,
        board_outcome_labels=decision_outcome_labels(),
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
    response = send_stored_file(stored)
    audit_log.record_read(
        "file.opened",
        target=stored,
        details={
            "name": stored.original_name,
            "kind": "application",
            "application_id": stored.application_id,
        },
    )
    return response
