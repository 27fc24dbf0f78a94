"""People reached, as a report may print them: the total, each project's figure and each group's
(programme area, region), suppressed together so that no hidden figure can be worked out."""

from __future__ import annotations

from collections.abc import Mapping

from fundtracker import privacy
from fundtracker.pdf.params import HIDDEN


def _hide_recoverable(displays: dict, values: Mapping, total: int) -> bool:
    """`displays` are members of a group whose figure `total` is printed: hide more of them
    ("…"), smallest first, until none of the hidden ones follows from the total. True when
    anything changed."""
    changed = False
    while True:
        shown_sum = sum(values[k] for k, d in displays.items() if d not in HIDDEN)
        if not privacy.pinned(displays, total - shown_sum):
            return changed
        still_shown = [k for k, d in displays.items() if d not in HIDDEN]
        if not still_shown:
            return changed
        displays[min(still_shown, key=lambda k: (values[k], k))] = privacy.HIDDEN
        changed = True


def reached_displays(
    reached: Mapping[int, int], groups: Mapping[str, Mapping[object, list[int]]]
) -> tuple[str, dict[int, str], dict[str, dict]]:
    """People reached, as they may be printed: the total, each project's figure and each
    group's (`groups`: e.g. "area" -> area id -> its projects' ids; a project may be in several
    groups of one kind, as in regions).

    Each kind of group is suppressed as the cells of one table (privacy.suppress). Projects are
    cells of the total and of every group they belong to: a project's figure is hidden when it
    could be worked out from a printed group figure and the other printed projects, and a group
    hidden by suppression keeps at least one of its projects hidden, so that its projects do not
    add up to it."""
    total = sum(reached.values())
    total_display = privacy.show_total(total)
    group_displays: dict[str, dict] = {}
    for kind, members in groups.items():
        cells = {key: sum(reached[p] for p in ids) for key, ids in members.items()}
        group_displays[kind] = privacy.suppress(cells, sum(cells.values())).cells
    projects = privacy.suppress(dict(reached), total).cells
    constraints = [(list(reached), total, total_display)]
    for kind, members in groups.items():
        for key, ids in members.items():
            value = sum(reached[p] for p in ids)
            constraints.append((ids, value, group_displays[kind][key]))
    changed = True
    while changed:
        changed = False
        for ids, value, display in constraints:
            part = {p: projects[p] for p in ids}
            if display in HIDDEN:
                if part and all(d not in HIDDEN for d in part.values()):
                    smallest = min(ids, key=lambda p: (reached[p], p))
                    part[smallest] = privacy.HIDDEN
                    changed = True
            elif _hide_recoverable(part, reached, value):
                changed = True
            projects.update(part)
    return total_display, projects, group_displays
