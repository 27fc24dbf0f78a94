"""How a count of people is printed: one helper for pages, PDFs and exports.

Every hidden cell prints the same mark, whether it is small itself (primary) or hidden to protect
one that is (secondary): a mark that told them apart would tell the reader that a count is
between 1 and 4. A cell nobody reported on prints "—" (nothing reported), never as a small number.
"""

from __future__ import annotations

THRESHOLD = 5  # a count of 1 to 4 people is never published
HIDDEN = "…"
NOTHING = "—"


def fmt_count(value: int | None) -> str:
    """A count with thin spaces between thousands; "—" for None."""
    if value is None:
        return NOTHING
    return f"{value:,}".replace(",", "\u202f")


def unsafe(value: int) -> bool:
    """The primary rule: a count of 1 to 4 people."""
    return 0 < value < THRESHOLD


def show_cell(value: int, *, hidden: bool, reports: int = 1) -> str:
    """A published cell as printed: the mark when hidden, "—" when nothing was reported."""
    if hidden:
        return HIDDEN
    if reports == 0:
        return NOTHING
    return fmt_count(value)


def is_printed(display: str) -> bool:
    """Whether a display string carries a number (not hidden, not nothing reported)."""
    return display not in (HIDDEN, NOTHING)
