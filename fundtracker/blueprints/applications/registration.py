"""An organisation registers itself to apply; an officer verifies it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.forms import RegistrationForm
from fundtracker.blueprints.auth.limits import limited_mail_request
from fundtracker.blueprints.auth.routes import show_check_email
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import Organisation
from fundtracker.services import accounts, reference
from fundtracker.services import registration as svc
from fundtracker.web import attempt, back_url, load_or_404, requires
from fundtracker.web.forms import choices


def _registration_data(form: RegistrationForm) -> svc.RegistrationData:
    return svc.RegistrationData(
        name=form.name.data,
        bin=form.bin.data,
        region_id=form.region_id.data,
        contact_name=form.contact_name.data,
        email=form.email.data,
        password=form.password.data,
        locale=form.locale.data,
        contact_phone=form.contact_phone.data or "",
        address=form.address.data or "",
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    locale = current_locale()
    regions = reference.regions(db.session)
    form.region_id.choices = choices((r.id, r.name(locale)) for r in regions)
    if request.method == "GET":
        form.locale.data = locale
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        # The same answer whether or not the email has an account (its owner is emailed
        # instead); either way the visitor checks their email, signed in as nobody.
        outcome = limited_mail_request(
            "register",
            form.email.data,
            lambda: svc.request_registration(db.session, _registration_data(form)),
            form,
        )
        if outcome.ok:
            return show_check_email(form.email.data)
        if isinstance(outcome.error, accounts.TooManyRequests):
            status = 429
    return render_template("applications/register.html", form=form), status


@bp.post("/organisations/<int:organisation_id>/verify")
@requires(permissions.can_verify_organisations)
def verify(organisation_id: int):
    organisation = load_or_404(
        Organisation, organisation_id, lambda u, o: permissions.can_verify_organisations(u)
    )
    with attempt() as outcome:
        svc.verify_organisation(db.session, current_user, organisation)
    if outcome.ok:
        flash(_("%(name)s is verified.", name=organisation.name), "success")
    return redirect(back_url(".index"))
