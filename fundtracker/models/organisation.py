"""Partner organisations (grantees)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.core.crypto import EncryptedText
from fundtracker.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from fundtracker.models.reference import Region
    from fundtracker.models.user import User


def bin_is_valid(value: str) -> bool:
    """A Kazakh BIN (and IIN): 12 digits whose last is a mod-11 check digit."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    check = sum(d * w for d, w in zip(digits[:11], range(1, 12), strict=True)) % 11
    if check == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        check = sum(d * w for d, w in zip(digits[:11], weights, strict=True)) % 11
        if check == 10:
            return False
    return check == digits[11]


def iban_is_valid(value: str) -> bool:
    """An IBAN (ISO 13616): letters and digits, its check digits right (mod 97 of the number made
    by moving the first four characters to the end, letters as 10-35, is 1). A Kazakh IBAN is
    KZ and 18 more characters."""
    if not 15 <= len(value) <= 34 or not value.isascii() or not value.isalnum():
        return False
    if not (value[:2].isalpha() and value[2:4].isdigit()):
        return False
    if value[:2] == "KZ" and len(value) != 20:
        return False
    digits = "".join(str(int(ch, 36)) for ch in value[4:] + value[:4])
    return int(digits) % 97 == 1


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("length(bin) = 12", name="bin_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    # Encrypted at rest (issue #19): the contact person's email and phone are personal data and
    # are never searched or sorted by. The name stays in the clear: lists show and sort it, and
    # the same name is the grantee user's (users.name) anyway.
    contact_email: Mapped[str] = mapped_column(EncryptedText, default="")
    contact_phone: Mapped[str] = mapped_column(EncryptedText, default="")

    # The bank account the fund pays to (issue #21): set by staff only; a payment request must
    # name the same one. Not personal data (an organisation's account), so in the clear.
    iban: Mapped[str] = mapped_column(String(34), default="", server_default="")
    bic: Mapped[str] = mapped_column(String(11), default="", server_default="")
    kbe: Mapped[str] = mapped_column(String(2), default="", server_default="")

    region: Mapped[Region] = relationship()
    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def identifier(self) -> str:
        """The open-data identifier (360Giving style)."""
        return f"KZ-BIN-{self.bin}"

    def __repr__(self) -> str:
        return f"<Organisation {self.bin}>"
