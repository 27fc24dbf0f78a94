from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.organisations import bp
from fundtracker.blueprints.organisations.filters import organisation_filters
from fundtracker.blueprints.organisations.forms import OrganisationForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import Organisation, Project
from fundtracker.models.labels import STATUS_BADGES, status_labels
from fundtracker.services import organisations, reference
from fundtracker.services.organisations import (
    OrganisationData,
    create_organisation,
    update_organisation,
)
from fundtracker.services.projects import ProjectFilter, project_list
from fundtracker.web import PostOnlyForm, attempt, load_or_404, page_arg, requires
from fundtracker.web.forms import choices

# Rows per page of the list of organisations.
ORGANISATIONS_PER_PAGE = 25


@bp.get("/")
@requires(permissions.can_list_organisations)
def index():
    locale = current_locale()
    form, page_args, flt = organisation_filters(reference.regions(db.session, locale), locale)
    pagination = db.paginate(
        organisations.list_query(flt),
        page=page_arg(),
        per_page=ORGANISATIONS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "organisations/index.html",
        form=form,
        pagination=pagination,
        rows=organisations.rows(db.session, pagination.items),
        page_args=page_args,
        filtered=bool(page_args),
        can_create=permissions.can_manage_organisations(current_user),
        can_verify=permissions.can_verify_organisations(current_user),
        csrf_only=PostOnlyForm(formdata=None),
    )


@bp.get("/<int:organisation_id>")
@requires(permissions.is_signed_in)
def detail(organisation_id: int):
    organisation = load_or_404(Organisation, organisation_id, permissions.can_view_organisation)
    locale = current_locale()
    projects = (
        db.session.scalars(
            project_list(current_user, ProjectFilter(), locale).where(
                Project.organisation_id == organisation.id
            )
        )
        .unique()
        .all()
    )
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        projects=projects,
        can_edit=permissions.can_edit_organisation(current_user, organisation),
        # The account the fund pays to: staff, and the organisation's own people (read only).
        show_bank=permissions.is_staff(current_user)
        or (
            permissions.is_grantee(current_user) and current_user.organisation_id == organisation.id
        ),
        status_labels=status_labels(),
        badges=STATUS_BADGES,
    )


def _form(obj=None) -> OrganisationForm:
    form = OrganisationForm(obj=obj)
    locale = current_locale()
    form.region_id.choices = choices(
        (r.id, r.name(locale)) for r in reference.regions(db.session, locale)
    )
    return form


def _data(form: OrganisationForm) -> OrganisationData:
    return OrganisationData(
        name=form.name.data,
        bin=form.bin.data,
        region_id=form.region_id.data,
        address=form.address.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        iban=form.iban.data or "",
        bic=form.bic.data or "",
        kbe=form.kbe.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(permissions.can_manage_organisations)
def new():
    form = _form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            organisation = create_organisation(db.session, current_user, _data(form))
        if outcome.ok:
            flash(_("The organisation has been registered."), "success")
            return redirect(url_for(".detail", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def edit(organisation_id: int):
    organisation = load_or_404(Organisation, organisation_id, permissions.can_view_organisation)
    if not permissions.can_edit_organisation(current_user, organisation):
        abort(403)
    form = _form(obj=organisation)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            update_organisation(db.session, current_user, organisation, _data(form))
        if outcome.ok:
            flash(_("The organisation has been saved."), "success")
            return redirect(url_for(".detail", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation)
