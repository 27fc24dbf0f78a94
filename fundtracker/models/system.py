"""Bookkeeping rows of the application itself, not of the fund's work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base, UTCDateTime


class DataVersion(Base):
    """One row whose number goes up with every committed change to the fund's data (see
    fundtracker.core.data_version). Whatever was worked out from the data at version N still holds
    while the number is N: rendered pages and stored reports are reused on that basis."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class SchedulerHeartbeat(Base):
    """When the scheduler last ran its jobs, and where: /readyz reads it (issue #22). One row,
    written by every run; not the fund's data, so it never bumps the data version."""

    __tablename__ = "scheduler_heartbeat"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)


class TableVersion(Base):
    """How many committed transactions have written a table (see 0035 and
    fundtracker.core.page_cache); "*" counts writes to tables not known."""

    __tablename__ = "table_versions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class StoredBlob(Base):
    """One piece of a stored file when the database is the storage every app machine shares
    (STORAGE_BACKEND=database; fundtracker.core.storage): a file is the pieces of its area and key
    in `seq` order, each at most 1 MiB, written in the transaction of the row that names it."""

    __tablename__ = "stored_blobs"

    area: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
