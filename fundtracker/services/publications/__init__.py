"""Published outcome figures: building a calendar year's tables as one linked set (cells.py),
publishing a period (publish.py) and reading what was published (read.py). Every protected
output reads through read.py; nothing recomputes a published figure."""

from fundtracker.services.publications.cells import REACHED, SEVERAL, UNKNOWN
from fundtracker.services.publications.publish import (
    is_published,
    pending,
    problems,
    publish,
    published_periods,
)
from fundtracker.services.publications.read import (
    NOTHING_REPORTED,
    Figure,
    Published,
    figure_of,
    find,
    load,
    project_figures,
    publications,
)

__all__ = [
    "NOTHING_REPORTED",
    "REACHED",
    "SEVERAL",
    "UNKNOWN",
    "Figure",
    "Published",
    "figure_of",
    "find",
    "is_published",
    "load",
    "pending",
    "problems",
    "project_figures",
    "publications",
    "publish",
    "published_periods",
]
