"""Two-factor sign-in in Chromium: an authenticator app enrolled from the page (the key read off
it, the codes worked out with pyotp), signing in with a code, a recovery code that works once;
and a passkey added and used, through Chromium's virtual authenticator (CDP WebAuthn domain).

Passkeys need a relying party id that is a host name: the app is opened at http://localhost
(a secure context; 127.0.0.1 is not a valid RP id)."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import expect

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_PASSWORD
from fundtracker.models import Role, User
from fundtracker.services.accounts import hash_password
from tests.browser.helpers import open_user_menu


def _new_officer(live_app, email: str) -> None:
    with live_app.app_context():
        db.session.add(
            User(
                email=email,
                name="Officer Two-Factor",
                role=Role.OFFICER,
                locale="en",
                password_hash=hash_password(DEMO_PASSWORD),
            )
        )
        db.session.commit()
        db.session.remove()


def _password(page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")


def _log_out(page) -> None:
    open_user_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#login-form")).to_be_visible()


def test_totp_enrolment_sign_in_and_recovery_codes(live_app, live_server, page):
    email = "totp-officer@example.kz"
    _new_officer(live_app, email)
    _password(page, live_server, email)
    expect(page.locator("#user-menu")).to_be_visible()

    page.goto(f"{live_server}/auth/two-factor")
    expect(page.locator("#totp-state")).to_have_text("Off.")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.locator("figure svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("#codes-done")
    expect(page.locator("#totp-state")).to_contain_text("10 unused recovery codes left")
    _log_out(page)

    # The password alone no longer signs in: the code of the next step does (the current one
    # was used to turn it on, and a code works once).
    _password(page, live_server, email)
    expect(page).to_have_url(f"{live_server}/auth/two-factor/verify")
    page.fill("#code", totp.at(time.time() + 30))
    page.click("#second-step-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()
    _log_out(page)

    # A recovery code signs in once ...
    _password(page, live_server, email)
    page.fill("#code", codes[0])
    page.click("#second-step-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()
    expect(page.locator(".alert-warning")).to_contain_text("recovery code")
    _log_out(page)
    # ... and not twice.
    _password(page, live_server, email)
    page.fill("#code", codes[0])
    page.click("#second-step-form [type=submit]")
    expect(page.locator("#code-error-1")).to_contain_text("not right")
    expect(page.locator("#user-menu")).to_have_count(0)
    # The refused code's page is answered 401, which Chromium logs; nothing else.
    assert [e for e in page.console_errors if "status of 401" not in e] == []


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_passkey_enrolment_and_sign_in(live_app, live_server, page):
    base = live_server.replace("127.0.0.1", "localhost")
    email = "passkey-officer@example.kz"
    _new_officer(live_app, email)
    page.goto(f"{base}/auth/login")
    _virtual_authenticator(page)
    _password(page, base, email)
    expect(page.locator("#user-menu")).to_be_visible()

    page.goto(f"{base}/auth/two-factor")
    page.fill("#name", "Laptop")
    page.click("#passkey-add")
    expect(page.locator("#passkey-list")).to_contain_text("Laptop")
    expect(page.locator(".alert-success")).to_contain_text("passkey has been added")
    _log_out(page)

    # Without a password: "Sign in with a passkey" on the login page.
    page.click("#passkey-signin")
    expect(page.locator("#user-menu")).to_be_visible()
    expect(page).to_have_url(f"{base}/")
    _log_out(page)

    # As the second step after the password.
    _password(page, base, email)
    expect(page).to_have_url(f"{base}/auth/two-factor/verify")
    page.click("#passkey-signin")
    expect(page.locator("#user-menu")).to_be_visible()
    assert page.console_errors == []
