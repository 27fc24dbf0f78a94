from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.admin import bp
from fundtracker.blueprints.admin.forms import UserForm
from fundtracker.core.extensions import db
from fundtracker.models import Role, User
from fundtracker.models.labels import role_labels
from fundtracker.services import reference
from fundtracker.services.users import (
    UserData,
    create_user,
    list_users,
    send_invitation,
    set_active,
    update_user,
)
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires
from fundtracker.web.reauth import reauth_response


@bp.get("/users")
@requires(permissions.can_manage_users)
def users():
    role = request.args.get("role", "")
    role = Role(role) if role in Role._value2member_map_ else None
    return render_template(
        "admin/users.html",
        users=list_users(db.session, role=role, text=request.args.get("q", "")),
        role_labels=role_labels(),
        selected_role=role.value if role else "",
        q=request.args.get("q", ""),
        action_form=PostOnlyForm(),
    )


def _form(obj=None) -> UserForm:
    form = UserForm(obj=obj)
    form.fill_choices(role_labels(), reference.organisations(db.session))
    return form


def _data(form: UserForm, new: bool = False) -> UserData:
    return UserData(
        email=form.email.data,
        name=form.name.data,
        role=Role(form.role.data),
        locale=form.locale.data,
        organisation_id=form.organisation_id.data,
        # Unticked on a new account: the organisation's first account still manages it.
        org_manager=True if form.org_manager.data else (None if new else False),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(permissions.can_manage_users)
def user_new():
    form = _form()
    if form.validate_on_submit():
        # The account and its invitation are saved together; the email goes out from the
        # outbox, so a mail server that is down delays it and fails nothing.
        with attempt(form) as outcome:
            user = create_user(db.session, current_user, _data(form, new=True))
            send_invitation(db.session, current_user, user)
        if outcome.ok:
            flash(
                _(
                    "The account has been created and an invitation sent to %(email)s.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def user_edit(user_id: int):
    user = load_or_404(User, user_id, permissions.can_edit_user)
    form = _form(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        # A change of role needs a recent proof of who the admin is (the form is filled again).
        if form.role.data != user.role.value and (
            asked := reauth_response(url_for(".user_edit", user_id=user.id))
        ):
            return asked
        with attempt(form) as outcome:
            update_user(db.session, current_user, user, _data(form))
        if outcome.ok:
            flash(_("The account has been saved."), "success")
            return redirect(url_for(".users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        action_form=PostOnlyForm(),
        can_change_status=permissions.can_change_user_status(current_user, user),
    )


def _change_status(user_id: int, active: bool):
    user = load_or_404(User, user_id, permissions.can_edit_user)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            set_active(db.session, current_user, user, active)
        if outcome.ok:
            flash(
                _("The account has been activated.")
                if active
                else _("The account has been deactivated."),
                "success",
            )
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/deactivate")
@requires(permissions.is_signed_in)
def user_deactivate(user_id: int):
    return _change_status(user_id, active=False)


@bp.post("/users/<int:user_id>/activate")
@requires(permissions.is_signed_in)
def user_activate(user_id: int):
    return _change_status(user_id, active=True)


@bp.post("/users/<int:user_id>/invite")
@requires(permissions.is_signed_in)
def user_invite(user_id: int):
    user = load_or_404(User, user_id, permissions.can_edit_user)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            send_invitation(db.session, current_user, user)
        if outcome.ok:
            flash(_("An invitation has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for(".users"))
