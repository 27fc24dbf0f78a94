"""Payment requests (issue #21): a grantee asks for a tranche that has become payable, with its
invoice and the bank account it should be paid to; the fund approves it (approving the tranche)
or returns it, and the payment recorded on the tranche pays it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum

if TYPE_CHECKING:
    from fundtracker.models.delivery import Tranche
    from fundtracker.models.files import StoredFile
    from fundtracker.models.user import User


# The invoices of a request: files of the tranche's project.
payment_request_files = Table(
    "payment_request_files",
    Base.metadata,
    Column("request_id", ForeignKey("payment_requests.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "file_id", ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


# A tranche has at most one request that is open (sent, returned for changes, or approved).
OPEN_STATUSES = ("submitted", "returned", "approved")


class PaymentRequest(TimestampMixin, Base):
    __tablename__ = "payment_requests"
    __table_args__ = (
        Index(
            "ix_payment_requests_open_tranche",
            "tranche_id",
            unique=True,
            sqlite_where=text("status IN ('submitted', 'returned', 'approved')"),
            postgresql_where=text("status IN ('submitted', 'returned', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(
        ForeignKey("tranches.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.SUBMITTED, index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invoice_number: Mapped[str] = mapped_column(String(100))
    invoice_date: Mapped[date] = mapped_column(Date)
    # The account the grantee asked to be paid to, as typed (checked against the organisation's).
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    kbe: Mapped[str] = mapped_column(String(2))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    tranche: Mapped[Tranche] = relationship(back_populates="payment_requests")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    files: Mapped[list[StoredFile]] = relationship(
        secondary=payment_request_files, order_by="StoredFile.id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def open(self) -> bool:
        return self.status.value in OPEN_STATUSES
