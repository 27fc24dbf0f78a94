"""Where the app keeps uploaded files."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from fundtracker.services.files import Storage


def file_storage() -> Storage:
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Storage(root=Path(root), max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
