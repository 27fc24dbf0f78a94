"""Outcomes: the standard indicator library, project indicators, results per period with their
breakdowns, their verification, locking and corrections (the earlier value is kept), and impact
stories with photos stripped of their metadata.

    periods.py      reporting periods and their names
    standards.py    the standard indicator library
    indicators.py   a project's indicators and their breakdowns
    results.py      reporting and correcting results, alone or with a milestone update
    review.py       verifying, querying and locking results
    impact.py       impact stories and their photos

Callers use the names below through the package (`outcomes.report_result(...)`). A name with a
leading underscore is shared between these modules only.
"""

from fundtracker.services.outcomes.impact import (
    PHOTO_FORMATS,
    StoryData,
    add_story,
    stories,
    stories_of,
    strip_metadata,
)
from fundtracker.services.outcomes.indicators import (
    IndicatorData,
    add_indicator,
    categories,
    edit_indicator,
    project_indicators,
)
from fundtracker.services.outcomes.periods import (
    MONTHS_PER_PERIOD,
    period_label,
    period_of,
    periods_between,
    reporting_periods,
)
from fundtracker.services.outcomes.results import (
    ResultData,
    cells_snapshot,
    correct_result,
    drafts_in_update,
    drop_from_update,
    mismatches,
    report_result,
    result_for,
    results_by_update,
    results_in_update,
    save_in_update,
    submit_with_update,
    unexplained,
)
from fundtracker.services.outcomes.review import (
    lock,
    lock_period,
    lockable_period_ends,
    query,
    verify,
)
from fundtracker.services.outcomes.standards import (
    StandardData,
    create_standard,
    edit_standard,
    library,
)

__all__ = [
    "MONTHS_PER_PERIOD",
    "PHOTO_FORMATS",
    "IndicatorData",
    "ResultData",
    "StandardData",
    "StoryData",
    "add_indicator",
    "add_story",
    "categories",
    "cells_snapshot",
    "correct_result",
    "create_standard",
    "drafts_in_update",
    "drop_from_update",
    "edit_indicator",
    "edit_standard",
    "library",
    "lock",
    "lock_period",
    "lockable_period_ends",
    "mismatches",
    "period_label",
    "period_of",
    "periods_between",
    "project_indicators",
    "query",
    "report_result",
    "reporting_periods",
    "result_for",
    "results_by_update",
    "results_in_update",
    "save_in_update",
    "stories",
    "stories_of",
    "strip_metadata",
    "submit_with_update",
    "unexplained",
    "verify",
]
