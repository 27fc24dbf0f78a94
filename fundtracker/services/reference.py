"""Reading reference data in the user's language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import Organisation, ProgrammeArea, Region, Role, User


def regions(session: Session, locale: str) -> list[Region]:
    return sorted(session.scalars(select(Region)), key=lambda r: r.name(locale))


def areas(session: Session) -> list[ProgrammeArea]:
    return list(session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)))


def officers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.name)
        )
    )


def organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))
