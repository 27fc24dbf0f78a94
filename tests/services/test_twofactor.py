"""Two-factor sign-in rules (services.twofactor): TOTP with drift and no replay, single-use
recovery codes kept hashed, passkeys with their counter, and an administrator's reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, text

from fundtracker.models import Notification, Passkey, RecoveryCode, Role, TotpSecret
from fundtracker.services import twofactor
from fundtracker.services.errors import DomainError
from fundtracker.services.twofactor import RelyingParty, SecondFactorRefused
from tests import factories
from tests.softauthn import SoftPasskey

NOW = datetime(2026, 12, 5, 9, 0, 10, tzinfo=UTC)
RP = RelyingParty(id="localhost", name="FundTracker", origin="http://localhost")


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrolled(session, user, now=NOW) -> tuple[str, list[str]]:
    secret = twofactor.start_totp(session, user).secret
    codes = twofactor.confirm_totp(session, user, code_at(secret, now), now)
    return secret, codes


def test_enrolment_needs_a_right_first_code_and_gives_ten_recovery_codes(session):
    user = factories.UserFactory(role=Role.OFFICER)
    assert not twofactor.has_second_factor(session, user)
    secret = twofactor.start_totp(session, user).secret
    assert twofactor.status(session, user).totp_pending
    assert not twofactor.has_second_factor(session, user)  # not until confirmed
    with pytest.raises(SecondFactorRefused):
        twofactor.confirm_totp(session, user, "000000" if code_at(secret, NOW) != "000000" else "1")
    codes = twofactor.confirm_totp(session, user, code_at(secret, NOW), NOW)
    assert len(codes) == len(set(codes)) == 10
    assert twofactor.has_second_factor(session, user)
    state = twofactor.status(session, user)
    assert state.totp and not state.totp_pending and state.recovery_left == 10
    with pytest.raises(DomainError):
        twofactor.start_totp(session, user)  # remove it first


def test_the_secret_is_encrypted_at_rest(session):
    user = factories.UserFactory()
    secret, _codes = enrolled(session, user)
    stored = session.execute(
        text("SELECT secret FROM totp_secrets WHERE user_id = :u"), {"u": user.id}
    ).scalar_one()
    assert secret not in stored
    assert session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id)).secret == secret


def test_a_code_is_accepted_once_with_one_step_of_drift(session):
    user = factories.UserFactory()
    secret, _codes = enrolled(session, user)
    later = NOW + timedelta(seconds=60)
    code = code_at(secret, later)
    assert twofactor.verify_totp(session, user, code, later)
    assert not twofactor.verify_totp(session, user, code, later)  # replayed
    # The next step's code, typed 30 s early (a phone clock ahead), is accepted...
    assert twofactor.verify_totp(
        session, user, code_at(secret, later + timedelta(seconds=30)), later
    )
    # ... and then nothing earlier than it.
    assert not twofactor.verify_totp(session, user, code_at(secret, later), later)
    far = later + timedelta(minutes=10)
    assert not twofactor.verify_totp(
        session, user, code_at(secret, far + timedelta(seconds=90)), far
    )
    assert not twofactor.verify_totp(
        session, user, code_at(secret, far - timedelta(seconds=90)), far
    )
    assert twofactor.verify_totp(session, user, code_at(secret, far - timedelta(seconds=30)), far)


def test_recovery_codes_are_hashed_and_work_once(session):
    user = factories.UserFactory()
    _secret, codes = enrolled(session, user)
    hashes = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))
    assert not set(hashes) & {c.replace("-", "") for c in codes} and len(codes[0]) == 14
    assert twofactor.check_code(session, user, codes[0].upper(), NOW) == "recovery"
    with pytest.raises(SecondFactorRefused):
        twofactor.check_code(session, user, codes[0], NOW)  # used
    assert twofactor.status(session, user).recovery_left == 9
    other = factories.UserFactory()
    enrolled(session, other)
    assert not twofactor.use_recovery_code(session, other, codes[1], NOW)  # not theirs


def test_new_recovery_codes_replace_the_old_ones(session):
    user = factories.UserFactory()
    _secret, old = enrolled(session, user)
    new = twofactor.regenerate_recovery_codes(session, user)
    assert not twofactor.use_recovery_code(session, user, old[0], NOW)
    assert twofactor.use_recovery_code(session, user, new[0], NOW)


def test_removing_totp_removes_its_codes(session):
    user = factories.UserFactory()
    secret, codes = enrolled(session, user)
    twofactor.remove_totp(session, user)
    assert not twofactor.has_second_factor(session, user)
    assert not twofactor.use_recovery_code(session, user, codes[0], NOW)
    with pytest.raises(SecondFactorRefused):
        twofactor.check_code(session, user, code_at(secret, NOW + timedelta(minutes=5)))
    with pytest.raises(DomainError):
        twofactor.regenerate_recovery_codes(session, user)


def test_qr_code_is_an_svg_of_the_provisioning_uri(session):
    uri = twofactor.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DP", "olzhas@example.kz")
    assert uri.startswith(
        "otpauth://totp/FundTracker:olzhas%40example.kz?secret=JBSWY3DPEHPK3PXPJBSWY3DP"
    )
    svg = twofactor.qr_svg(uri)
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert twofactor.grouped("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"


def register(session, user, key: SoftPasskey, name="Laptop") -> Passkey:
    options, challenge = twofactor.registration_options(session, user, RP)
    return twofactor.add_passkey(session, user, name, key.create(options), challenge, RP)


def test_a_passkey_signs_in_its_owner_and_its_counter_must_go_up(session):
    user = factories.UserFactory(role=Role.ADMIN)
    key = SoftPasskey()
    passkey = register(session, user, key)
    assert passkey.name == "Laptop" and twofactor.has_second_factor(session, user)
    options, challenge = twofactor.authentication_options(session, None, RP)
    owner, used = twofactor.check_passkey(session, key.get(options), challenge, RP)
    assert owner == user and used.sign_count == 1 and used.last_used_at is not None
    # The same challenge answered again with an old counter: a cloned authenticator.
    options, challenge = twofactor.authentication_options(session, user, RP)
    with pytest.raises(SecondFactorRefused):
        twofactor.check_passkey(session, key.get(options, count=1), challenge, RP, user)
    # Another user's second step cannot be passed with this passkey.
    other = factories.UserFactory()
    options, challenge = twofactor.authentication_options(session, other, RP)
    with pytest.raises(SecondFactorRefused):
        twofactor.check_passkey(session, key.get(options), challenge, RP, other)


def test_a_passkey_must_verify_its_user_and_answer_this_challenge_and_site(session):
    user = factories.UserFactory()
    key = SoftPasskey()
    register(session, user, key)
    options, challenge = twofactor.authentication_options(session, user, RP)
    with pytest.raises(SecondFactorRefused):
        twofactor.check_passkey(session, key.get(options, user_verified=False), challenge, RP)
    with pytest.raises(SecondFactorRefused):
        twofactor.check_passkey(session, key.get(options), b"another challenge", RP)
    elsewhere = SoftPasskey(origin="https://evil.example")
    elsewhere.credential_id, elsewhere.key = key.credential_id, key.key
    with pytest.raises(SecondFactorRefused):
        twofactor.check_passkey(session, elsewhere.get(options, count=50), challenge, RP)


def test_passkey_names_and_registration_are_checked(session):
    user = factories.UserFactory()
    key = SoftPasskey()
    options, challenge = twofactor.registration_options(session, user, RP)
    with pytest.raises(DomainError):
        twofactor.add_passkey(session, user, " ", key.create(options), challenge, RP)
    with pytest.raises(SecondFactorRefused):
        twofactor.add_passkey(session, user, "Phone", key.create(options), b"wrong", RP)
    register(session, user, key)
    options, challenge = twofactor.registration_options(session, user, RP)
    assert key.id in options  # excluded: the authenticator will not make a second one
    with pytest.raises(DomainError):
        twofactor.add_passkey(session, user, "Again", key.create(options), challenge, RP)


def test_removing_a_passkey(session):
    user, other = factories.UserFactory(), factories.UserFactory()
    passkey = register(session, user, SoftPasskey())
    with pytest.raises(DomainError):
        twofactor.remove_passkey(session, other, passkey)
    twofactor.remove_passkey(session, user, passkey)
    assert not twofactor.has_second_factor(session, user)


def test_an_admin_reset_removes_everything_and_tells_the_user(session):
    admin = factories.UserFactory(role=Role.ADMIN, name="Admin Aliya")
    user = factories.UserFactory(role=Role.OFFICER, locale="en")
    _secret, codes = enrolled(session, user)
    register(session, user, SoftPasskey())
    twofactor.reset(session, admin, user, address="10.0.0.1")
    state = twofactor.status(session, user)
    assert not state.enrolled and not state.totp_pending and state.recovery_left == 0
    assert not twofactor.use_recovery_code(session, user, codes[0], NOW)
    notice = session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert "reset" in notice.subject and "Admin Aliya" in notice.body


def test_who_must_enrol(session):
    officer = factories.UserFactory(role=Role.OFFICER)
    grantee = factories.UserFactory(grantee=True)
    assert twofactor.is_required(officer, ("admin", "officer"))
    assert not twofactor.is_required(grantee, ("admin", "officer"))
    assert not twofactor.is_required(officer, ())
