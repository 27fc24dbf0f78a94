"""Child well-being domains (issue #21): the domains of Kazakhstan's Child Well-Being Index
(approved in 2022: health, education, protection and safety, material well-being and the
others it measures) that the fund's standard indicators inform. An admin keeps the list; a
standard indicator may inform several domains (a link table, so that `standard_indicators`,
which other tables point to, is never rebuilt on SQLite)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base, TimestampMixin, localized

standard_indicator_domains = Table(
    "standard_indicator_domains",
    Base.metadata,
    Column(
        "standard_id",
        ForeignKey("standard_indicators.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "domain_id",
        ForeignKey("wellbeing_domains.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class WellbeingDomain(TimestampMixin, Base):
    """One domain: a stable code, its name in each language, its place in the list. A domain
    not in use is neither offered nor shown in the views by domain; its links are kept, so
    putting it back in use restores them."""

    __tablename__ = "wellbeing_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)
