"""Our organisation's people: a grantee sees their colleagues; its managers invite, remove and
hand over the manager role (services.members)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.organisations import bp
from fundtracker.blueprints.organisations.forms import InviteMemberForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.models import Organisation, User
from fundtracker.services import members
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires


def _own_organisation() -> Organisation:
    return load_or_404(Organisation, current_user.organisation_id, permissions.can_view_members)


def _page(form: InviteMemberForm | None = None):
    organisation = _own_organisation()
    manages = permissions.can_manage_members(current_user, organisation)
    if manages and form is None:
        form = InviteMemberForm(formdata=None, locale=current_locale())
    return render_template(
        "organisations/people.html",
        organisation=organisation,
        rows=members.rows(db.session, current_user, organisation),
        manages=manages,
        can_step_down=members.can_step_down(db.session, current_user),
        form=form if manages else None,
        action_form=PostOnlyForm(formdata=None),
    )


@bp.get("/people")
@requires(permissions.is_grantee)
def people():
    return _page()


@bp.post("/people/invite")
@requires(permissions.is_org_manager)
def invite():
    load_or_404(Organisation, current_user.organisation_id, permissions.can_manage_members)
    form = InviteMemberForm()
    if form.validate_on_submit():
        data = members.InviteData(
            name=form.name.data, email=form.email.data, locale=form.locale.data
        )
        with attempt(form) as outcome:
            user = members.invite(db.session, current_user, data)
        if outcome.ok:
            flash(
                _("An invitation has been sent to %(email)s.", email=user.email),
                "success",
            )
            return redirect(url_for(".people"))
    return _page(form), 400


def _act(user_id: int, act, done: str):
    member = load_or_404(User, user_id, permissions.is_colleague)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            act(db.session, current_user, member)
        if outcome.ok:
            flash(done, "success")
    return redirect(url_for(".people"))


@bp.post("/people/<int:user_id>/invite-again")
@requires(permissions.is_org_manager)
def invite_again(user_id: int):
    return _act(user_id, members.invite_again, _("The invitation has been sent again."))


@bp.post("/people/<int:user_id>/remove")
@requires(permissions.is_org_manager)
def remove(user_id: int):
    return _act(user_id, members.remove, _("The colleague's access has ended."))


@bp.post("/people/<int:user_id>/make-manager")
@requires(permissions.is_org_manager)
def make_manager(user_id: int):
    return _act(user_id, members.make_manager, _("The colleague is now a manager."))


@bp.post("/people/<int:user_id>/hand-over")
@requires(permissions.is_org_manager)
def hand_over(user_id: int):
    return _act(
        user_id,
        members.hand_over,
        _("The colleague is now a manager, and you are a member."),
    )


@bp.post("/people/step-down")
@requires(permissions.is_org_manager)
def step_down():
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            members.step_down(db.session, current_user)
        if outcome.ok:
            flash(_("You are no longer a manager of your organisation's people."), "success")
    return redirect(url_for(".people"))
