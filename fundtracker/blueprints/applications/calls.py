"""Calls for proposals: the list, an officer's form, a call's page and its status buttons."""

from datetime import time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.common import BLANK_ROWS, load_call, template_context
from fundtracker.blueprints.applications.filters import call_filters
from fundtracker.blueprints.applications.forms import CallForm, CallStatusForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES, current_locale
from fundtracker.core.time import to_local, to_utc
from fundtracker.models import Call, CallStatus, utcnow
from fundtracker.services import applications as application_service
from fundtracker.services import calls as svc
from fundtracker.services import reference
from fundtracker.web import attempt, page_arg, requires, version_of
from fundtracker.web.forms import choices

# Rows per page of the list of calls.
CALLS_PER_PAGE = 25


@bp.get("/calls/")
@requires(permissions.can_list_calls)
def calls():
    now = utcnow()
    context = template_context()
    staff = permissions.is_staff(current_user)
    filtered, flt = call_filters(context["call_labels"] if staff else {})
    pagination = db.paginate(
        svc.list_query(current_user, now, flt),
        page=page_arg(),
        per_page=CALLS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "applications/calls.html",
        pagination=pagination,
        calls=pagination.items,
        form=filtered.form,
        page_args=filtered.page_args,
        filtered=bool(filtered.page_args),
        show_status_filter=staff,
        now=now,
        can_manage=permissions.can_manage_calls(current_user),
        **context,
    )


def _call_form(call: Call | None = None) -> CallForm:
    form = CallForm()
    locale = current_locale()
    areas = reference.areas(db.session, by_code=True)
    form.area_id.choices = choices((a.id, a.name(locale)) for a in areas)
    if request.method == "GET":
        rows = []
        if call is not None:
            for name in svc.CALL_FIELDS:
                if name in form._fields and name not in ("budget_envelope", "max_request"):
                    form[name].data = getattr(call, name)
            form.budget_envelope.set_tiyn(call.budget_envelope)
            form.max_request.set_tiyn(call.max_request)
            opens, closes = to_local(call.opens_at), to_local(call.closes_at)
            form.opens_on.data, form.opens_time.data = opens.date(), opens.time()
            form.closes_on.data, form.closes_time.data = closes.date(), closes.time()
            form.version.data = call.version_id
            rows = [
                {
                    "name_kk": c.name_kk,
                    "name_ru": c.name_ru,
                    "name_en": c.name_en,
                    "weight": c.weight,
                }
                for c in call.criteria
            ]
        else:
            form.opens_time.data = time(9, 0)
            form.closes_time.data = time(18, 0)
        for row in rows + [{}] * BLANK_ROWS:
            form.criteria.append_entry(row)
    return form


# The call's texts typed in each language, as CallData has them.
TEXT_FIELDS = tuple(
    f"{kind}_{code}"
    for kind in ("title", "description", "eligibility", "required_documents")
    for code in LANGUAGES
)


def _call_data(form: CallForm) -> svc.CallData:
    return svc.CallData(
        area_id=form.area_id.data,
        opens_at=to_utc(form.opens_on.data, form.opens_time.data),
        closes_at=to_utc(form.closes_on.data, form.closes_time.data),
        budget_envelope=form.budget_envelope.tiyn,
        max_request=form.max_request.tiyn,
        criteria=[row.form.to_data() for row in form.criteria.entries],
        **{name: form[name].data or "" for name in TEXT_FIELDS},
    )


def missing_language_notes(call: Call) -> list[str]:
    """What the call still lacks in each language, one line per language, e.g. "Not yet in
    Russian: eligibility, scoring criteria" (for the staff who can edit it)."""
    parts = {
        "title": _("title"),
        "description": _("description"),
        "eligibility": _("eligibility criteria"),
        "documents": _("documents to attach"),
        "criteria": _("scoring criteria"),
    }
    sentences = {
        "kk": lambda items: _("Not yet in Kazakh: %(items)s", items=items),
        "ru": lambda items: _("Not yet in Russian: %(items)s", items=items),
        "en": lambda items: _("Not yet in English: %(items)s", items=items),
    }
    return [
        sentences[code](", ".join(parts[part] for part in lacking))
        for code, lacking in call.missing_languages().items()
    ]


@bp.route("/calls/new", methods=["GET", "POST"])
@requires(permissions.can_manage_calls)
def call_new():
    form = _call_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            call = svc.create_call(db.session, current_user, _call_data(form))
        if outcome.ok:
            flash(_("The call has been saved as a draft."), "success")
            return redirect(url_for(".call_detail", call_id=call.id))
    status = 422 if request.method == "POST" else 200
    return render_template("applications/call_form.html", form=form, call=None), status


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_manage_calls)
def call_edit(call_id: int):
    call = load_call(call_id)
    form = _call_form(call)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.update_call(db.session, current_user, call, _call_data(form), version_of(form))
        if outcome.ok:
            flash(_("The call has been saved."), "success")
            return redirect(url_for(".call_detail", call_id=call.id))
    status = 422 if request.method == "POST" else 200
    return render_template("applications/call_form.html", form=form, call=call), status


@bp.get("/calls/<int:call_id>")
@requires(permissions.can_list_calls)
def call_detail(call_id: int):
    call = load_call(call_id)
    now = utcnow()
    own = []
    if permissions.is_grantee(current_user):
        own = application_service.in_call(db.session, current_user, call)
    can_manage = permissions.can_manage_calls(current_user)
    return render_template(
        "applications/call_detail.html",
        call=call,
        missing_languages=missing_language_notes(call) if can_manage and not call.archived else [],
        is_open=call.is_open(now),
        can_manage=can_manage,
        can_apply=permissions.can_apply(current_user) and call.is_open(now),
        next_statuses=svc.next_statuses(call),
        own_applications=own,
        status_form=CallStatusForm(formdata=None),
        **template_context(),
    )


@bp.post("/calls/<int:call_id>/status")
@requires(permissions.can_manage_calls)
def call_status(call_id: int):
    call = load_call(call_id)
    form = CallStatusForm()
    if form.validate_on_submit():
        try:
            target = CallStatus(form.status.data)
        except ValueError:
            target = None
        if target is None:
            flash(_("Unknown status."), "danger")
        else:
            with attempt() as outcome:
                svc.set_call_status(db.session, current_user, call, target)
            if outcome.ok:
                flash(_("The call's status has been changed."), "success")
    return redirect(url_for(".call_detail", call_id=call_id))
