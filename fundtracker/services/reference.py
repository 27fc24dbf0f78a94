"""Reading reference data in the user's language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import Call, Organisation, ProgrammeArea, Region, Role, User


def regions(session: Session, locale: str | None = None) -> list[Region]:
    """Regions by their name in `locale`, or by ISO code when no locale is given."""
    if locale is None:
        return list(session.scalars(select(Region).order_by(Region.code)))
    return sorted(session.scalars(select(Region)), key=lambda r: r.name(locale))


def areas(session: Session, by_code: bool = False) -> list[ProgrammeArea]:
    order = ProgrammeArea.code if by_code else ProgrammeArea.id
    return list(session.scalars(select(ProgrammeArea).order_by(order)))


def calls(session: Session) -> list[Call]:
    """Every call, the latest closing first."""
    return list(session.scalars(select(Call).order_by(Call.closes_at.desc())))


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
