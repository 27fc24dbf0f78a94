"""The open-data files (issue #20), for anyone, without signing in: the 360Giving package (JSON
and spreadsheet) and the IATI activities file, of the public projects only.

A file is built once per data version (fundtracker.core.data_version) and settings, and kept in
the process: asked again before the data changes, the same bytes are sent, with an ETag (their
hash) and Last-Modified (when they were built) for conditional requests. Each process keeps
only the latest bytes of each file. Without a data version (a database not made by the
migrations) every request builds the file afresh.

The files are sent `inline` with their file name: an `attachment` is made private and
uncachable by fundtracker.core.security (downloads there carry personal data; these carry none),
and the transparency page's links say `download` anyway.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request

from fundtracker.blueprints.opendata import bp
from fundtracker.core import data_version
from fundtracker.core.extensions import db
from fundtracker.models import utcnow
from fundtracker.services import opendata
from fundtracker.services.opendata import Publisher

MAX_AGE = 300  # seconds a browser or proxy may reuse a file without asking again
_KEPT = "fundtracker_opendata"
_lock = threading.Lock()


@dataclass(frozen=True)
class _Kept:
    version: int
    publisher: Publisher
    data: bytes
    etag: str
    built_at: datetime


def _file(file: opendata.File) -> _Kept:
    # Read the version before the data (see fundtracker.core.data_version).
    version = data_version.current(db.session)
    publisher = Publisher.from_config(current_app.config)
    kept_files = current_app.extensions.setdefault(_KEPT, {})
    with _lock:
        kept = kept_files.get(file.name)
    if kept is not None and kept.version == version and kept.publisher == publisher:
        return kept
    data = opendata.build(db.session, file, publisher)
    kept = _Kept(version, publisher, data, hashlib.sha256(data).hexdigest(), utcnow())
    if version is not None:
        with _lock:
            kept_files[file.name] = kept
    return kept


def _send(file: opendata.File):
    kept = _file(file)
    response = current_app.response_class(kept.data, mimetype=file.mimetype)
    response.set_etag(kept.etag)
    response.last_modified = kept.built_at
    response.headers["Content-Disposition"] = f'inline; filename="{file.name}"'
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.get("/360giving.json")
def giving_json():
    return _send(opendata.GIVING_JSON)


@bp.get("/360giving.xlsx")
def giving_xlsx():
    return _send(opendata.GIVING_XLSX)


@bp.get("/iati-activities.xml")
def iati_xml():
    return _send(opendata.IATI_XML)
