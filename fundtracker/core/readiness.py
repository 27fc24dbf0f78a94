"""Whether this app process can do its work (/readyz, issue #22): the database answers, its
schema is at the migrations' head, the folders for uploads and reports take a file, and the
scheduler has run its jobs lately. A load balancer sends no traffic to a machine that is not
ready; /healthz only says the process is up.

The scheduler writes its heartbeat (`beat`) at every run of its jobs; one row, ignored by the
data version, so it empties no cache."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from datetime import timedelta
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from fundtracker.core.storage import reports_root, uploads_root
from fundtracker.models import SchedulerHeartbeat, utcnow

log = logging.getLogger(__name__)

OK = "ok"


def beat(session: Session) -> None:
    """The scheduler ran its jobs now (flushed, not committed)."""
    row = session.get(SchedulerHeartbeat, 1) or SchedulerHeartbeat(id=1)
    row.beat_at = utcnow()
    row.host = socket.gethostname()[:255]
    row.pid = os.getpid()
    session.add(row)
    session.flush()


@lru_cache(maxsize=4)
def _heads(directory: str) -> frozenset[str]:
    return frozenset(ScriptDirectory(directory).get_heads())


def checks(app: Flask, session: Session) -> dict[str, str]:
    """{check: "ok" or why not}; the reasons name no secret (no URL, no path's contents)."""
    out: dict[str, str] = {}
    try:
        session.execute(text("SELECT 1"))
        out["database"] = OK
    except Exception as error:  # any driver error: not reachable
        log.warning("readyz: the database does not answer: %s", error)
        session.rollback()
        return {"database": "unreachable"}
    try:
        current = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
        wanted = _heads(app.extensions["migrate"].directory)
        out["migrations"] = OK if current == set(wanted) else "not at head"
    except Exception as error:
        log.warning("readyz: no migration version: %s", error)
        session.rollback()
        out["migrations"] = "unknown"
    unwritable = []
    for folder in (uploads_root(), reports_root()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
                pass
        except OSError as error:
            log.warning("readyz: %s is not writable: %s", folder, error)
            unwritable.append(folder.name)
    out["storage"] = OK if not unwritable else "not writable: " + ", ".join(unwritable)
    max_age = int(app.config.get("READY_SCHEDULER_MAX_AGE") or 0)
    if max_age > 0:
        try:
            row = session.get(SchedulerHeartbeat, 1)
        except Exception as error:  # a database not yet migrated to 0034
            log.warning("readyz: no scheduler heartbeat: %s", error)
            session.rollback()
            out["scheduler"] = "unknown"
            return out
        if row is None:
            out["scheduler"] = "never ran"
        elif utcnow() - row.beat_at > timedelta(seconds=max_age):
            out["scheduler"] = "late"
        else:
            out["scheduler"] = OK
    return out
