"""Admin page "Public data" (issue #20): which projects the transparency page and the open-data
files show. A project is public once its agreement is signed, unless an admin marks it
confidential; here the admin sees each project's state and marks ticked projects confidential or
public again, with a reason (each change audited, services/transparency.set_confidential)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from fundtracker import permissions
from fundtracker.blueprints.admin import bp
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import Organisation, Project
from fundtracker.services import bulk, reference
from fundtracker.services import transparency as svc
from fundtracker.web import PostOnlyForm, attempt, bulk_ids, next_url, page_arg, requires

MAKE = {"confidential": True, "public": False}
QUERY_MAX = 100


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[DataRequired(), Length(max=svc.REASON_MAX)],
        description=_l("Kept in the audit log with the change."),
    )


def _filters() -> tuple[svc.AdminFilter, dict]:
    state = request.args.get("state", "")
    area = bulk.id_from(request.args.get("area"))
    q = (request.args.get("q") or "")[:QUERY_MAX]
    flt = svc.AdminFilter(
        state=svc.Publicity(state) if state in svc.Publicity._value2member_map_ else None,
        area_id=area,
        q=q,
    )
    args = {"state": flt.state.value if flt.state else "", "area": area or "", "q": q}
    return flt, {k: v for k, v in args.items() if v}


def _may_change(project: Project) -> bool:
    return permissions.is_admin(current_user) and permissions.can_view_project(
        current_user, project
    )


def _load_selected(ids: list[int]) -> dict[int, Project]:
    return bulk.load(
        db.session,
        Project,
        ids,
        lambda p: permissions.can_view_project(current_user, p),
        (joinedload(Project.organisation).load_only(Organisation.name),),
    )


def _page_context() -> dict:
    return {
        "publicity_labels": svc.publicity_labels(),
        "publicity_of": svc.publicity_of,
        "locale": current_locale(),
    }


@bp.get("/publicity")
@requires(permissions.is_admin)
def publicity():
    flt, args = _filters()
    pagination = db.paginate(
        svc.admin_list(flt), page=page_arg(), per_page=svc.ADMIN_PER_PAGE, error_out=False
    )
    return render_template(
        "admin/publicity.html",
        stage="list",
        pagination=pagination,
        counts=svc.state_counts(db.session),
        areas=reference.areas(db.session),
        filters=args,
        csrf_form=PostOnlyForm(formdata=None),
        here=request.full_path.rstrip("?"),
        **_page_context(),
    )


@bp.post("/publicity/change")
@requires(permissions.is_admin)
def publicity_change():
    """The ticked projects: first the confirmation with the reason to give (nothing changes),
    then, with `confirmed`, each changed in its own savepoint and the outcome shown."""
    back = next_url("admin.publicity")
    make = request.form.get("make", "")
    ids = bulk_ids()
    if ids is None:
        return redirect(back)
    if make not in MAKE:
        flash(_("Choose whether to make the projects confidential or public."), "danger")
        return redirect(back)
    confidential = MAKE[make]
    found = _load_selected(ids)
    form = ReasonForm()
    page = {
        "csrf_form": PostOnlyForm(formdata=None),
        "next": back,
        "make": make,
        **_page_context(),
    }
    if not request.form.get("confirmed") or not form.validate():
        return render_template(
            "admin/publicity.html",
            stage="confirm",
            selection=bulk.selection(ids, found),
            form=form if request.form.get("confirmed") else ReasonForm(formdata=None),
            **page,
        ), (422 if request.form.get("confirmed") else 200)
    reason = form.reason.data or ""
    with attempt(form) as outcome:
        result = bulk.run(
            db.session,
            ids,
            found,
            lambda p: svc.set_confidential(db.session, current_user, p, confidential, reason),
            may=_may_change,
            skip=lambda p: (
                (svc.ALREADY_CONFIDENTIAL if confidential else svc.ALREADY_OPEN)
                if p.confidential == confidential
                else None
            ),
        )
    if not outcome.ok:
        return redirect(back)
    _load_selected(ids)  # what the outcome names, reloaded after the commit in one SELECT
    return render_template(
        "admin/publicity.html",
        stage="done",
        result=result,
        done_message=(
            ngettext(
                "%(num)d project is now confidential.",
                "%(num)d projects are now confidential.",
                len(result.done),
            )
            if confidential
            else ngettext(
                "%(num)d project is no longer confidential.",
                "%(num)d projects are no longer confidential.",
                len(result.done),
            )
        ),
        **page,
    )
