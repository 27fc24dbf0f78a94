"""Rendered pages kept in the web process, for pages read far more often than their data changes
(the filtered project list, the outcomes portfolio). A page is reused only for the same user,
address (with its query string), language, day and data version; its CSRF token is swapped for
the asking session's own. Nothing is kept for a response that carries flashed messages. Each
process keeps its own pages, bounded in bytes (PAGE_CACHE_BYTES, 0 turns the cache off); a new
data version makes every older page unreachable, and the LRU drops them. A page asked for again by
the session that rendered it is served as it is; tokens do not expire (WTF_CSRF_TIME_LIMIT = None).

The data version is read before the view reads any data (see fundtracker.core.data_version), so a
page kept under version N was made from data at least as new as N.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import wraps

from cachetools import LRUCache
from flask import current_app, g, get_flashed_messages, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from fundtracker.core.observability import PAGE_CACHE
from fundtracker.core.time import today

_lock = threading.Lock()


def _pages() -> LRUCache | None:
    app = current_app._get_current_object()
    size = app.config.get("PAGE_CACHE_BYTES", 0)
    if not size:
        return None
    pages = app.extensions.get("fundtracker_page_cache")
    if pages is None:
        pages = app.extensions["fundtracker_page_cache"] = LRUCache(maxsize=size, getsizeof=_size)
    return pages


@dataclass(frozen=True)
class _Kept:
    page: str  # as rendered, with the CSRF token below in it
    secret: str | None  # the rendering session's CSRF secret
    token: str


def _size(kept: _Kept) -> int:
    return len(kept.page.encode())


def cached_page(view):
    """Keep the page `view` renders (a str) as described above. Goes inside the permission check."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        pages = _pages()
        if pages is None or get_flashed_messages():
            return view(*args, **kwargs)
        # Read in the same statement as the user (auth_loader), before any of the page's data:
        # any change to the user's row (role, name, language) is a new version, so the user's
        # id is enough in the key. Without it (no version row), nothing is cached.
        version = g.get("fundtracker_data_version")
        if version is None:
            return view(*args, **kwargs)
        key = (
            request.endpoint,
            request.host,
            request.full_path,
            version,
            today(),
            current_user.id,
            current_user.locale,  # (i18n.select_locale: a signed-in user's page is in theirs)
        )
        config = current_app.config
        secret_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with _lock:
            kept = pages.get(key)
        PAGE_CACHE.labels("hit" if kept is not None else "miss").inc()
        if kept is not None:
            if (
                session.get(secret_name) == kept.secret
                and config.get("WTF_CSRF_TIME_LIMIT") is None
            ):
                return kept.page  # the same session, whose tokens do not expire
            return kept.page.replace(kept.token, generate_csrf())
        token = generate_csrf()
        page = view(*args, **kwargs)
        # (Messages the view flashed were taken out of the session by the template already;
        # get_flashed_messages() still has them for this request.)
        if isinstance(page, str) and not get_flashed_messages():
            kept = _Kept(page, session.get(secret_name), token)
            if _size(kept) <= pages.maxsize // 8:  # one page never crowds out the rest
                with _lock:
                    pages[key] = kept
        return page

    return wrapper
