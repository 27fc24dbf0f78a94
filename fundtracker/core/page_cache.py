"""Rendered pages kept in the web process, for pages read far more often than their data changes
(the filtered project list, the outcomes portfolio). A page is reused only for the same user,
address (with its query string), language and day, while its data is unchanged; its CSRF token
is swapped for the asking session's own. Nothing is kept for a response that carries flashed
messages. Each process keeps its own pages, bounded in bytes (PAGE_CACHE_BYTES, 0 turns the cache
off); the LRU drops the least used. A page asked for again by the session that rendered it is
served as it is; tokens do not expire (WTF_CSRF_TIME_LIMIT = None).

Unchanged data (issue #22): a kept page notes the tables its statements read and their versions
(fundtracker.core.data_version: each committed write moves its tables' versions, and those of the
tables the database changes by cascade). At the same global data version it is reused at once;
at another, it is reused if none of its tables moved, so a grantee saving a draft no longer
empties the officers' project list. The versions are read before the page's data, in one
statement that must see the global version read with the user: a page made while something
committed in between is not kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import wraps

from cachetools import LRUCache
from flask import current_app, g, get_flashed_messages, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from fundtracker.core import data_version
from fundtracker.core.extensions import db
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
    version: int  # the global data version it was made at
    tables: dict  # {table it read: its version then}


def _size(kept: _Kept) -> int:
    return len(kept.page.encode())


def _unchanged(kept: _Kept, version: int) -> bool:
    """Whether `kept` still holds at the global `version` (read with the user): the same
    version, or else none of the tables it read has moved since (one statement, which must see
    that same global version, so that it sees the data the user was read with)."""
    if kept.version == version:
        return True
    now, tables = data_version.table_versions(db.session)
    return now == version and all(tables.get(t, 0) == v for t, v in kept.tables.items())


def cached_page(view):
    """Keep the page `view` renders (a str) as described above. Goes inside the permission check."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        pages = _pages()
        if pages is None or get_flashed_messages():
            return view(*args, **kwargs)
        # Read in the same statement as the user (auth_loader), before any of the page's data.
        # Without it (no version row), nothing is cached.
        version = g.get("fundtracker_data_version")
        if version is None:
            return view(*args, **kwargs)
        key = (
            request.endpoint,
            request.host,
            request.full_path,
            today(),
            current_user.id,
            current_user.locale,  # (i18n.select_locale: a signed-in user's page is in theirs)
        )
        config = current_app.config
        secret_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with _lock:
            kept = pages.get(key)
        if kept is not None and _unchanged(kept, version):
            PAGE_CACHE.labels("hit").inc()
            if kept.version != version:  # still good: the next look needs no statement
                kept = replace(kept, version=version)
                with _lock:
                    pages[key] = kept
            if (
                session.get(secret_name) == kept.secret
                and config.get("WTF_CSRF_TIME_LIMIT") is None
            ):
                return kept.page  # the same session, whose tokens do not expire
            return kept.page.replace(kept.token, generate_csrf())
        PAGE_CACHE.labels("miss").inc()
        # The tables' versions before any of the page's data; if anything was committed since
        # the user was read, the page is not kept (its data and versions might not match).
        now, tables = data_version.table_versions(db.session)
        token = generate_csrf()
        # Rows loaded before the view (the user, what the permission check read) are used from
        # the session without a statement: their tables count as read too.
        read = {type(obj).__table__.name for obj in db.session.identity_map.values()}
        reading = data_version.reading.set(read)
        try:
            page = view(*args, **kwargs)
        finally:
            data_version.reading.reset(reading)
        # (Messages the view flashed were taken out of the session by the template already;
        # get_flashed_messages() still has them for this request.)
        if isinstance(page, str) and not get_flashed_messages() and now == version:
            # The user's row is read before the view, and any unknown write counts.
            read |= {"users", data_version.ANY_TABLE}
            kept = _Kept(
                page,
                session.get(secret_name),
                token,
                version,
                {t: tables.get(t, 0) for t in read},
            )
            if _size(kept) <= pages.maxsize // 8:  # one page never crowds out the rest
                with _lock:
                    pages[key] = kept
        return page

    return wrapper
