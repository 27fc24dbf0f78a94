"""Child well-being domains (issue #21): an admin keeps the list that standard indicators are
linked to; the portfolio and the board report group indicators by it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.blueprints.outcomes.forms import DomainForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import WellbeingDomain
from fundtracker.services import wellbeing
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires


def _data(form: DomainForm) -> wellbeing.DomainData:
    return wellbeing.DomainData(
        code=form.code.data or "",
        name_kk=form.name_kk.data or "",
        name_ru=form.name_ru.data or "",
        name_en=form.name_en.data or "",
        position=form.position.data,
        active=bool(form.active.data),
    )


@bp.route("/domains", methods=["GET", "POST"])
@requires(permissions.can_manage_wellbeing_domains)
def domains():
    form = DomainForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            wellbeing.save_domain(db.session, current_user, None, _data(form))
        if outcome.ok:
            flash(_("The domain has been added."), "success")
            return redirect(url_for(".domains"))
    return render_template(
        "outcomes/domains.html",
        domains=wellbeing.domains(db.session),
        counts=wellbeing.indicator_counts(db.session),
        form=form,
        locale=current_locale(),
    ), (422 if request.method == "POST" else 200)


def _domain(domain_id: int) -> WellbeingDomain:
    return load_or_404(
        WellbeingDomain,
        domain_id,
        lambda user, d: permissions.can_manage_wellbeing_domains(user),
    )


@bp.route("/domains/<int:domain_id>", methods=["GET", "POST"])
@requires(permissions.can_manage_wellbeing_domains)
def domain_edit(domain_id: int):
    domain = _domain(domain_id)
    form = DomainForm(obj=domain)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            wellbeing.save_domain(db.session, current_user, domain, _data(form))
        if outcome.ok:
            flash(_("The domain has been saved."), "success")
            return redirect(url_for(".domains"))
    return render_template(
        "outcomes/domain_form.html",
        form=form,
        domain=domain,
        used=wellbeing.indicator_counts(db.session).get(domain.id, 0),
        delete_form=PostOnlyForm(),
        locale=current_locale(),
    ), (422 if request.method == "POST" else 200)


@bp.post("/domains/<int:domain_id>/delete")
@requires(permissions.can_manage_wellbeing_domains)
def domain_delete(domain_id: int):
    domain = _domain(domain_id)
    form = PostOnlyForm()
    if not form.validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".domain_edit", domain_id=domain.id))
    with attempt() as outcome:
        wellbeing.delete_domain(db.session, current_user, domain)
    if outcome.ok:
        flash(_("The domain has been deleted."), "success")
        return redirect(url_for(".domains"))
    return redirect(url_for(".domain_edit", domain_id=domain_id))
