"""Where the app keeps uploaded files, and what day it is in Kazakhstan."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from fundtracker.services.files import Storage


def file_storage() -> Storage:
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Storage(root=Path(root), max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


def today() -> date:
    """Today's date in Asia/Almaty: due dates and overdue flags follow the fund's calendar."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
