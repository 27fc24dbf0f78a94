"""Files are served only here, after checking access to the object that owns them."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.files import bp
from fundtracker.core.extensions import db
from fundtracker.models import StoredFile
from fundtracker.services import files
from fundtracker.web import (
    PostOnlyForm,
    attempt,
    is_safe_next,
    load_or_404,
    requires,
    send_stored_file,
)
from fundtracker.web import audit as audit_log


@bp.get("/<int:file_id>")
@requires(permissions.is_signed_in)
def download(file_id: int):
    stored = load_or_404(StoredFile, file_id, permissions.can_view_file)
    response = send_stored_file(stored)
    audit_log.record_read(
        "file.opened",
        target=stored,
        details={"name": stored.original_name, "kind": stored.kind.value},
    )
    return response


def _back(stored: StoredFile) -> str:
    target = request.form.get("next")
    if is_safe_next(target):
        return target
    return url_for("projects.detail", project_id=stored.project_id)


def _change(file_id: int, rule, action, message: str):
    stored = load_or_404(StoredFile, file_id, permissions.can_view_file)
    if not rule(current_user, stored):
        abort(403)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            action(db.session, current_user, stored)
        if outcome.ok:
            flash(message, "success")
    return redirect(_back(stored))


@bp.post("/<int:file_id>/delete")
@requires(permissions.is_signed_in)
def delete(file_id: int):
    return _change(
        file_id,
        permissions.can_delete_file,
        files.delete,
        _("The file has been deleted. Fund staff can restore it."),
    )


@bp.post("/<int:file_id>/restore")
@requires(permissions.is_signed_in)
def restore(file_id: int):
    return _change(
        file_id, permissions.can_restore_file, files.restore, _("The file has been restored.")
    )
