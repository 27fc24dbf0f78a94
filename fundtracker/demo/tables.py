"""Reads the demo's literal tables: the TOML files in `data/` beside this module (organisations,
accounts, projects, plans, indicators, calls, and the texts in Kazakh, Russian and English).

The files ship inside the package. They are read when the seeder first needs them, not at import
(but for the small calls.toml): the CLI imports the demo package every time the application
starts.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The contents of `data/<name>.toml`, parsed once. Shared between callers: do not change."""
    text = (files("fundtracker.demo") / "data" / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
