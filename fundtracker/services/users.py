"""Creating, editing, activating and deactivating user accounts."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
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
    )
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", target=user, details={"role": user.role.value})
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
    user.email = data.email
    user.name = data.name.strip()
    user.role = data.role
    user.locale = data.locale
    user.organisation_id = data.organisation_id
    session.flush()
    _audit_changes(session, actor, user, before)
    return user


def _account(user: User) -> dict:
    """What an account change is audited by."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "locale": user.locale,
        "organisation_id": user.organisation_id,
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
    changed = {k: [before[k], after[k]] for k in ("email", "name", "locale", "organisation_id")}
    changed = {k: v for k, v in changed.items() if v[0] != v[1]}
    if changed:
        audit.record(session, actor, "user.updated", target=user, details=changed)


def set_active(session: Session, actor: User, user: User, active: bool) -> User:
    if not permissions.can_change_user_status(actor, user):
        raise NotAllowed(_l("You cannot change the status of this account."))
    was_active = user.active
    user.active = active
    if not active:
        sessions.end_all(session, actor, user, reason=EndReason.ACCOUNT)
        api_tokens.revoke_all(session, actor, user, reason="account")
    session.flush()
    if was_active != active:
        action = "user.activated" if active else "user.deactivated"
        audit.record(session, actor, action, target=user)
    return user


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
