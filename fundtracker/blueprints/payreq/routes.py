"""Payment requests: the grantee requests a payable tranche with its invoice and bank account;
the officer approves (approving the tranche) or returns it; the grantee corrects or withdraws."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import MultipleFileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from fundtracker import permissions
from fundtracker.blueprints.payreq import bp
from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.core.text import clean_line, clean_text
from fundtracker.core.time import today
from fundtracker.models import PaymentRequest, Tranche
from fundtracker.models.labels import REQUEST_BADGES, request_status_labels
from fundtracker.services import files, workflow
from fundtracker.services import payment_requests as svc
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of
from fundtracker.web.forms import DateField, VersionForm


class RequestForm(VersionForm):
    invoice_number = StringField(
        _l("Invoice number"),
        validators=[InputRequired(), Length(max=svc.NUMBER_MAX)],
        filters=[clean_line],
    )
    invoice_date = DateField(_l("Invoice date"), validators=[InputRequired()])
    invoice = MultipleFileField(
        _l("Invoice"), description=_l("The signed invoice: PDF, JPEG or PNG.")
    )
    iban = StringField(
        _l("IBAN"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("The organisation's account the fund has on file; KZ and 18 more."),
    )
    bic = StringField(_l("Bank's BIC"), validators=[InputRequired(), Length(max=11)])
    kbe = StringField(_l("Beneficiary code (KBe)"), validators=[InputRequired(), Length(max=2)])
    note = TextAreaField(
        _l("Note to the fund"),
        validators=[Optional(), Length(max=svc.NOTE_MAX)],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Send the request"))


class ReturnForm(VersionForm):
    reason = TextAreaField(
        _l("What to correct"),
        validators=[InputRequired(), Length(max=svc.REASON_MAX)],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Return for changes"))


def _data(form: RequestForm) -> svc.RequestData:
    return svc.RequestData(
        invoice_number=form.invoice_number.data or "",
        invoice_date=form.invoice_date.data,
        iban=form.iban.data or "",
        bic=form.bic.data or "",
        kbe=form.kbe.data or "",
        note=form.note.data or "",
    )


def _uploads(form: RequestForm) -> list[files.Upload]:
    return [files.Upload(u.stream, u.filename) for u in form.invoice.data or [] if u and u.filename]


def _refill_files(form: RequestForm, uploads) -> None:
    if uploads:
        form.invoice.errors = [
            *form.invoice.errors,
            _("Nothing was saved: choose the files again."),
        ]


@bp.route("/tranches/<int:tranche_id>/request", methods=["GET", "POST"])
@requires(permissions.is_grantee)
def new(tranche_id: int):
    tranche = load_or_404(
        Tranche, tranche_id, lambda u, t: permissions.can_view_project(u, t.project)
    )
    if not permissions.can_request_payment(current_user, tranche):
        abort(403)
    organisation = tranche.project.organisation
    form = RequestForm()
    if request.method == "GET":
        form.iban.data, form.bic.data, form.kbe.data = (
            organisation.iban,
            organisation.bic,
            organisation.kbe,
        )
    refusal = svc.payable_refusal(tranche, today())
    if form.validate_on_submit():
        uploads, stored = _uploads(form), []
        with attempt(form) as outcome:
            created = svc.request_payment(
                db.session,
                file_storage(),
                current_user,
                tranche,
                _data(form),
                uploads,
                today(),
                stored,
            )
        if outcome.ok:
            flash(_("Your request has been sent to the fund."), "success")
            return redirect(url_for(".detail", request_id=created.id))
        files.discard(file_storage(), stored)
        _refill_files(form, uploads)
    return render_template(
        "payreq/form.html",
        form=form,
        tranche=tranche,
        refusal=refusal,
        back=url_for("projects.detail", project_id=tranche.project_id) + "#tranches",
    ), (422 if request.method == "POST" else 200)


def _load(request_id: int) -> PaymentRequest:
    return load_or_404(PaymentRequest, request_id, permissions.can_view_payment_request)


@bp.get("/<int:request_id>")
@requires(permissions.is_signed_in)
def detail(request_id: int):
    return _page(_load(request_id))


def _page(payment_request: PaymentRequest, return_form: ReturnForm | None = None, status=200):
    actions = workflow.actions(current_user, payment_request, today())
    return render_template(
        "payreq/detail.html",
        r=payment_request,
        tranche=payment_request.tranche,
        project=payment_request.tranche.project,
        invoices=[f for f in payment_request.files if not f.is_deleted],
        status_labels=request_status_labels(),
        badges=REQUEST_BADGES,
        may_approve="approve" in actions,
        return_form=return_form
        or (
            ReturnForm(formdata=None, version=payment_request.version_id)
            if "return" in actions
            else None
        ),
        may_withdraw="withdraw" in actions,
        may_pay="pay" in workflow.actions(current_user, payment_request.tranche, today()),
        may_resubmit="resubmit" in actions,
        csrf_form=PostOnlyForm(formdata=None),
    ), status


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_grantee)
def edit(request_id: int):
    payment_request = _load(request_id)
    if "resubmit" not in workflow.actions(current_user, payment_request, today()):
        abort(403)
    form = RequestForm(obj=payment_request)
    if request.method == "GET":
        form.version.data = payment_request.version_id
    if form.validate_on_submit():
        uploads, stored = _uploads(form), []
        with attempt(form) as outcome:
            svc.resubmit(
                db.session,
                file_storage(),
                current_user,
                payment_request,
                _data(form),
                uploads,
                today(),
                version_of(form),
                stored,
            )
        if outcome.ok:
            flash(_("Your request has been sent to the fund again."), "success")
            return redirect(url_for(".detail", request_id=payment_request.id))
        files.discard(file_storage(), stored)
        _refill_files(form, uploads)
    return render_template(
        "payreq/form.html",
        form=form,
        tranche=payment_request.tranche,
        refusal=None,
        returned=payment_request.return_reason,
        back=url_for(".detail", request_id=payment_request.id),
    ), (422 if request.method == "POST" else 200)


@bp.post("/<int:request_id>/approve")
@requires(permissions.is_staff)
def approve(request_id: int):
    payment_request = _load(request_id)
    with attempt() as outcome:
        svc.approve_request(
            db.session, current_user, payment_request, today(), _version(request.form)
        )
    if outcome.ok:
        flash(_("The request is approved, and the tranche with it."), "success")
    return redirect(url_for(".detail", request_id=request_id))


def _version(data) -> int | None:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


@bp.post("/<int:request_id>/return")
@requires(permissions.is_staff)
def return_(request_id: int):
    payment_request = _load(request_id)
    form = ReturnForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.return_request(
                db.session, current_user, payment_request, form.reason.data, version_of(form)
            )
        if outcome.ok:
            flash(_("The request has been returned to the grantee."), "success")
            return redirect(url_for(".detail", request_id=request_id))
        payment_request = _load(request_id)
    return _page(payment_request, form, 422)


@bp.post("/<int:request_id>/withdraw")
@requires(permissions.is_grantee)
def withdraw(request_id: int):
    payment_request = _load(request_id)
    with attempt() as outcome:
        svc.withdraw(db.session, current_user, payment_request, _version(request.form))
    if outcome.ok:
        flash(_("The request has been withdrawn."), "success")
    return redirect(url_for(".detail", request_id=request_id))
