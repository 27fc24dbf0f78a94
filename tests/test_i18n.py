"""Three languages: complete catalogues, the language switch, money in KZT and Asia/Almaty time."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_dt, format_money
from tests import factories
from tests.conftest import login_as

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "fundtracker" / "translations"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the code today, extracted as `pybabel extract` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "_p:1c,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_every_message_has_a_translation(extracted, locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        strings = translated.string if translated else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, (
        f"{len(missing)} messages lack a {locale} translation (run pybabel update and "
        f"translate them): {missing[:10]}"
    )
    problems = [(m.id, errors) for m, errors in catalog.check() if errors]
    assert not problems, f"placeholders differ from the source: {problems[:5]}"


@pytest.mark.parametrize(
    ("locale", "tiyn", "expected"),
    [
        ("kk", 123_456_789_00, "123\u00a0456\u00a0789\u00a0₸"),
        ("ru", 123_456_789_50, "123\u00a0456\u00a0789,50\u00a0₸"),
        ("en", 150_000_000_00, "₸150,000,000"),
        ("en", 0, "₸0"),
    ],
)
def test_money_is_integer_tiyn_shown_as_tenge(locale, tiyn, expected):
    assert format_money(tiyn, locale).replace("\u202f", "\u00a0") == expected


def test_datetimes_are_shown_in_asia_almaty(app):
    # 04:00 UTC is 09:00 in Almaty (UTC+5 for the whole country since March 2024).
    with app.test_request_context(), force_locale("en"):
        assert "9:00" in format_dt(datetime(2026, 6, 1, 4, 0, tzinfo=UTC))


def test_visitor_language_is_remembered_per_browser(client):
    response = client.post("/language", data={"language": "kk", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="kk">' in html and "Құпиясөз" in html


def test_accept_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/auth/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="ru">' in html and "Пароль" in html


def test_signed_in_users_choice_is_saved_on_their_account(app, login):
    user = factories.UserFactory(locale="en")
    client = login(user)
    client.post("/language", data={"language": "ru", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "ru"
    # Another browser signed in as the same user gets the same language.
    other = app.test_client()
    login_as(other, user)
    assert '<html lang="ru">' in other.get("/").get_data(as_text=True)


def test_unknown_language_is_refused_politely(client):
    response = client.post("/language", data={"language": "xx"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Unknown language." in response.get_data(as_text=True)


def test_next_of_the_language_switch_cannot_leave_the_site(client):
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
