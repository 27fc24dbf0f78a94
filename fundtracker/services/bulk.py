"""Bulk actions: one item's service function applied to each item of a selection.

An officer ticks items in a list, sees what will happen, confirms; then each item goes through
the same service function as its single action (its permission check, its workflow guard, the
events and notifications it sends), in a savepoint of its own, so a refused item leaves nothing
half-written and the others are still done. The outcome says what was done and, for each item
that was not, why, in the user's language.

    ids = bulk.ids_from(request.form.getlist("ids"))     # distinct ids, in the order sent
    bulk.check_count(ids)                                # at most MAX_ITEMS (a DomainError)
    found = bulk.load(session, Tranche, ids, lambda t: can_view(user, t))
    result = bulk.run(session, ids, found, lambda t: payments.approve(session, user, t, day))

An id that does not exist and one the user may not see are the same "not found", and the item
is then None: nothing about it is told. The caller commits once after `run` (`web.attempt`).
The pages' pieces (the boxes, "select all", the confirmation, the outcome) are the macros of
templates/_macros/bulk.html; blueprints/finance/routes.py (`tranches_approve_selected`) is an
example of the two steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fundtracker.services.errors import DomainError
from fundtracker.services.plan import STALE

T = TypeVar("T")

# Items one action may take: the confirmation page lists each of them.
MAX_ITEMS = 200
# Rows per page of the lists items are chosen from.
PER_PAGE = 50

NOT_FOUND = _l("Not found.")
NOT_ALLOWED = _l("You may not do this.")
CHANGED = _l("Someone else changed it in the meantime: look at it again.")


class SelectionRefused(DomainError):
    """No item chosen, or more than one action takes: nothing is done."""


@dataclass(frozen=True)
class NotDone(Generic[T]):
    id: int
    item: T | None  # None: not found, or not the user's to see (nothing is said of it)
    reason: Any  # a (lazy) translated sentence


@dataclass
class BulkResult(Generic[T]):
    done: list[T] = field(default_factory=list)
    not_done: list[NotDone[T]] = field(default_factory=list)


@dataclass(frozen=True)
class Selection(Generic[T]):
    """What the confirmation page shows: the items found, in the order chosen, and the ids
    that will be reported as not found."""

    ids: list[int]
    items: list[T]
    missing: list[int]


def ids_from(values: Iterable[str]) -> list[int]:
    """The ids sent in a form, distinct, in the order sent; what is not a whole number that an
    INTEGER column could hold is dropped (it names nothing)."""
    ids: dict[int, None] = {}
    for value in values:
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if 0 < number < 2**31:
            ids[number] = None
    return list(ids)


def id_from(value: str | None) -> int | None:
    """One id, as `ids_from` reads it (a filter in the address), or None."""
    ids = ids_from([value or ""])
    return ids[0] if ids else None


def versions_from(form: Mapping[str, str], ids: list[int]) -> dict[int, int]:
    """The version of each item as the confirmation page showed it (hidden `version-<id>`, see
    the `confirm` macro's `versioned`): the service refuses an item changed since (`STALE`)."""
    versions = {}
    for item_id in ids:
        try:
            versions[item_id] = int(form.get(f"version-{item_id}", ""))
        except ValueError:
            continue
    return versions


def check_count(ids: list[int]) -> None:
    """Refuse a selection of more than MAX_ITEMS; an empty one too."""
    if not ids:
        raise SelectionRefused(_l("Choose at least one item first."))
    if len(ids) > MAX_ITEMS:
        raise SelectionRefused(
            _l(
                "At most %(max)d items can be handled at once, and %(count)d were chosen: "
                "choose fewer and try again. Nothing has been changed.",
                max=MAX_ITEMS,
                count=len(ids),
            )
        )


def load(
    session: Session,
    model: type[T],
    ids: list[int],
    visible: Callable[[T], bool],
    options: Sequence = (),
) -> dict[int, T]:
    """The objects among `ids` that exist and that `visible` lets the user see, by id: one
    SELECT (the permission rule is the per-object one, asked of each). `options`: loader
    options for what the rule and the pages read of each (joinedload ...). Called again after
    the commit, it reloads the items for the outcome page in one SELECT, not one per item."""
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(*options)  # type: ignore[attr-defined]
    return {obj.id: obj for obj in session.scalars(query).unique() if visible(obj)}  # type: ignore[attr-defined]


def selection(ids: list[int], found: Mapping[int, T]) -> Selection[T]:
    return Selection(
        ids=ids,
        items=[found[i] for i in ids if i in found],
        missing=[i for i in ids if i not in found],
    )


def reason_of(error: DomainError) -> Any:
    """What the user is told of an item a service refused: the service's own message (it is
    already in the user's language), shortened for an edit that lost a race."""
    return CHANGED if error.message is STALE else error.message


def run(
    session: Session,
    ids: list[int],
    found: Mapping[int, T],
    act: Callable[[T], object],
    *,
    may: Callable[[T], bool] | None = None,
    skip: Callable[[T], Any] | None = None,
) -> BulkResult[T]:
    """`act` on each item of `ids` in its own savepoint, in the order chosen.

    `found`: the items the user may see (`load`); any other id is "not found". `may`: the
    route's permission rule for the action on one item ("you may not"). `skip`: a kinder reason
    than the service's for an item that needs nothing done (e.g. "already approved"), or None.
    Whatever those let through is still checked by `act` (the service): a DomainError it
    raises rolls back that item's savepoint and becomes its reason."""
    result: BulkResult[T] = BulkResult()
    for item_id in ids:
        item = found.get(item_id)
        if item is None:
            result.not_done.append(NotDone(item_id, None, NOT_FOUND))
            continue
        if may is not None and not may(item):
            result.not_done.append(NotDone(item_id, item, NOT_ALLOWED))
            continue
        reason = skip(item) if skip is not None else None
        if reason is None:
            try:
                with session.begin_nested():
                    act(item)
            except StaleDataError:
                reason = CHANGED
            except DomainError as error:
                reason = reason_of(error)
        if reason is None:
            result.done.append(item)
        else:
            result.not_done.append(NotDone(item_id, item, reason))
    return result
