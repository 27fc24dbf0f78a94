"""Turning project events into lines a person reads, in their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fundtracker.core.i18n import format_d, format_money
from fundtracker.models import BudgetCategory, ProjectEvent, ProjectStatus
from fundtracker.models.labels import budget_category_labels, event_labels, status_labels
from fundtracker.services.imports.core import ordered_sheets

FIELD_LABELS = {
    "end_date": _l("End date"),
    "start_date": _l("Start date"),
    "agreement_signed_on": _l("Agreement signed on"),
    "awarded_amount": _l("Awarded"),
    "amount": _l("Amount"),
    "due_date": _l("Due date"),
    "planned_date": _l("Planned payment date"),
    "paid_on": _l("Paid on"),
    "reference": _l("Payment reference"),
    "board_decision": _l("Board decision"),
    "milestone": _l("Milestone"),
    "status": _l("Status"),
    "category": _l("Category"),
    "name": _l("File"),
    "progress": _l("Progress, %"),
    "regions": _l("Regions"),
    "code": _l("Code"),
    "officer": _l("Responsible officer"),
    "overdue": _l("Overdue milestones"),
    "underspending": _l("Underspending"),
}
MONEY = {"awarded_amount", "amount"}
DATES = {"end_date", "start_date", "due_date", "planned_date", "paid_on", "agreement_signed_on"}


def _value(key: str, value) -> str:
    if value is None:
        return "—"
    if key in MONEY and isinstance(value, int):
        return format_money(value)
    if key in DATES and isinstance(value, str):
        try:
            return format_d(date.fromisoformat(value))
        except ValueError:
            return value
    if key == "status" and value in ProjectStatus._value2member_map_:
        return str(status_labels()[ProjectStatus(value)])
    if key == "category" and value in BudgetCategory._value2member_map_:
        return str(budget_category_labels()[BudgetCategory(value)])
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class TimelineEntry:
    event: ProjectEvent
    title: str
    details: list[str]
    comment: str = ""


# Officers' reasons for these stay internal; grantees see what changed.
INTERNAL_COMMENTS = ("status_changed",)
# What is written when a result is queried or corrected discusses its raw figures: not for a
# protected reader (the board), who sees counts of people only as published.
FIGURE_COMMENTS = ("result_queried", "result_corrected")


def _imported(data: dict) -> list[str]:
    """What an import did to the project, a line per sheet: "Milestones: 2 new, 1 changed"."""
    counts: dict[str, dict[str, int]] = {}
    for key, number in (data.get("changes") or {}).items():
        sheet, _sep, action = key.partition(".")
        counts.setdefault(sheet, {})[action] = number
    labels = {sheet.key: str(sheet.label) for sheet in ordered_sheets()}
    return [
        _(
            "%(sheet)s: %(new)d new, %(changed)d changed",
            sheet=labels.get(sheet, sheet),
            new=c.get("create", 0),
            changed=c.get("update", 0),
        )
        for sheet, c in counts.items()
    ]


def describe(
    event: ProjectEvent,
    region_names: dict[str, str],
    for_staff: bool = True,
    raw_figures: bool = True,
) -> TimelineEntry:
    details = []
    for key, value in (event.data or {}).items():
        label = FIELD_LABELS.get(key)
        if label is None:
            continue  # a plain edit of text fields: the title says what happened
        if key == "regions":
            value = [[region_names.get(code, code) for code in side] for side in value]
        if (
            isinstance(value, list)
            and len(value) == 2
            and key != "regions"
            or (key == "regions" and value and isinstance(value[0], list))
        ):
            details.append(f"{label}: {_value(key, value[0])} → {_value(key, value[1])}")
        else:
            details.append(f"{label}: {_value(key, value)}")
    if event.kind == "imported":
        details = _imported(event.data or {})
    title = event_labels().get(event.kind, event.kind)
    hidden = (not for_staff and event.kind in INTERNAL_COMMENTS) or (
        not raw_figures and event.kind in FIGURE_COMMENTS
    )
    comment = "" if hidden else event.comment
    return TimelineEntry(event=event, title=str(title), details=details, comment=comment)
