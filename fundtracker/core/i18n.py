"""Languages, time zone, and the formatting of money and dates for templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_compact_currency, format_decimal
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup

from fundtracker.core.text import css_string
from fundtracker.core.time import FUND_TIMEZONE

# The interface's languages, in the order they are offered and fallen back on.
LANGUAGES = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_COOKIE = "lang"
TENGE_SIGN = "₸"


def select_locale() -> str:
    """The signed-in user's choice, else the browser's remembered choice, else Accept-Language.
    An API client (under /api/) says in Accept-Language which language it reads, whoever its
    token's user is; without the header, that user's choice. Outside a request (command line,
    scheduler) the default; callers that write to a user use force_locale with the user's
    language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        asked = request.accept_languages.best_match(LANGUAGES)
        if asked:
            return asked
    if current_user and current_user.is_authenticated:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE) or session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return (
        request.accept_languages.best_match(LANGUAGES) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return FUND_TIMEZONE


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_money(tiyn: int | None, locale: str | None = None) -> str:
    """Format an integer amount of tiyn as tenge in the locale's currency pattern, with the ₸ sign.

    Babel's CLDR data writes "KZT" rather than "₸" for Russian and English; the fund uses the
    sign in every language. Whole amounts are shown without the tiyn part.
    """
    if tiyn is None:
        return ""
    loc = Locale.parse(locale or current_locale())
    pattern = loc.currency_formats["standard"].pattern.split(";")[0].replace("¤", TENGE_SIGN)
    if tiyn % 100 == 0:
        pattern = pattern.replace(".00", "")
    return format_decimal(Decimal(tiyn) / 100, format=pattern, locale=loc)


def format_compact_money(tiyn: float, locale: str | None = None) -> str:
    """An amount of tiyn in compact tenge ("12,5 млрд ₸"), for chart scales and legends."""
    text = format_compact_currency(
        tiyn / 100, "KZT", locale=locale or current_locale(), fraction_digits=1
    )
    return text.replace("KZT", TENGE_SIGN)


def tenge_to_tiyn(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def format_dt(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def format_d(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["datetime"] = format_dt
    app.jinja_env.filters["date"] = format_d
    # A quoted CSS string (print stylesheets' running strings); Markup: it has nothing to escape.
    app.jinja_env.filters["css_string"] = lambda value: Markup(css_string(value))  # noqa: S704

    @app.context_processor
    def _language_context():
        config = app.config
        return {
            "current_locale": current_locale(),
            "language_names": LANGUAGE_NAMES,
            "upload_limits": {
                "file": config["MAX_UPLOAD_MB"] * 1024 * 1024,
                "file_mb": config["MAX_UPLOAD_MB"],
                "request": config["MAX_CONTENT_LENGTH"],
                "request_mb": config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            },
        }
