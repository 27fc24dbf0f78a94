"""Admin pages: the audit log (issue #19), searched and filtered, and its export as CSV (which
is itself audited)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from fundtracker import permissions
from fundtracker.blueprints.admin import bp
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.models.labels import role_labels
from fundtracker.services import audit, export
from fundtracker.web import audit as audit_log
from fundtracker.web import page_arg, requires
from fundtracker.web.forms import DateField, choices
from fundtracker.web.reauth import reauth

PER_PAGE = 50
FILTER_KEYS = ("actor", "action", "target_type", "date_from", "date_to")


class AuditFilterForm(FlaskForm):
    """The log's filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    actor = SearchField(_l("Who (email)"), validators=[Optional(), Length(max=254)])
    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Object"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


def _filters() -> tuple[AuditFilterForm, audit.AuditFilter, dict]:
    """The filters from the query string; a value in error is dropped (and shown on its field),
    not refused."""
    form = AuditFilterForm(request.args)
    labels = audit.known_actions(db.session)
    form.action.choices = choices([("", _l("All actions")), *labels.items()])
    form.target_type.choices = choices(
        [("", _l("All objects")), *((t, t) for t in audit.target_types(db.session))]
    )
    form.validate()

    def value(field):
        return field.data if field.data and not field.errors else None

    flt = audit.AuditFilter(
        actor=value(form.actor) or "",
        action=value(form.action) or "",
        target_type=value(form.target_type) or "",
        date_from=value(form.date_from),
        date_to=value(form.date_to),
    )
    return form, flt, labels


@bp.get("/audit")
@requires(permissions.is_admin)
def audit_events():
    form, flt, labels = _filters()
    pagination = db.paginate(audit.events(flt), page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/audit.html",
        form=form,
        pagination=pagination,
        rows=[
            {
                "event": event,
                "label": labels.get(event.action, event.action),
                "details": audit.details_text(event),
            }
            for event in pagination.items
        ],
        page_args={k: request.args[k] for k in FILTER_KEYS if request.args.get(k)},
        role_labels={role.value: label for role, label in role_labels().items()},
    )


@bp.get("/audit/export.csv")
@requires(permissions.is_admin)
@reauth  # the log holds people's emails and addresses
def audit_export():
    _form, flt, labels = _filters()
    headers = [
        _("Number"),
        _("When (Almaty)"),
        _("Who"),
        _("Role"),
        _("Action code"),
        _("Action"),
        _("Object"),
        _("Object number"),
        _("Object name"),
        _("Details"),
        _("Address"),
        _("Hash"),
    ]
    rows = audit.export_rows(db.session, flt, labels)
    name = f"fundtracker-audit-{today().isoformat()}.csv"
    response = current_app.response_class(
        export.to_csv(headers, rows, current_locale()), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    audit_log.record_read("audit.exported", details={"rows": len(rows), **flt.as_details()})
    return response
