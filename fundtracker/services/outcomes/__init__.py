"""Outcomes: the standard indicator library, project indicators, results per period with their
breakdowns, their verification, locking and corrections (the earlier value is kept), and impact
stories with photos stripped of their metadata.

    periods.py      reporting periods and their names
    standards.py    the standard indicator library
    indicators.py   a project's indicators and their breakdowns
    results.py      reporting and correcting results
    updates.py      results in milestone updates, carried from a submission to its revision
    review.py       verifying, querying and locking results; the results waiting for it
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
    data_of,
    mismatches,
    report_result,
    result_for,
)
from fundtracker.services.outcomes.review import (
    AwaitingFilter,
    awaiting_choices,
    awaiting_verification,
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
from fundtracker.services.outcomes.updates import (
    Answer,
    answer_in_update,
    carried_by_update,
    drafts_in_update,
    results_in_update,
    save_in_update,
    submit_with_update,
    unexplained,
    update_answers,
)

__all__ = [
    "Answer",
    "AwaitingFilter",
    "MONTHS_PER_PERIOD",
    "PHOTO_FORMATS",
    "IndicatorData",
    "ResultData",
    "StandardData",
    "StoryData",
    "add_indicator",
    "add_story",
    "answer_in_update",
    "awaiting_choices",
    "awaiting_verification",
    "carried_by_update",
    "categories",
    "cells_snapshot",
    "correct_result",
    "create_standard",
    "data_of",
    "drafts_in_update",
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
    "results_in_update",
    "save_in_update",
    "stories",
    "stories_of",
    "strip_metadata",
    "submit_with_update",
    "unexplained",
    "update_answers",
    "verify",
]
