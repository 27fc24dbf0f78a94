"""Bookkeeping rows of the application itself, not of the fund's work."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base


class DataVersion(Base):
    """One row whose number goes up with every committed change to the fund's data (see
    fundtracker.core.data_version). Whatever was worked out from the data at version N still holds
    while the number is N: rendered pages and stored reports are reused on that basis."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
