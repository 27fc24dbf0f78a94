"""An organisation's people: its managers invite colleagues, remove them and hand the role over.

A grantee account either manages its organisation's people (`User.org_manager`) or is a member.
A manager invites a colleague by name, email and language: the account is made at once and the
same single-use, expiring link an admin's invitation carries goes out through the outbox
(services.accounts.queue_invitation). A manager removes a colleague the way an admin deactivates
an account (sessions end, API tokens stop working: services.users.end_access), makes a colleague
a manager, hands the role over or steps down. An organisation always keeps at least one active
manager: every change that takes the role from someone locks the organisation's row first
(services.users.keep_a_manager), so two at once cannot both leave it without one.

Every change is audited and told: the invitee gets the invitation, a removed colleague an email
that their access ended, and the organisation's managers a notification (services.notifier).
Invitations, new and sent again, are limited per organisation and day (MEMBER_INVITES_PER_DAY).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES
from fundtracker.models import AuditEvent, Organisation, Role, User, utcnow
from fundtracker.services import accounts, audit, notifications, notifier, users
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

# Audit actions counted against the daily limit (target: the organisation).
INVITED = "member.invited"
INVITED_AGAIN = "member.invitation_resent"


@dataclass
class InviteData:
    name: str
    email: str
    locale: str


@dataclass(frozen=True)
class MemberChange:
    """What the organisation's managers are told about (services.notifier)."""

    member: User
    by: User


@dataclass(frozen=True)
class MemberRow:
    """One colleague on the page, with what the reader may do to them."""

    user: User
    manager: bool
    invited: bool  # has not chosen a password yet
    last_login_at: datetime | None
    is_self: bool
    can_resend: bool
    can_remove: bool
    can_make_manager: bool
    can_hand_over: bool


def people(session: Session, organisation_id: int) -> list[User]:
    """The organisation's active accounts: managers first, then by name."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role == Role.GRANTEE,
                User.active.is_(True),
            )
            .order_by(User.org_manager.desc(), User.name, User.id)
        )
    )


def rows(session: Session, reader: User, organisation: Organisation) -> list[MemberRow]:
    manages = permissions.can_manage_members(reader, organisation)
    found = people(session, organisation.id)
    managers = sum(1 for u in found if u.org_manager)
    result = []
    for user in found:
        is_self = user.id == reader.id
        result.append(
            MemberRow(
                user=user,
                manager=user.org_manager,
                invited=not user.password_hash,
                last_login_at=user.last_login_at,
                is_self=is_self,
                can_resend=manages and not user.password_hash,
                can_remove=manages and (not user.org_manager or managers > 1),
                can_make_manager=manages and not user.org_manager,
                can_hand_over=manages and not is_self and not user.org_manager,
            )
        )
    return result


def can_step_down(session: Session, user: User) -> bool:
    return permissions.is_org_manager(user) and bool(
        users.active_managers(session, user.organisation_id, except_id=user.id)
    )


def invitations_today(session: Session, organisation_id: int, now: datetime) -> int:
    return session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_((INVITED, INVITED_AGAIN)),
            AuditEvent.target_type == Organisation.__tablename__,
            AuditEvent.target_id == str(organisation_id),
            AuditEvent.created_at >= now - timedelta(days=1),
        )
    )


def _check_limit(session: Session, organisation: Organisation) -> None:
    limit = current_app.config["MEMBER_INVITES_PER_DAY"]
    if invitations_today(session, organisation.id, utcnow()) >= limit:
        raise DomainError(
            _l(
                "Your organisation has sent %(n)d invitations in the last 24 hours, the most "
                "allowed. Please try again tomorrow.",
                n=limit,
            )
        )


def _organisation(session: Session, actor: User) -> Organisation:
    """The actor's organisation, locked (users.lock_organisation), once the actor may manage
    its people."""
    organisation = (
        session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    )
    if organisation is None or not permissions.can_manage_members(actor, organisation):
        raise NotAllowed(_l("Only a manager of your organisation's people may do this."))
    return users.lock_organisation(session, organisation.id)


def _colleague(actor: User, member: User) -> None:
    if not permissions.can_manage_member(actor, member):
        raise NotAllowed(_l("Only a manager of your organisation's people may do this."))


def invite(session: Session, actor: User, data: InviteData) -> User:
    """Make a colleague's account (a member) and queue its invitation, in the caller's
    transaction. An email that has an account anywhere is refused with the same words,
    whichever organisation holds it."""
    organisation = _organisation(session, actor)
    if data.locale not in LANGUAGES:
        raise DomainError(_l("Unknown language."), field="locale")
    email = User.normalise_email(data.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            _l(
                "This email address already has a FundTracker account, so it cannot be "
                "invited. Ask your colleague to sign in with it, or to write to the fund."
            ),
            field="email",
        )
    _check_limit(session, organisation)
    user = User(
        email=email,
        name=data.name.strip(),
        role=Role.GRANTEE,
        locale=data.locale,
        organisation_id=organisation.id,
        active=True,
        org_manager=False,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", target=user, details={"role": "grantee"})
    accounts.queue_invitation(session, user, actor)
    audit.record(session, actor, INVITED, target=organisation, details={"user_id": user.id})
    notifier.announce(session, actor, "member_invited", MemberChange(user, actor))
    return user


def invite_again(session: Session, actor: User, member: User) -> None:
    """Send a colleague who has not chosen a password yet a new invitation."""
    _colleague(actor, member)
    organisation = _organisation(session, actor)
    if member.password_hash:
        raise DomainError(_l("This colleague has already accepted the invitation."))
    _check_limit(session, organisation)
    accounts.queue_invitation(session, member, actor)
    audit.record(session, actor, INVITED_AGAIN, target=organisation, details={"user_id": member.id})


def remove(session: Session, actor: User, member: User) -> None:
    """End a colleague's access (yourself too, while another manager remains). A colleague who
    never accepted the invitation is not emailed: the invitation is withdrawn (its link stops
    working with the account)."""
    _colleague(actor, member)
    organisation = _organisation(session, actor)
    if member.org_manager:
        users.keep_a_manager(session, member)
    accepted = bool(member.password_hash)
    member.org_manager = False
    users.end_access(session, actor, member)
    session.flush()
    audit.record(
        session,
        actor,
        "member.removed",
        target=member,
        details={"organisation_id": organisation.id},
    )
    notifier.announce(session, actor, "member_removed", MemberChange(member, actor))
    if accepted:
        notifications.queue_email(
            session,
            member,
            *notifications.render_email(
                member,
                "member_removed",
                _l("Your access to FundTracker has ended"),
                by=actor.name,
                organisation=organisation.name,
            ),
        )


def _set_manager(session: Session, actor: User, member: User, manager: bool) -> None:
    if member.org_manager == manager:
        return
    if not manager:
        users.keep_a_manager(session, member)
    member.org_manager = manager
    session.flush()
    audit.record(
        session,
        actor,
        "member.manager_granted" if manager else "member.manager_given_up",
        target=member,
        details={"organisation_id": member.organisation_id},
    )
    kind = "manager_granted" if manager else "manager_given_up"
    notifier.announce(session, actor, kind, MemberChange(member, actor))


def make_manager(session: Session, actor: User, member: User) -> None:
    _colleague(actor, member)
    _organisation(session, actor)
    _set_manager(session, actor, member, True)


def step_down(session: Session, actor: User) -> None:
    """Stop managing the organisation's people, while another active manager remains."""
    _organisation(session, actor)
    _set_manager(session, actor, actor, False)


def hand_over(session: Session, actor: User, member: User) -> None:
    """Make a colleague a manager and step down."""
    make_manager(session, actor, member)
    _set_manager(session, actor, actor, False)
