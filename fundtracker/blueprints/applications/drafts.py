"""The applicant's side: starting an application to an open call, then editing the draft,
attaching files and submitting it in one form."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.common import (
    BLANK_ROWS,
    load_application,
    load_call,
    template_context,
)
from fundtracker.blueprints.applications.forms import application_form_class
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.storage import file_storage
from fundtracker.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    BeneficiaryCategory,
    utcnow,
)
from fundtracker.services import application_files, reference, registration
from fundtracker.services import applications as svc
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of
from fundtracker.web.forms import choices


@bp.post("/calls/<int:call_id>/apply")
@requires(permissions.can_apply)
def apply(call_id: int):
    call = load_call(call_id)
    with attempt() as outcome:
        application = svc.start_application(db.session, current_user, call, utcnow())
    if not outcome.ok:
        return redirect(url_for(".calls"))
    return redirect(url_for(".edit", application_id=application.id))


def _application_form(application: Application):
    form = application_form_class()()
    locale = current_locale()
    regions = reference.regions(db.session)
    form.region_ids.choices = choices((r.id, r.name(locale)) for r in regions)
    form.document.choices = choices(
        [("", _("Another document"))] + [(d, d) for d in application.call.documents(locale)]
    )
    if request.method == "GET":
        _fill(form, application)
    return form


def _fill(form, application: Application) -> None:
    """The form as the draft stands, with blank rows for more."""
    form.version.data = application.version_id
    form.title.data = application.title
    form.summary.data = application.summary
    form.start_date.data = application.start_date
    form.end_date.data = application.end_date
    form.region_ids.data = [r.id for r in application.regions]
    for b in application.beneficiaries:
        form[f"people_{b.category.value}"].data = b.count
    for line in application.budget_lines:
        form.budget.append_entry({"category": line.category.value, "description": line.description})
        form.budget.entries[-1].form.amount.set_tiyn(line.amount)
    for m in application.milestones:
        form.milestones.append_entry({"title": m.title, "due_date": m.due_date})
        form.milestones.entries[-1].form.tranche.set_tiyn(m.tranche_amount)
    for i in application.indicators:
        form.indicators.append_entry(
            {"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target}
        )
    for rows in _sections(form):
        rows.add_blank(BLANK_ROWS)


def _sections(form) -> tuple:
    """The form's repeated sections."""
    return (form.budget, form.milestones, form.indicators)


def _rows(rows) -> list:
    """The rows' data, leaving out the rows without what they need."""
    return [data for data in (row.form.to_data() for row in rows.entries) if data is not None]


def _application_data(form) -> svc.ApplicationData:
    """What the form holds that is valid; fields with errors are left out (and kept on the
    re-rendered form), so saving the rest loses nothing."""
    people = {category: form[f"people_{category.value}"] for category in BeneficiaryCategory}
    return svc.ApplicationData(
        title=form.title.data or "",
        summary=form.summary.data or "",
        start_date=None if form.start_date.errors else form.start_date.data,
        end_date=None if form.end_date.errors else form.end_date.data,
        region_ids=[] if form.region_ids.errors else list(form.region_ids.data or []),
        beneficiaries={
            category: f.data
            for category, f in people.items()
            if not f.errors and f.data is not None
        },
        budget=_rows(form.budget),
        milestones=_rows(form.milestones),
        indicators=_rows(form.indicators),
    )


def _upload(form) -> svc.Upload | None:
    upload = form.attachment.data
    if not (upload and getattr(upload, "filename", None)):
        return None
    return svc.Upload(upload.stream, upload.filename, form.document.data or "")


def _render_edit(application: Application, form, missing=None, status=200):
    return render_template(
        "applications/edit.html",
        application=application,
        call=application.call,
        form=form,
        missing=missing or [],
        verified=registration.is_verified(db.session, application.organisation_id),
        file_form=PostOnlyForm(formdata=None),
        last_return=next(
            (
                t
                for t in reversed(application.transitions)
                if t.to_status == ApplicationStatus.RETURNED
            ),
            None,
        ),
        **template_context(),
    ), status


def _refill(form):
    """The re-rendered form keeps what was typed and gets blank rows again for more."""
    for rows in _sections(form):
        blanks = sum(
            1 for e in rows.entries if not any(f.raw_data and f.raw_data[0] for f in e.form)
        )
        rows.add_blank(BLANK_ROWS - blanks)
    return form


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_apply)
def edit(application_id: int):
    application = load_application(application_id)
    if not permissions.can_edit_application(current_user, application):
        flash(_("This application can no longer be changed."), "warning")
        return redirect(url_for(".detail", application_id=application.id))
    form = _application_form(application)
    if request.method == "GET":
        return _render_edit(application, form)
    valid = form.validate_on_submit()
    if any(rows.too_many for rows in _sections(form)):
        # Saving some of the rows would drop the others without a word: nothing is saved.
        flash(_("Your draft was not saved: a section has too many rows."), "danger")
        return _render_edit(application, _refill(form), status=422)
    wants_submit = valid and bool(form.submit.data)
    saved = None
    with attempt(form) as outcome:
        saved = svc.save_and_submit(
            db.session,
            file_storage(),
            current_user,
            application,
            _application_data(form),
            version_of(form),
            upload=_upload(form),
            submit_at=utcnow() if wants_submit else None,
        )
        if saved.refused:  # e.g. the call has closed
            flash(saved.refused, "danger")
    if not outcome.ok:
        application_files.discard(file_storage(), saved.stored if saved else [])
        return _render_edit(load_application(application_id), _refill(form), status=409)
    return _after_save(application, form, saved, valid, wants_submit)


def _after_save(application: Application, form, saved: svc.Saved, valid: bool, wants_submit: bool):
    """The draft was saved: the page shows it now, with what went wrong, or the next page."""
    form.version.data = application.version_id
    for message in saved.rejected:
        flash(message, "danger")
    if not valid:
        flash(_("Your draft was saved. Correct the marked fields before submitting."), "warning")
        return _render_edit(application, _refill(form), status=422)
    if wants_submit and not saved.submitted:
        flash(_("The application was saved as a draft but not submitted."), "warning")
        return _render_edit(application, _refill(form), missing=saved.missing, status=422)
    if wants_submit:
        flash(_("Your application has been submitted to the fund."), "success")
        return redirect(url_for(".detail", application_id=application.id))
    if saved.rejected:
        return _render_edit(application, _refill(form), status=422)
    flash(_("Your draft has been saved."), "success")
    return redirect(url_for(".edit", application_id=application.id))


@bp.post("/applications/files/<int:file_id>/delete")
@requires(permissions.can_apply)
def file_delete(file_id: int):
    stored = load_or_404(ApplicationFile, file_id, permissions.can_view_application_file)
    application_id = stored.application_id
    if not permissions.can_edit_application(current_user, stored.application):
        abort(403)
    key = None
    with attempt() as outcome:
        key = application_files.detach(db.session, file_storage(), current_user, stored)
    if outcome.ok and key:
        application_files.discard(file_storage(), [key])
        flash(_("The file has been removed."), "success")
    return redirect(url_for(".edit", application_id=application_id))
