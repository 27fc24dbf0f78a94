"""Where the app keeps uploaded files: a folder outside the web root, one subfolder per first two
characters of the random key."""

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
