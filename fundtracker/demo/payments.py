"""The demo's bank accounts (issue #21): every demo organisation has one on file, so that its
grantees can request payments; made from its BIN, with the IBAN's check digits computed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import Organisation, iban_is_valid

BANK_CODE = "125"  # the demo's bank
BIC = "KCJBKZKX"


def demo_iban(bin_: str) -> str:
    bban = f"{BANK_CODE}KZT{bin_[-10:]}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "KZ00")
    iban = f"KZ{98 - int(digits) % 97:02d}{bban}"
    assert iban_is_valid(iban)
    return iban


def seed_bank_accounts(session: Session) -> int:
    """Give the demo organisations without an account one; returns how many."""
    made = 0
    for organisation in session.scalars(select(Organisation).where(Organisation.iban == "")):
        organisation.iban, organisation.bic, organisation.kbe = (
            demo_iban(organisation.bin),
            BIC,
            "18",
        )
        made += 1
    session.flush()
    return made
