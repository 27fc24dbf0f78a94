"""Child well-being domains (issue #21): the list an admin keeps, which domains a standard
indicator informs, and the portfolio's figures regrouped by domain.

The view by domain only regroups figures already made for the same page or report (the
published, protected cells for the board; staff's live roll-ups for staff): it never adds
indicators together, so it shows no figure that the table by indicator does not show, and a
hidden cell stays hidden. An indicator that informs several domains is listed under each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import User, WellbeingDomain, standard_indicator_domains
from fundtracker.services import audit
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

CODE_MAX = 32
NAME_MAX = 200


@dataclass
class DomainData:
    code: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    position: int | None = None
    active: bool = True


def domains(session: Session, *, active_only: bool = False) -> list[WellbeingDomain]:
    query = select(WellbeingDomain).order_by(WellbeingDomain.position, WellbeingDomain.id)
    if active_only:
        query = query.where(WellbeingDomain.active.is_(True))
    return list(session.scalars(query))


def indicator_counts(session: Session) -> dict[int, int]:
    """How many standard indicators each domain has: {domain id: count}."""
    c = standard_indicator_domains.c
    return dict(session.execute(select(c.domain_id, func.count()).group_by(c.domain_id)).all())


def _fill(session: Session, domain: WellbeingDomain, data: DomainData) -> None:
    code = (data.code or "").strip().upper()
    if not code:
        raise DomainError(_l("Give the domain a code."), field="code")
    if len(code) > CODE_MAX:
        raise DomainError(_l("The code is too long."), field="code")
    names = {lang: (getattr(data, f"name_{lang}") or "").strip() for lang in ("kk", "ru", "en")}
    if not any(names.values()):
        raise DomainError(_l("Give the domain a name in at least one language."), field="name_kk")
    clash = session.scalar(
        select(WellbeingDomain.id).where(
            WellbeingDomain.code == code, WellbeingDomain.id != domain.id
        )
    )
    if clash is not None:
        raise Conflict(_l("Another domain has this code."), field="code")
    domain.code = code
    for lang, name in names.items():
        setattr(domain, f"name_{lang}", name[:NAME_MAX])
    if data.position is not None:
        domain.position = data.position
    elif domain.position is None:
        last = session.scalar(select(func.max(WellbeingDomain.position)))
        domain.position = (last or 0) + 10  # at the end of the list
    domain.active = bool(data.active)


def save_domain(
    session: Session, actor: User, domain: WellbeingDomain | None, data: DomainData
) -> WellbeingDomain:
    """Add a domain (`domain` None) or change one."""
    if not permissions.can_manage_wellbeing_domains(actor):
        raise NotAllowed(_l("Only an administrator keeps the list of well-being domains."))
    new = domain is None
    domain = domain or WellbeingDomain()
    _fill(session, domain, data)
    if new:
        session.add(domain)
    session.flush()
    audit.record(
        session,
        actor,
        "wellbeing.domain_added" if new else "wellbeing.domain_changed",
        target=domain,
        details={"code": domain.code, "active": domain.active},
    )
    return domain


def delete_domain(session: Session, actor: User, domain: WellbeingDomain) -> None:
    """Delete a domain no indicator informs; one in use is taken out of use instead, so that
    no report loses a grouping without an officer deciding it."""
    if not permissions.can_manage_wellbeing_domains(actor):
        raise NotAllowed(_l("Only an administrator keeps the list of well-being domains."))
    if indicator_counts(session).get(domain.id):
        raise Conflict(
            _l(
                "Standard indicators inform this domain: unlink them first, or mark the domain "
                "as not in use."
            )
        )
    audit.record(session, actor, "wellbeing.domain_deleted", target=domain)
    session.delete(domain)
    session.flush()


def choices_for(session: Session, chosen: Iterable[WellbeingDomain] = ()) -> list[WellbeingDomain]:
    """The domains an indicator's form offers: those in use, and any it is already linked to."""
    chosen_ids = {d.id for d in chosen}
    return [d for d in domains(session) if d.active or d.id in chosen_ids]


def resolve(session: Session, ids: Iterable[int]) -> list[WellbeingDomain]:
    """The domains of `ids`, refusing an unknown one."""
    wanted = set(ids)
    if not wanted:
        return []
    found = list(session.scalars(select(WellbeingDomain).where(WellbeingDomain.id.in_(wanted))))
    if len(found) != len(wanted):
        raise DomainError(_l("Choose domains from the list."), field="domains")
    return found


# The view by domain ------------------------------------------------------------------------


@dataclass
class DomainGroup:
    code: str | None  # None: the indicators that inform no domain
    name: str
    items: list[Any] = field(default_factory=list)


def links(session: Session) -> dict[int, list[int]]:
    """{standard indicator id: [domain ids]}."""
    out: dict[int, list[int]] = {}
    c = standard_indicator_domains.c
    for standard_id, domain_id in session.execute(select(c.standard_id, c.domain_id)):
        out.setdefault(standard_id, []).append(domain_id)
    return out


def by_domain(
    session: Session,
    items: Iterable[Any],
    locale: str,
    *,
    standard_of: Callable[[Any], int] = lambda item: item.standard_id,
) -> list[DomainGroup]:
    """`items` (figures or report rows of standard indicators, in their order) grouped by the
    domains in use their indicators inform, in the list's order; those informing none come
    last. The items themselves are returned, unchanged: nothing is added up."""
    items = list(items)
    if not items:
        return []
    linked = links(session)
    groups = []
    shown: set[int] = set()
    for domain in domains(session, active_only=True):
        members = [i for i in items if domain.id in linked.get(standard_of(i), ())]
        if members:
            groups.append(DomainGroup(domain.code, domain.name(locale), members))
            shown.update(id(i) for i in members)
    loose = [i for i in items if id(i) not in shown]
    if loose:
        groups.append(DomainGroup(None, str(_l("Not linked to a domain")), loose))
    return groups
