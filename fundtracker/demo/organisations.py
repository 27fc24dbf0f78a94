"""Demo organisations and accounts: the partner organisations (data/organisations.toml), the
fund's staff of every role (data/users.toml) and a grantee account for each organisation.

Organisations are matched by BIN and users by email, so seeding again adds only what is missing.
"""

from __future__ import annotations

import random
from functools import cache
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.demo.tables import load
from fundtracker.models import Organisation, Region, Role, User, bin_is_valid
from fundtracker.services.users import UserData, create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed in the report on purpose
DEMO_DOMAIN = "demo.fundtracker.kz"


class OrgSpec(NamedTuple):
    name: str
    region: str
    registered: str  # YYMM, the first four digits of the BIN
    address: str
    contact: str  # the organisation's grantee user
    locale: str


@cache
def organisation_specs() -> tuple[OrgSpec, ...]:
    """The partner organisations; the Nth is organisation number N (1-based) everywhere."""
    return tuple(OrgSpec(**row) for row in load("organisations")["organisation"])


_BIN_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first11: str) -> int | None:
    """The check digit for 11 BIN digits, or None when no digit makes the number valid."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _BIN_WEIGHTS_2, strict=True)) % 11
    return None if check == 10 else check


def demo_bin(registered: str, number: int) -> str:
    """A valid BIN: registration year and month, '4' (legal entity), '0' (head office), a serial
    number and the check digit. Serials that admit no check digit are skipped."""
    serial = (number * 7919 + 10357) % 100000
    while True:
        first11 = f"{registered}40{serial:05d}"
        check = bin_check_digit(first11)
        if check is not None:
            return f"{first11}{check}"
        serial = (serial + 1) % 100000


def first_organisation_bin() -> str:
    """The BIN of organisation 1, whose grantee@ account the browser journeys use."""
    return demo_bin(organisation_specs()[0].registered, 1)


class UserSpec(NamedTuple):
    email: str
    name: str
    role: Role
    locale: str
    organisation: int | None = None  # the organisation's number, 1-based


def grantee_email(number: int) -> str:
    return f"grantee@{DEMO_DOMAIN}" if number == 1 else f"grantee{number}@{DEMO_DOMAIN}"


@cache
def user_specs() -> tuple[UserSpec, ...]:
    """Every demo account in the order they are created: the staff, then one grantee per
    organisation, with organisation 1's second grantee after its first."""
    users = load("users")
    staff = [
        UserSpec(f"{row['login']}@{DEMO_DOMAIN}", row["name"], Role(row["role"]), row["locale"])
        for row in users["staff"]
    ]
    second = users["second_grantee"]
    second_grantee = UserSpec(
        f"{second['login']}@{DEMO_DOMAIN}",
        second["name"],
        Role.GRANTEE,
        second["locale"],
        second["organisation"],
    )
    grantees = [
        UserSpec(grantee_email(n), org.contact, Role.GRANTEE, org.locale, n)
        for n, org in enumerate(organisation_specs(), start=1)
    ]
    return (*staff, grantees[0], second_grantee, *grantees[1:])


_MOBILE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778")


def _phones(count: int) -> list[str]:
    rng = random.Random(2024)
    phones = []
    for _ in range(count):
        digits = f"{rng.randrange(10_000_000):07d}"
        prefix = rng.choice(_MOBILE_PREFIXES)
        phones.append(f"+7 {prefix} {digits[:3]} {digits[3:5]} {digits[5:]}")
    return phones


def seed_organisations(
    session: Session, regions: dict[str, Region]
) -> tuple[list[Organisation], int]:
    """Every demo organisation, in number order, and how many were created."""
    specs = organisation_specs()
    organisations: list[Organisation] = []
    created = 0
    for number, (spec, phone) in enumerate(zip(specs, _phones(len(specs)), strict=True), start=1):
        bin_ = demo_bin(spec.registered, number)
        if not bin_is_valid(bin_):
            raise RuntimeError(f"demo BIN {bin_} is not valid")
        organisation = session.scalar(select(Organisation).where(Organisation.bin == bin_))
        if organisation is None:
            organisation = Organisation(
                name=spec.name,
                bin=bin_,
                region=regions[spec.region],
                address=spec.address,
                contact_name=spec.contact,
                contact_email=grantee_email(number),
                contact_phone=phone,
            )
            session.add(organisation)
            created += 1
        organisations.append(organisation)
    session.flush()
    return organisations, created


def seed_users(
    session: Session, organisations: list[Organisation]
) -> tuple[list[tuple[UserSpec, User, bool]], int]:
    """(spec, user, created now) for every demo account, and how many were created."""
    rows: list[tuple[UserSpec, User, bool]] = []
    created = 0
    for spec in user_specs():
        user = session.scalar(select(User).where(User.email == User.normalise_email(spec.email)))
        is_new = user is None
        if user is None:
            organisation_id = organisations[spec.organisation - 1].id if spec.organisation else None
            user = create_user(
                session,
                None,
                UserData(
                    email=spec.email,
                    name=spec.name,
                    role=spec.role,
                    locale=spec.locale,
                    organisation_id=organisation_id,
                ),
                password=DEMO_PASSWORD,
            )
            created += 1
        rows.append((spec, user, is_new))
    return rows, created
