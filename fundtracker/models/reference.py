"""Reference data: Kazakhstan's regions and the fund's programme areas."""

from __future__ import annotations

import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base, localized, str_enum


class RegionKind(enum.StrEnum):
    REGION = "region"
    CITY = "city"


class Region(Base):
    """A region (oblys) or a city of national significance, coded by ISO 3166-2:KZ."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    kind: Mapped[RegionKind] = mapped_column(str_enum(RegionKind, "region_kind"))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class ProgrammeArea(Base):
    __tablename__ = "programme_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    # Follow-ups after a project of the area closes (issue #21): months after closing, as
    # "6,12,24" (services/follow_ups.py reads and checks it; an admin edits it).
    follow_up_months: Mapped[str] = mapped_column(
        String(40), default="6,12,24", server_default="6,12,24"
    )

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def __repr__(self) -> str:
        return f"<ProgrammeArea {self.code}>"
