"""The public pages, kept rendered per address, language and data version, and served with
`Cache-Control: public` and an ETag.

Unlike core/page_cache.py (pages of a signed-in user, with their CSRF token swapped), a public
page is the same for everyone who asks for it in the same language: it holds no form with a CSRF
token, no user's name, nothing from the session. It is therefore rendered from the template
alone (`render_public`), without the app's context processors: those build the navigation's
forms, whose CSRF token would put a session cookie on a public response, and count a signed-in
user's notifications.

A request that finds its page kept runs one query, the data version (read before any data, so a
page kept under version N was made from data at least as new as N); one that sends the page's
ETag back gets 304. The cache is bounded by PAGE_CACHE_BYTES as the other (0 turns it off);
any committed change to the fund's data is a new version, so an admin's choice shows at once
here, and in shared caches within PUBLIC_PAGE_MAX_AGE seconds.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import wraps

from cachetools import LRUCache
from flask import Response, current_app, g, request
from flask_babel import force_locale

from fundtracker.core import data_version
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES, current_locale
from fundtracker.disclosure import THRESHOLD

# How long browsers and shared caches may reuse a public page without asking again.
DEFAULT_MAX_AGE = 300
LANGUAGE_ARG = "lang"
# The query arguments the public pages read; a page is kept once for each set of their values,
# whatever else the address carries (which the pages ignore, and never repeat in their links).
PAGE_ARGS = (LANGUAGE_ARG, "area", "region", "page")

_lock = threading.Lock()


@dataclass(frozen=True)
class _Kept:
    body: bytes
    etag: str


def _size(kept: _Kept) -> int:
    return len(kept.body)


def _pages() -> LRUCache | None:
    app = current_app._get_current_object()
    size = app.config.get("PAGE_CACHE_BYTES", 0)
    if not size:
        return None
    pages = app.extensions.get("fundtracker_public_pages")
    if pages is None:
        pages = app.extensions["fundtracker_public_pages"] = LRUCache(maxsize=size, getsizeof=_size)
    return pages


def chosen_language() -> str | None:
    """The language the address asks for (`?lang=kk`), if it is one of ours."""
    asked = request.args.get(LANGUAGE_ARG)
    return asked if asked in LANGUAGES else None


def page_args() -> dict[str, str]:
    """The query arguments of PAGE_ARGS the address carries."""
    return {name: request.args[name] for name in PAGE_ARGS if request.args.get(name)}


def render_public(template: str, **context) -> str:
    """A public page from its template and `context` only (see the module's docstring)."""
    context.setdefault("current_locale", current_locale())
    context.setdefault("threshold", THRESHOLD)  # the smallest count of people ever printed
    return current_app.jinja_env.get_template(template).render(**context)


def _response(kept: _Kept, vary_language: bool) -> Response:
    response = Response(kept.body, mimetype="text/html")
    max_age = current_app.config.get("PUBLIC_PAGE_MAX_AGE", DEFAULT_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={int(max_age)}"
    response.set_etag(kept.etag)
    if vary_language:  # the language came from the browser: its cookie or Accept-Language
        response.vary.update(("Accept-Language", "Cookie"))
    return response.make_conditional(request)


def public_page(view):
    """Serve the page `view` renders (a str) in the asked-for language, kept as described above."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        asked = chosen_language()
        locale = asked or current_locale()
        version = g.get("fundtracker_data_version")
        if version is None:  # an anonymous visitor: no user row read it already
            version = data_version.current(db.session)
        pages = _pages() if version is not None else None
        key = (
            request.endpoint,
            request.host,
            request.path,
            tuple(page_args().items()),
            version,
            locale,
        )
        kept = None
        if pages is not None:
            with _lock:
                kept = pages.get(key)
        if kept is None:
            with force_locale(locale):
                body = view(*args, **kwargs).encode()
            kept = _Kept(body, hashlib.sha256(body).hexdigest()[:32])
            if pages is not None and _size(kept) <= pages.maxsize // 8:
                with _lock:
                    pages[key] = kept
        return _response(kept, vary_language=asked is None)

    return wrapper
