"""The standard indicator library: its list, and adding or editing an indicator."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.forms import StandardForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES, current_locale
from fundtracker.models import IndicatorType, StandardIndicator
from fundtracker.models.labels import indicator_type_labels
from fundtracker.services import outcomes, reference, wellbeing
from fundtracker.web import attempt, load_or_404, requires, version_of


@bp.get("/indicators")
@requires(permissions.can_view_indicator_library)
def library():
    return render_template(
        "outcomes/library.html",
        indicators=outcomes.library(db.session),
        type_labels=indicator_type_labels(),
        can_manage=permissions.can_manage_indicator_library(current_user),
        can_keep_domains=permissions.can_manage_wellbeing_domains(current_user),
    )


def _standard_data(form) -> outcomes.StandardData:
    return outcomes.StandardData(
        code=form.code.data or "",
        **{
            f"{part}_{lang}": getattr(form, f"{part}_{lang}").data or ""
            for part in ("name", "definition", "unit")
            for lang in LANGUAGES
        },
        type=IndicatorType(form.type.data),
        area_id=form.area_id.data,
        active=bool(form.active.data),
        domain_ids=list(form.domain_ids.data or []),
    )


def _standard_form(standard=None):
    form = StandardForm(obj=standard) if request.method == "GET" else StandardForm()
    linked = standard.domains if standard is not None else []
    form.fill_choices(
        reference.areas(db.session), current_locale(), wellbeing.choices_for(db.session, linked)
    )
    if request.method == "GET" and standard is not None:
        form.type.data = standard.type.value
        form.version.data = standard.version_id
        form.domain_ids.data = [d.id for d in linked]
    return form


@bp.route("/indicators/new", methods=["GET", "POST"])
@requires(permissions.can_manage_indicator_library)
def standard_new():
    form = _standard_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.create_standard(db.session, current_user, _standard_data(form))
        if outcome.ok:
            flash(_("The indicator has been added to the library."), "success")
            return redirect(url_for(".library"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html", form=form, title=_("New standard indicator"), back=url_for(".library")
    ), status


@bp.route("/indicators/<int:standard_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_manage_indicator_library)
def standard_edit(standard_id: int):
    standard = load_or_404(
        StandardIndicator, standard_id, lambda u, s: permissions.can_manage_indicator_library(u)
    )
    form = _standard_form(standard)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            outcomes.edit_standard(
                db.session, current_user, standard, _standard_data(form), version_of(form)
            )
        if outcome.ok:
            flash(_("The indicator has been saved."), "success")
            return redirect(url_for(".library"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "outcomes/form.html", form=form, title=standard.code, back=url_for(".library")
    ), status
