"""Importing a portfolio workbook: template, upload, preview, confirm, progress (issue #24)."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, SubmitField

from fundtracker import permissions
from fundtracker.blueprints.imports import bp
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.models import ImportBatch, ImportKind, ImportStatus
from fundtracker.models.labels import import_status_labels
from fundtracker.services.imports import batches, workbook
from fundtracker.services.imports.core import Problem, ordered_sheets
from fundtracker.web import PostOnlyForm, attempt, load_or_404, page_arg, requires

PER_PAGE = 25
PROBLEMS_SHOWN = 500
CHANGES_SHOWN = 500


class UploadForm(FlaskForm):
    file = FileField(
        _l("Workbook (XLSX) or CSV file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("A CSV file holds one sheet: choose which below."),
    )
    csv_sheet = SelectField(_l("A CSV file holds"), choices=[], default="")
    submit = SubmitField(_l("Upload and check"))


def _upload_form(**kwargs) -> UploadForm:
    form = UploadForm(**kwargs)
    form.csv_sheet.choices = [("", _("— (a workbook: every sheet)"))] + [
        (sheet.key, str(sheet.label)) for sheet in ordered_sheets()
    ]
    return form


def _history():
    query = (
        select(ImportBatch)
        .options(joinedload(ImportBatch.created_by))
        .where(ImportBatch.kind == ImportKind.WORKBOOK)
        .order_by(ImportBatch.id.desc())
    )
    return db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)


def _index(form: UploadForm, status: int = 200):
    return (
        render_template(
            "imports/index.html",
            form=form,
            history=_history(),
            status_labels=import_status_labels(),
            sheet_labels=_sheet_labels(),
            counts=batches.counts,
            locale=current_locale(),
        ),
        status,
    )


@bp.get("/")
@requires(permissions.can_import)
def index():
    return _index(_upload_form())


@bp.get("/template.xlsx")
@requires(permissions.can_import)
def template():
    locale = current_locale()
    body = workbook.template(db.session, locale)
    response = current_app.response_class(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="fundtracker-import-template-{locale}.xlsx"'
    )
    return response


@bp.post("/")
@requires(permissions.can_import)
def upload():
    form = _upload_form()
    if not form.validate_on_submit():
        return _index(form, 400)
    storage = form.file.data
    data = storage.read()
    with attempt(form) as outcome:
        batch = batches.create(
            db.session,
            current_user,
            storage.filename or "",
            data,
            today(),
            form.csv_sheet.data or None,
        )
    if not outcome.ok:
        return _index(form, 400)
    return redirect(url_for(".preview", batch_id=batch.id))


def _load(batch_id: int) -> ImportBatch:
    batch = load_or_404(ImportBatch, batch_id, permissions.can_view_import)
    if batch.kind != ImportKind.WORKBOOK:
        abort(404)
    return batch


def _sheet_labels() -> dict[str, str]:
    return {sheet.key: str(sheet.label) for sheet in ordered_sheets()}


def _column_labels() -> dict[tuple[str, str], str]:
    return {
        (sheet.key, column.key): str(column.label)
        for sheet in ordered_sheets()
        for column in sheet.columns
    }


@bp.get("/<int:batch_id>")
@requires(permissions.can_import)
def preview(batch_id: int):
    batch = _load(batch_id)
    sheets, columns = _sheet_labels(), _column_labels()
    problems = [
        {
            "sheet": sheets.get(p.sheet, "") if p.sheet else "",
            "row": p.row,
            "column": columns.get((p.sheet, p.column), "") if p.column else "",
            "message": p.text(),
        }
        for p in map(Problem.from_json, (batch.problems or [])[:PROBLEMS_SHOWN])
    ]
    changes = [
        {
            "sheet": sheets.get(c["sheet"], c["sheet"]),
            "row": c["row"],
            "action": c["action"],
            "key": c["key"],
            "fields": [
                (columns.get((c["sheet"], name), name), old, new)
                for name, (old, new) in c["fields"].items()
            ],
        }
        for c in (batch.changes or [])[:CHANGES_SHOWN]
    ]
    summary = [
        (sheets[key], counts) for key, counts in batches.counts(batch).items() if key in sheets
    ]
    return render_template(
        "imports/preview.html",
        batch=batch,
        problems=problems,
        problems_total=len(batch.problems or []),
        changes=changes,
        changes_total=batch.total,
        summary=summary,
        projects=batches.touched_projects(batch) if batch.status == ImportStatus.DONE else [],
        status_labels=import_status_labels(),
        csrf_form=PostOnlyForm(formdata=None),
        waiting=batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        awaiting=batch.status == ImportStatus.CHECKED,  # Confirm and Discard are offered
        error=_error_text(batch),
    )


def _error_text(batch: ImportBatch) -> str:
    messages = {
        "changed_since_preview": _(
            "The data changed since the preview: the file now has problems. Nothing was written."
        ),
        "apply_failed": _("Importing failed and nothing was written. Try again, or ask for help."),
        "too_many_attempts": _("Importing was interrupted too many times; nothing was written."),
    }
    return messages.get(batch.error, "") if batch.status == ImportStatus.FAILED else ""


@bp.post("/<int:batch_id>/confirm")
@requires(permissions.can_import)
def confirm(batch_id: int):
    batch = _load(batch_id)
    target = url_for(".preview", batch_id=batch.id)
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(target)
    with attempt() as outcome:
        result = batches.confirm(db.session, current_user, batch, today())
    if outcome.ok:
        flash(*_CONFIRMED[result]())
    return redirect(target)


_CONFIRMED = {
    "applied": lambda: (_("Imported. Every change is in the projects' timelines."), "success"),
    "queued": lambda: (
        _(
            "The import has started; this page shows how far it has got. You will be told when it "
            "is done."
        ),
        "info",
    ),
    "changed": lambda: (
        _("The data changed since the preview: check the new preview before importing."),
        "warning",
    ),
}


@bp.post("/<int:batch_id>/discard")
@requires(permissions.can_import)
def discard(batch_id: int):
    batch = _load(batch_id)
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".preview", batch_id=batch.id))
    with attempt() as outcome:
        batches.discard(db.session, current_user, batch)
    if outcome.ok:
        flash(_("The import was discarded; nothing was written."), "info")
    return redirect(url_for(".index"))


@bp.get("/<int:batch_id>/progress.json")
@requires(permissions.can_import)
def progress(batch_id: int):
    batch = _load(batch_id)
    return jsonify(status=batch.status.value, done=batch.done, total=batch.total)
