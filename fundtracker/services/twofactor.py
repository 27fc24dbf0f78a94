"""Two-factor sign-in (issue #19): an authenticator app (TOTP), single-use recovery codes and
passkeys (WebAuthn), and who must have one.

- TOTP (RFC 6238, 30-second steps, 6 digits): a code of the current step or one step either
  side is accepted, once: the step of the last code accepted is kept and only a later step is
  accepted after it (a conditional UPDATE, so two requests with one code cannot both pass).
- Recovery codes: ten random codes of 12 characters (about 59 bits each) shown once when they
  are made; kept as SHA-256 of the user's id and the code. Each works once (again a conditional
  UPDATE). Making new ones throws the old ones away.
- Passkeys: registered and checked with py_webauthn; user verification is required; the
  authenticator's signature counter must go up when it counts at all. The relying party (id,
  origin) and the challenge come from the caller (the web layer keeps challenges in the session).

Every change is written to the audit log (services.audit) with the caller's client address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import pyotp
import segno
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from fundtracker.models import LoginAttempt, Passkey, RecoveryCode, TotpSecret, User, utcnow
from fundtracker.services import audit, notifications
from fundtracker.services.accounts import normalise_address
from fundtracker.services.errors import DomainError

ISSUER = "FundTracker"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 12
MAX_PASSKEYS = 10
PASSKEY_NAME_MAX = 60


class SecondFactorRefused(DomainError):
    """A wrong, used or replayed code, or a passkey that did not prove itself."""


@dataclass(frozen=True)
class RelyingParty:
    """Who passkeys belong to: `id` is a host name (never an IP address), `origin` the scheme,
    host and port the browser shows."""

    id: str
    name: str
    origin: str


@dataclass
class Status:
    totp: bool = False
    totp_pending: bool = False
    recovery_left: int = 0
    passkeys: list[Passkey] = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return self.totp or bool(self.passkeys)


# Who must have a second factor --------------------------------------------------------------


def is_required(user: User, roles) -> bool:
    return user.role.value in set(roles)


def has_second_factor(session: Session, user: User) -> bool:
    totp = exists().where(TotpSecret.user_id == user.id, TotpSecret.confirmed_at.is_not(None))
    passkey = exists().where(Passkey.user_id == user.id)
    return bool(session.scalar(select(or_(totp, passkey))))


def status(session: Session, user: User) -> Status:
    secret = session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))
    left = session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    passkeys = session.scalars(
        select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at, Passkey.id)
    ).all()
    return Status(
        totp=secret is not None and secret.confirmed_at is not None,
        totp_pending=secret is not None and secret.confirmed_at is None,
        recovery_left=left or 0,
        passkeys=list(passkeys),
    )


# TOTP ------------------------------------------------------------------------------------------


def _secret_row(session: Session, user: User) -> TotpSecret | None:
    return session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))


def start_totp(session: Session, user: User) -> TotpSecret:
    """A new, unconfirmed secret for the user to scan (replacing an unconfirmed one)."""
    row = _secret_row(session, user)
    if row is not None and row.confirmed_at is not None:
        raise DomainError(_l("An authenticator app is already set up. Remove it first."))
    if row is None:
        row = TotpSecret(user_id=user.id)
        session.add(row)
    row.secret = pyotp.random_base32()  # 160 bits
    row.last_step = None
    session.flush()
    return row


def pending_secret(session: Session, user: User) -> str | None:
    row = _secret_row(session, user)
    return row.secret if row is not None and row.confirmed_at is None else None


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """The QR code of `text` as an inline SVG element (no XML declaration), drawn here."""
    return segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = _digits(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp, current = pyotp.TOTP(secret), _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_step(session: Session, row: TotpSecret, step: int) -> bool:
    """Take `step` as the last accepted, unless a code of it or a later one was accepted."""
    result = session.execute(
        update(TotpSecret)
        .where(
            TotpSecret.id == row.id,
            or_(TotpSecret.last_step.is_(None), TotpSecret.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(row)
    return True


def confirm_totp(
    session: Session, user: User, code: str, now: datetime | None = None, address=None
) -> list[str]:
    """The first code from the app turns TOTP on; returns the new recovery codes."""
    now = now or utcnow()
    row = _secret_row(session, user)
    if row is None or row.confirmed_at is not None:
        raise DomainError(_l("Start setting up the authenticator app again."))
    step = _matching_step(row.secret, code, now)
    if step is None or not _accept_step(session, row, step):
        raise SecondFactorRefused(
            _l("That code is not right. Check the time on your phone and try again."),
            field="code",
        )
    row.confirmed_at = now
    audit.record(session, user, "2fa.totp_enabled", target=user, address=address)
    return new_recovery_codes(session, user, address=address)


def verify_totp(session: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """Whether `code` is a code of the user's confirmed secret not accepted before."""
    row = _secret_row(session, user)
    if row is None or row.confirmed_at is None:
        return False
    step = _matching_step(row.secret, code, now or utcnow())
    return step is not None and _accept_step(session, row, step)


def remove_totp(session: Session, user: User, address=None) -> None:
    """Turn the authenticator app off; its recovery codes go with it."""
    session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, user, "2fa.totp_removed", target=user, address=address)
    session.flush()


# Recovery codes --------------------------------------------------------------------------------


def _recovery_hash(user_id: int, code: str) -> str:
    normal = _digits(code).lower()
    return hashlib.sha256(f"{user_id}:{normal}".encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def new_recovery_codes(session: Session, user: User, address=None) -> list[str]:
    """Ten new codes, shown to the user once; the old ones stop working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, c)) for c in codes
    )
    audit.record(session, user, "2fa.recovery_codes_generated", target=user, address=address)
    session.flush()
    return codes


def regenerate_recovery_codes(session: Session, user: User, address=None) -> list[str]:
    row = _secret_row(session, user)
    if row is None or row.confirmed_at is None:
        raise DomainError(_l("Recovery codes come with an authenticator app: set one up first."))
    return new_recovery_codes(session, user, address=address)


def use_recovery_code(
    session: Session, user: User, code: str, now: datetime | None = None, address=None
) -> bool:
    """Use up a recovery code; False when it is not one of the user's unused codes."""
    normal = _digits(code).lower()
    if len(normal) != RECOVERY_CODE_LENGTH:
        return False
    result = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user.id, normal),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    audit.record(session, user, "2fa.recovery_code_used", target=user, address=address)
    session.flush()
    return True


def check_code(
    session: Session, user: User, code: str, now: datetime | None = None, address=None
) -> str:
    """The second step of a sign-in with a typed code: "totp" or "recovery" for the kind that
    passed; SecondFactorRefused otherwise."""
    code = (code or "").strip()
    if len(_digits(code)) == 6 and _digits(code).isdigit():
        if verify_totp(session, user, code, now):
            return "totp"
    elif use_recovery_code(session, user, code, now, address=address):
        return "recovery"
    raise SecondFactorRefused(
        _l("That code is not right, or it has been used already."), field="code"
    )


# Sign-in bookkeeping ---------------------------------------------------------------------------


def hold_attempt(attempt: LoginAttempt) -> None:
    """The password was right but the second step is to come: until it passes, the attempt
    counts as a failure for the login limits (services.accounts)."""
    attempt.succeeded = False


def complete_attempt(session: Session, attempt_id: int | None) -> None:
    row = session.get(LoginAttempt, attempt_id) if attempt_id else None
    if row is not None:
        row.succeeded = True
        session.flush()


def record_failure(session: Session, user: User | None, reason: str, address: str) -> None:
    """A second step (or a passkey sign-in) that failed: a failed login attempt for the limits
    when the account is known, and an audit event. The caller commits it on its own."""
    if user is not None:
        session.add(
            LoginAttempt(
                email=user.email,
                address=normalise_address(address),
                succeeded=False,
                throttled=False,
                created_at=utcnow(),
            )
        )
    audit.record(
        session,
        None,
        "auth.sign_in_failed",
        target=user,
        details={"reason": reason},
        address=address,
    )
    session.flush()


# Passkeys --------------------------------------------------------------------------------------


def _user_handle(user: User) -> bytes:
    return f"fundtracker-user-{user.id}".encode()


def registration_options(session: Session, user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """The options for navigator.credentials.create (JSON) and their challenge."""
    existing = session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id))
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=_user_handle(user),
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in existing
        ],
    )
    return options_to_json(options), options.challenge


def add_passkey(
    session: Session,
    user: User,
    name: str,
    credential: str | dict,
    challenge: bytes,
    rp: RelyingParty,
    address=None,
) -> Passkey:
    name = (name or "").strip()
    if not name or len(name) > PASSKEY_NAME_MAX:
        raise DomainError(
            _l("Give the passkey a name of at most %(n)d characters.", n=PASSKEY_NAME_MAX),
            field="name",
        )
    count = session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id))
    if count >= MAX_PASSKEYS:
        raise DomainError(_l("You have as many passkeys as one account may have."))
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise SecondFactorRefused(
            _l("The passkey could not be registered. Please try again.")
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise DomainError(_l("This passkey is registered already."))
    passkey = Passkey(
        user_id=user.id,
        name=name,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    session.add(passkey)
    session.flush()
    audit.record(
        session,
        user,
        "2fa.passkey_added",
        target=user,
        details={"passkey": passkey.id},
        address=address,
    )
    return passkey


def authentication_options(
    session: Session, user: User | None, rp: RelyingParty
) -> tuple[str, bytes]:
    """Options for navigator.credentials.get: for `user`, their passkeys; without one (a
    passwordless sign-in), any passkey of this site the authenticator holds."""
    allowed = []
    if user is not None:
        ids = session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id))
        allowed = [PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in ids]
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def check_passkey(
    session: Session,
    credential: str | dict,
    challenge: bytes,
    rp: RelyingParty,
    user: User | None = None,
    now: datetime | None = None,
) -> tuple[User, Passkey]:
    """The account whose passkey signed the challenge (it must be `user`'s when given)."""
    refused = SecondFactorRefused(_l("The passkey was not accepted. Please try again."))
    try:
        data = json.loads(credential) if isinstance(credential, str) else dict(credential)
        credential_id = str(data["id"])
    except (ValueError, KeyError, TypeError):
        raise refused from None
    passkey = session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None or (user is not None and passkey.user_id != user.id):
        raise refused
    owner = session.get(User, passkey.user_id)
    if owner is None or not owner.active:
        raise refused
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise refused from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now or utcnow()
    session.flush()
    return owner, passkey


def remove_passkey(session: Session, user: User, passkey: Passkey, address=None) -> None:
    if passkey.user_id != user.id:
        raise DomainError(_l("This passkey is not yours."))
    passkey_id = passkey.id
    session.delete(passkey)
    audit.record(
        session,
        user,
        "2fa.passkey_removed",
        target=user,
        details={"passkey": passkey_id},
        address=address,
    )
    session.flush()


# An administrator's reset ----------------------------------------------------------------------


def reset(session: Session, admin: User, user: User, address=None) -> None:
    """Remove every second factor of `user` (a lost phone): they sign in with the password
    alone, or enrol again where their role requires it. The user is told."""
    totp = session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    passkeys = session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    counts = {"authenticator_app": bool(totp.rowcount), "passkeys": passkeys.rowcount}
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, admin, "2fa.reset_by_admin", target=user, details=counts, address=address)
    with force_locale(user.locale):
        notifications.notify(
            session,
            user,
            subject=_("Your two-factor sign-in has been reset"),
            body=_(
                "An administrator (%(name)s) removed your authenticator app, recovery codes "
                "and passkeys. If you did not ask for this, tell the fund at once.",
                name=admin.name,
            ),
            url=notifications.app_path("auth.two_factor"),
        )
    session.flush()
