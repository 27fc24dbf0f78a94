"""In-kind support (issue #21): what the fund delivers instead of money (medicines for rare
diseases, prostheses and devices, rehabilitation and school equipment), from a small catalogue,
planned per project, delivered to a facility and confirmed by the grantee."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, localized, str_enum

if TYPE_CHECKING:
    from fundtracker.models.files import StoredFile
    from fundtracker.models.project import Project
    from fundtracker.models.reference import Region
    from fundtracker.models.user import User


# The grantee's evidence of receipt: files of the delivery's project.
inkind_delivery_files = Table(
    "inkind_delivery_files",
    Base.metadata,
    Column(
        "delivery_id",
        ForeignKey("inkind_deliveries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "file_id", ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class InKindKind(enum.StrEnum):
    MEDICINE = "medicine"
    DEVICE = "device"
    EQUIPMENT = "equipment"


class InKindItem(TimestampMixin, Base):
    """A catalogue entry: what it is, its unit and the value of one unit (tiyn)."""

    __tablename__ = "inkind_items"
    __table_args__ = (CheckConstraint("unit_value > 0", name="unit_value_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InKindKind] = mapped_column(str_enum(InKindKind, "inkind_kind"))
    name_kk: Mapped[str] = mapped_column(String(300), default="")
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(50))
    unit_value: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)


class DeliveryStatus(enum.StrEnum):
    PLANNED = "planned"
    DELIVERED = "delivered"  # the fund says it was delivered; the grantee confirms
    CONFIRMED = "confirmed"  # received as delivered (or as settled after a discrepancy)
    DISPUTED = "disputed"  # the grantee received another quantity
    CANCELLED = "cancelled"


class InKindDelivery(TimestampMixin, Base):
    __tablename__ = "inkind_deliveries"
    __table_args__ = (
        CheckConstraint("quantity_planned > 0", name="planned_positive"),
        CheckConstraint(
            "quantity_delivered IS NULL OR quantity_delivered >= 0", name="delivered_not_negative"
        ),
        CheckConstraint(
            "quantity_received IS NULL OR quantity_received >= 0", name="received_not_negative"
        ),
        CheckConstraint("unit_value > 0", name="unit_value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inkind_items.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PLANNED, index=True
    )
    # The value of one unit when it was planned: the catalogue's may change later.
    unit_value: Mapped[int] = mapped_column(BigInteger)
    quantity_planned: Mapped[int] = mapped_column(Integer)
    planned_on: Mapped[date] = mapped_column(Date)
    facility: Mapped[str] = mapped_column(String(300))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    quantity_delivered: Mapped[int | None] = mapped_column(Integer)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    quantity_received: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the grantee says of a discrepancy, and how the fund settled it.
    discrepancy: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    item: Mapped[InKindItem] = relationship()
    region: Mapped[Region] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    files: Mapped[list[StoredFile]] = relationship(
        secondary=inkind_delivery_files, order_by="StoredFile.id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def planned_value(self) -> int:
        return self.unit_value * self.quantity_planned

    @property
    def counted_quantity(self) -> int:
        """What counts as given: the quantity received once confirmed; the quantity delivered
        while the grantee has not confirmed it; the smaller of the two while disputed; nothing
        before delivery."""
        if self.status == DeliveryStatus.CONFIRMED:
            return self.quantity_received or 0
        if self.status == DeliveryStatus.DELIVERED:
            return self.quantity_delivered or 0
        if self.status == DeliveryStatus.DISPUTED:  # the smaller, until the fund settles it
            return min(self.quantity_delivered or 0, self.quantity_received or 0)
        return 0

    @property
    def value(self) -> int:
        return self.unit_value * self.counted_quantity
