"""The shape of a workflow: transitions with their rule, label, event and guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fundtracker.models import (
    Project,
    User,
)
from fundtracker.services.errors import DomainError

Rule = Callable[[User, Any], bool]


class TransitionRefused(DomainError):
    """The thing is not in a state this action starts from, or a guard holds it back."""


@dataclass(frozen=True)
class Transition:
    action: str
    source: frozenset  # states it starts from; None stands for "not created yet"
    target: Any
    rule: Rule
    label: Any  # lazy string: what the button says
    event: str | None = None
    # What a user whose rule fails is told.
    forbidden: Any = None
    # Why the transition cannot be taken on a day, or None: checked after the state and the rule.
    guard: Callable[[Any, date], Any] | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    refusal: Any  # lazy string with %(old)s and %(new)s
    labels: Callable[[], dict]
    transitions: tuple[Transition, ...]
    # How the state is read and entered; most things have a `status` column.
    state: Callable[[Any], Any] = lambda obj: obj.status
    enter: Callable[[Any, Any, User | None], None] = field(
        default=lambda obj, target, actor: setattr(obj, "status", target)
    )
    project: Callable[[Any], Project | None] = lambda obj: None

    def transition(self, action: str) -> Transition:
        for transition in self.transitions:
            if transition.action == action:
                return transition
        raise KeyError(f"{self.name} has no action {action!r}")


def _t(action, source, target, rule, label, event=None, guard=None, forbidden=None) -> Transition:
    sources = source if isinstance(source, tuple | list | set | frozenset) else (source,)
    return Transition(
        action, frozenset(sources), target, rule, label, event, forbidden=forbidden, guard=guard
    )
