"""Where the app keeps uploaded files: a folder outside the web root, one subfolder per first two
characters of the random key; and where built report PDFs are kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app


@dataclass(frozen=True)
class Storage:
    root: Path
    max_bytes: int

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key


def file_storage() -> Storage:
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Storage(root=Path(root), max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


def reports_root() -> Path:
    """Where built report PDFs live: outside the web root (the instance folder by default)."""
    return Path(
        current_app.config.get("REPORTS_FOLDER") or Path(current_app.instance_path) / "reports"
    )
