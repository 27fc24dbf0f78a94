"""What the groups of "My tasks" share: the rows they give, the question each group asks, the
project columns most of them show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, case, select

from fundtracker import permissions
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Call,
    Organisation,
    Project,
    ProjectStatus,
    User,
    localized,
)
from fundtracker.permissions import scopes

ROW_LIMIT = 50  # rows shown per group; the rest is counted
DUE_SOON_DAYS = 30
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)  # a grantee reports on these
S = ApplicationStatus


@dataclass(frozen=True)
class TaskRow:
    """One thing to do, as the page shows it, and where it is done."""

    title: str  # the object's name (a lazy translation when it has none to show)
    context: str  # its project's or call's title, or an organisation's contact person
    endpoint: str  # the page where it is done, with `args` and `anchor`
    args: dict[str, int]
    anchor: str | None = None
    code: str = ""  # the project's code, or an organisation's BIN
    organisation: str = ""
    day: date | None = None  # the date that matters, or
    moment: datetime | None = None  # the time that matters
    amount: int | None = None  # a tranche's, in tiyn
    period: tuple[date, date] | None = None  # a result's
    own: bool = False  # a project the officer is responsible for
    overdue: bool = False


@dataclass
class TaskGroup:
    key: str  # see `group_labels`
    count: int
    rows: list[TaskRow]

    @property
    def more(self) -> int:
        """How many are counted but not shown."""
        return self.count - len(self.rows)


@dataclass
class MyTasks:
    groups: list[TaskGroup] = field(default_factory=list)  # the groups with something in them

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


@dataclass(frozen=True)
class _Ask:
    user: User
    today: date
    now: datetime
    locale: str


@dataclass(frozen=True)
class _Group:
    key: str
    query: Callable[[_Ask], Select]  # the group's rows, in the order shown
    row: Callable[[Row, _Ask], TaskRow]


_PROJECT_COLUMNS = (
    Project.code,
    Project.title_kk,
    Project.title_ru,
    Project.title_en,
    Organisation.name.label("organisation"),
)


def _own_first(ask: _Ask):
    """0 for the officer's own projects, 1 for the others (never NULL, so it sorts alike in
    SQLite and PostgreSQL)."""
    return case((Project.officer_id == ask.user.id, 0), else_=1).label("own_rank")


def _project_parts(r: Row, ask: _Ask) -> dict:
    """The project's code and title; for the fund's staff, its organisation and whether the
    project is theirs (a grantee knows its own organisation)."""
    parts = {"code": r.code, "context": localized(r, "title", ask.locale)}
    if permissions.is_staff(ask.user):
        parts.update(organisation=r.organisation, own=r.own_rank == 0)
    return parts


def _indicator_name(r: Row, ask: _Ask) -> str:
    """As ProjectIndicator.title: the standard indicator's name, else its own."""
    if r.standard_id is not None:
        return localized(r, "standard_name", ask.locale)
    return r.indicator_name


_APPLICATION_COLUMNS = (
    Application.id,
    Application.title,
    Application.submitted_at,
    Call.title_kk,
    Call.title_ru,
    Call.title_en,
    Call.closes_at,
    Organisation.name.label("organisation"),
)


def _applications(ask: _Ask, *where) -> Select:
    return (
        select(*_APPLICATION_COLUMNS)
        .join(Application.call)
        .join(Application.organisation)
        .where(*where, *scopes.applications(ask.user))
    )


def _application_title(title: str, number: int) -> str:
    return title or _l("Application no. %(id)d", id=number)
