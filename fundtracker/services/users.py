"""Creating, editing, activating and deactivating user accounts."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Organisation, Role, User
from fundtracker.models.sessions import EndReason
from fundtracker.services import api_tokens, audit, sessions
from fundtracker.services.accounts import queue_invitation, set_password
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.search import contains_folded


@dataclass
class UserData:
    email: str
    name: str
    role: Role
    locale: str
    organisation_id: int | None = None
    # A grantee who manages the organisation's people (services.members). None: unchanged for
    # an existing account; for a new one, a manager when the organisation has no active one.
    org_manager: bool | None = None


def _check_organisation(session: Session, data: UserData) -> None:
    if data.role == Role.GRANTEE:
        if data.organisation_id is None or session.get(Organisation, data.organisation_id) is None:
            raise DomainError(
                _l("A grantee must belong to an organisation."), field="organisation_id"
            )
    else:
        data.organisation_id = None


def _check_email_free(session: Session, email: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(User).where(User.email == User.normalise_email(email)))
    if existing is not None and existing.id != except_id:
        raise Conflict(_l("A user with this email already exists."), field="email")


def create_user(
    session: Session, actor: User | None, data: UserData, password: str | None = None
) -> User:
    """Create an account. Without a password the user is invited and sets one by emailed link.
    `actor` None means the command line, which may create the first admin."""
    if actor is not None and not permissions.can_manage_users(actor):
        raise NotAllowed(_l("You may not manage users."))
    _check_organisation(session, data)
    _check_email_free(session, data.email)
    user = User(
        email=data.email,
        name=data.name.strip(),
        role=data.role,
        locale=data.locale,
        organisation_id=data.organisation_id,
        active=True,
        org_manager=False,
    )
    if data.role == Role.GRANTEE:
        # The first account of an organisation manages its people.
        user.org_manager = (
            data.org_manager
            if data.org_manager is not None
            else not active_managers(session, data.organisation_id)
        )
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    details = {"role": user.role.value}
    if user.role == Role.GRANTEE:
        details["org_manager"] = user.org_manager
    audit.record(session, actor, "user.created", target=user, details=details)
    return user


def send_invitation(session: Session, actor: User, user: User) -> None:
    """Queue the invitation email (a link to choose a password) in the caller's transaction: an
    account and its invitation are saved together, and the mail server being down delays the
    email without failing anything."""
    if not permissions.can_edit_user(actor, user):
        raise NotAllowed(_l("You may not manage users."))
    if not user.active:
        raise DomainError(_l("This account is deactivated: activate it first."))
    queue_invitation(session, user, actor)
    audit.record(session, actor, "user.invited", target=user)


def update_user(session: Session, actor: User, user: User, data: UserData) -> User:
    if not permissions.can_edit_user(actor, user):
        raise NotAllowed(_l("You may not manage users."))
    if user.id == actor.id and data.role != user.role:
        raise NotAllowed(_l("You cannot change your own role."), field="role")
    _check_organisation(session, data)
    _check_email_free(session, data.email, except_id=user.id)
    if (
        data.role != user.role
        or data.organisation_id != user.organisation_id
        or User.normalise_email(data.email) != user.email
    ):
        # What the account may see changes: end its sessions.
        sessions.end_all(session, actor, user, reason=EndReason.ACCOUNT)
    if data.role != user.role or data.organisation_id != user.organisation_id:
        # ... and what its API tokens may do: they stop working (its user makes new ones).
        api_tokens.revoke_all(session, actor, user, reason="account")
    before = _account(user)
    moves = data.organisation_id != user.organisation_id
    if data.role != Role.GRANTEE:
        manager = False
    elif data.org_manager is not None:
        manager = data.org_manager
    else:  # unchanged; an organisation without an active manager gets one
        manager = user.org_manager or not active_managers(
            session, data.organisation_id, except_id=user.id
        )
    if user.org_manager and user.active and (not manager or moves):
        keep_a_manager(session, user, alone_ok=moves)
    user.org_manager = manager
    user.email = data.email
    user.name = data.name.strip()
    user.role = data.role
    user.locale = data.locale
    user.organisation_id = data.organisation_id
    session.flush()
    _audit_changes(session, actor, user, before)
    return user


# Managers of an organisation's people ------------------------------------------------------------


def active_managers(session: Session, organisation_id: int | None, except_id: int = 0) -> int:
    """How many active accounts manage the organisation's people (`except_id` left out)."""
    if organisation_id is None:
        return 0
    return session.scalar(
        select(func.count(User.id)).where(
            User.organisation_id == organisation_id,
            User.role == Role.GRANTEE,
            User.active.is_(True),
            User.org_manager.is_(True),
            User.id != except_id,
        )
    )


def lock_organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation, its row locked until the transaction ends (PostgreSQL; on SQLite the
    transaction holds the database's write lock already): two changes of its managers take
    turns, so both cannot leave it without one."""
    return session.scalars(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def keep_a_manager(session: Session, user: User, alone_ok: bool = False) -> None:
    """Refuse a change by which `user` would stop managing their organisation's people while no
    other active manager remains. `alone_ok`: an admin may still deactivate or move an
    organisation's only active account (nobody is left without a manager)."""
    lock_organisation(session, user.organisation_id)
    if active_managers(session, user.organisation_id, except_id=user.id):
        return
    if alone_ok and not session.scalar(
        select(func.count(User.id)).where(
            User.organisation_id == user.organisation_id,
            User.active.is_(True),
            User.id != user.id,
        )
    ):
        return
    raise DomainError(
        _l(
            "An organisation always keeps at least one manager: make another colleague a "
            "manager first."
        ),
        field="org_manager",
    )


def _account(user: User) -> dict:
    """What an account change is audited by."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "locale": user.locale,
        "organisation_id": user.organisation_id,
        "org_manager": user.org_manager,
    }


def _audit_changes(session: Session, actor: User, user: User, before: dict) -> None:
    after = _account(user)
    if before["role"] != after["role"]:
        audit.record(
            session,
            actor,
            "user.role_changed",
            target=user,
            details={"old": before["role"], "new": after["role"]},
        )
    keys = ("email", "name", "locale", "organisation_id", "org_manager")
    changed = {k: [before[k], after[k]] for k in keys}
    changed = {k: v for k, v in changed.items() if v[0] != v[1]}
    if changed:
        audit.record(session, actor, "user.updated", target=user, details=changed)


def set_active(session: Session, actor: User, user: User, active: bool) -> User:
    if not permissions.can_change_user_status(actor, user):
        raise NotAllowed(_l("You cannot change the status of this account."))
    was_active = user.active
    if active:
        user.active = True
    elif was_active:
        if user.org_manager:
            keep_a_manager(session, user, alone_ok=True)
        end_access(session, actor, user)
    session.flush()
    if was_active != active:
        action = "user.activated" if active else "user.deactivated"
        audit.record(session, actor, action, target=user)
    return user


def end_access(session: Session, actor: User, user: User) -> None:
    """Deactivate an account: its sessions end and its API tokens stop working (the admin's
    deactivation and a manager removing a colleague, services.members)."""
    user.active = False
    sessions.end_all(session, actor, user, reason=EndReason.ACCOUNT)
    api_tokens.revoke_all(session, actor, user, reason="account")


def set_locale(session: Session, user: User, locale: str, allowed: tuple[str, ...]) -> None:
    if locale not in allowed:
        raise DomainError(_l("Unknown language."))
    user.locale = locale
    session.flush()


def list_users(session: Session, role: Role | None = None, text: str = "") -> list[User]:
    stmt = select(User).options(joinedload(User.organisation)).order_by(User.name)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if text.strip():
        stmt = stmt.where(
            contains_folded(User.name, text.strip()) | contains_folded(User.email, text.strip())
        )
    return list(session.scalars(stmt))
