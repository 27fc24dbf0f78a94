"""Disclosure control of outcome figures: the one place that decides what of a count of people
may be shown, to whom, and how it is printed.

    audience.py   who sees raw, live figures (staff; a grantee its own) and who is protected
    display.py    how a figure is printed: one helper for pages, PDFs and exports
    grid.py       the fixed periods figures are published for (quarters, half-years, years)
    linked.py     a linked set of tables: cells as sums of atoms, and their relations
    protect.py    primary and secondary suppression of a linked set, with the audit's repair
    audit.py      the intruder's linear program (HiGHS) that bounds every hidden cell

Building the fund's tables from the database, publishing them and reading them back is
services/publications.
"""

from fundtracker.disclosure.audience import protected, sees_raw
from fundtracker.disclosure.display import (
    HIDDEN,
    NOTHING,
    THRESHOLD,
    fmt_count,
    is_printed,
    show_cell,
    unsafe,
)
from fundtracker.disclosure.grid import Period, parse

__all__ = [
    "HIDDEN",
    "NOTHING",
    "THRESHOLD",
    "Period",
    "fmt_count",
    "is_printed",
    "parse",
    "protected",
    "sees_raw",
    "show_cell",
    "unsafe",
]
