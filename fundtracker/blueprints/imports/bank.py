"""Payments from a bank or 1C statement, matched to approved tranches (issue #24)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SubmitField

from fundtracker import permissions
from fundtracker.blueprints.imports import bp
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ImportBatch, ImportKind, ImportStatus, Project, Tranche
from fundtracker.models.labels import import_status_labels
from fundtracker.services.imports import bank
from fundtracker.services.imports.core import Problem
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires


class StatementForm(FlaskForm):
    file = FileField(
        _l("Statement (CSV)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l(
            "Exported from the bank or from 1C: the date, amount, document number, purpose and "
            "recipient's BIN of each payment (UTF-8 or Windows-1251)."
        ),
    )
    submit = SubmitField(_l("Upload and match"))


@bp.route("/bank", methods=["GET", "POST"])
@requires(permissions.can_import)
def bank_index():
    form = StatementForm()
    if form.validate_on_submit():
        storage = form.file.data
        with attempt(form) as outcome:
            batch = bank.create(db.session, current_user, storage.filename or "", storage.read())
        if outcome.ok:
            return redirect(url_for(".bank_preview", batch_id=batch.id))
    status = 400 if request.method == "POST" else 200
    return render_template("imports/bank_index.html", form=form), status


def _load(batch_id: int) -> ImportBatch:
    batch = load_or_404(ImportBatch, batch_id, permissions.can_view_import)
    if batch.kind != ImportKind.BANK:
        abort(404)
    return batch


def _tranches(ids: set[int]) -> dict[int, Tranche]:
    rows = db.session.scalars(
        select(Tranche)
        .options(
            joinedload(Tranche.project).joinedload(Project.organisation),
            joinedload(Tranche.milestone),
        )
        .where(Tranche.id.in_(ids))
    )
    return {t.id: t for t in rows if permissions.can_view_project(current_user, t.project)}


@bp.get("/bank/<int:batch_id>")
@requires(permissions.can_import)
def bank_preview(batch_id: int):
    batch = _load(batch_id)
    lines = batch.changes or []
    ids = {c["tranche_id"] for c in lines if c.get("tranche_id")}
    ids |= {i for c in lines for i in c.get("candidates", [])}
    problems = [
        {"row": p.row, "message": p.text()} for p in map(Problem.from_json, batch.problems or [])
    ]
    groups = {state: [c for c in lines if c["state"] == state] for state in bank.STATES}
    return render_template(
        "imports/bank_preview.html",
        batch=batch,
        groups=groups,
        tranches=_tranches(ids),
        reasons={k: str(v) for k, v in bank.REASONS.items()},
        problems=problems,
        status_labels=import_status_labels(),
        csrf_form=PostOnlyForm(formdata=None),
        awaiting=batch.status == ImportStatus.CHECKED,
    )


@bp.post("/bank/<int:batch_id>/confirm")
@requires(permissions.can_import)
def bank_confirm(batch_id: int):
    batch = _load(batch_id)
    target = url_for(".bank_preview", batch_id=batch.id)
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(target)
    choices = {}
    for name, value in request.form.items():
        if name.startswith("choice-") and name[7:].isdigit() and value.isdigit():
            choices[int(name[7:])] = int(value)
    with attempt() as outcome:
        recorded = bank.confirm(db.session, current_user, batch, choices, today())
    if outcome.ok:
        flash(
            ngettext("%(num)d payment recorded.", "%(num)d payments recorded.", recorded),
            "success",
        )
    return redirect(target)
