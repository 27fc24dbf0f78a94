"""The standard indicator library: the indicators the fund counts across projects, named and
defined in each language."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.models import IndicatorType, StandardIndicator, User
from fundtracker.services import wellbeing
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import check_version


@dataclass
class StandardData:
    code: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    definition_kk: str = ""
    definition_ru: str = ""
    definition_en: str = ""
    unit_kk: str = ""
    unit_ru: str = ""
    unit_en: str = ""
    type: IndicatorType = IndicatorType.COUNT
    area_id: int | None = None
    active: bool = True
    # The child well-being domains it informs (issue #21); None leaves them as they are.
    domain_ids: list[int] | None = None


def _apply_standard(session: Session, standard: StandardIndicator, data: StandardData) -> None:
    code = data.code.strip().upper()
    if not code:
        raise DomainError(_l("Give the indicator a code."), field="code")
    if not (data.name_kk.strip() or data.name_ru.strip() or data.name_en.strip()):
        raise DomainError(
            _l("Give the indicator a name in at least one language."), field="name_kk"
        )
    clash = session.scalar(
        select(StandardIndicator.id).where(
            StandardIndicator.code == code, StandardIndicator.id != standard.id
        )
    )
    if clash is not None:
        raise Conflict(_l("Another indicator has this code."), field="code")
    standard.code = code
    for name in (
        "name_kk",
        "name_ru",
        "name_en",
        "definition_kk",
        "definition_ru",
        "definition_en",
        "unit_kk",
        "unit_ru",
        "unit_en",
    ):
        setattr(standard, name, (getattr(data, name) or "").strip())
    standard.type = data.type
    standard.area_id = data.area_id
    standard.active = data.active
    if data.domain_ids is not None:
        standard.domains = wellbeing.resolve(session, data.domain_ids)


def create_standard(session: Session, actor: User, data: StandardData) -> StandardIndicator:
    if not permissions.can_manage_indicator_library(actor):
        raise NotAllowed(_l("Only fund staff keep the indicator library."))
    standard = StandardIndicator()
    _apply_standard(session, standard, data)
    session.add(standard)
    session.flush()
    return standard


def edit_standard(
    session: Session,
    actor: User,
    standard: StandardIndicator,
    data: StandardData,
    expected_version: int | None = None,
) -> StandardIndicator:
    if not permissions.can_manage_indicator_library(actor):
        raise NotAllowed(_l("Only fund staff keep the indicator library."))
    check_version(standard, expected_version)
    _apply_standard(session, standard, data)
    session.flush()
    return standard


def library(session: Session, *, active_only: bool = False) -> list[StandardIndicator]:
    query = (
        select(StandardIndicator)
        .options(selectinload(StandardIndicator.area), selectinload(StandardIndicator.domains))
        .order_by(StandardIndicator.code)
    )
    if active_only:
        query = query.where(StandardIndicator.active.is_(True))
    return list(session.scalars(query))
