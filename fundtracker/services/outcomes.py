"""Outcomes: the standard indicator library, project indicators, results per period with their
breakdowns, their verification, locking and corrections (the earlier value is kept), and impact
stories with photos stripped of their metadata.

Results move draft → reported → (queried → reported) → verified; a verified result can be locked,
after which nobody changes it. `_move` knows the allowed steps.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    Direction,
    FileKind,
    Frequency,
    ImpactStory,
    IndicatorResult,
    IndicatorType,
    MilestoneUpdate,
    Project,
    ProjectIndicator,
    ResultCell,
    ResultRevision,
    ResultStatus,
    StandardIndicator,
    User,
    utcnow,
)
from fundtracker.services import files as file_service
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import check_version

# Periods ------------------------------------------------------------------------------------------

MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(frequency: Frequency, day: date) -> tuple[date, date]:
    """The calendar period (month, quarter, half-year, year) that contains `day`."""
    n = MONTHS_PER_PERIOD[frequency]
    start = date(day.year, (day.month - 1) // n * n + 1, 1)
    return start, _add_months(start, n) - timedelta(days=1)


def periods_between(frequency: Frequency, first: date, last: date) -> list[tuple[date, date]]:
    periods = []
    start, end = period_of(frequency, first)
    while start <= last:
        periods.append((start, end))
        start, end = period_of(frequency, end + timedelta(days=1))
    return periods


def reporting_periods(indicator: ProjectIndicator, today: date) -> list[tuple[date, date]]:
    """The periods a result may be reported for: from the project's start to the current one."""
    project = indicator.project
    return periods_between(indicator.frequency, project.start_date, min(today, project.end_date))


def period_label(frequency: Frequency, start: date) -> str:
    """A period's short name: 2025-03, 2025 Q1, 2025 H1, 2025."""
    if frequency == Frequency.MONTHLY:
        return f"{start:%Y-%m}"
    if frequency == Frequency.QUARTERLY:
        return _("%(year)s Q%(n)s", year=start.year, n=(start.month - 1) // 3 + 1)
    if frequency == Frequency.HALF_YEARLY:
        return _("%(year)s H%(n)s", year=start.year, n=(start.month - 1) // 6 + 1)
    return str(start.year)


# Standard indicator library ----------------------------------------------------------------------


@dataclass
class StandardData:
    code: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    definition_kk: str = ""
    definition_ru: str = ""
    definition_en: str = ""
    unit_kk: str = ""
    unit_ru: str = ""
    unit_en: str = ""
    type: IndicatorType = IndicatorType.COUNT
    area_id: int | None = None
    active: bool = True


def _apply_standard(session: Session, standard: StandardIndicator, data: StandardData) -> None:
    code = data.code.strip().upper()
    if not code:
        raise DomainError(_l("Give the indicator a code."), field="code")
    if not (data.name_kk.strip() or data.name_ru.strip() or data.name_en.strip()):
        raise DomainError(
            _l("Give the indicator a name in at least one language."), field="name_kk"
        )
    clash = session.scalar(
        select(StandardIndicator.id).where(
            StandardIndicator.code == code, StandardIndicator.id != standard.id
        )
    )
    if clash is not None:
        raise Conflict(_l("Another indicator has this code."), field="code")
    standard.code = code
    for name in (
        "name_kk",
        "name_ru",
        "name_en",
        "definition_kk",
        "definition_ru",
        "definition_en",
        "unit_kk",
        "unit_ru",
        "unit_en",
    ):
        setattr(standard, name, (getattr(data, name) or "").strip())
    standard.type = data.type
    standard.area_id = data.area_id
    standard.active = data.active


def create_standard(session: Session, actor: User, data: StandardData) -> StandardIndicator:
    if not permissions.can_manage_indicator_library(actor):
        raise NotAllowed(_l("Only fund staff keep the indicator library."))
    standard = StandardIndicator()
    _apply_standard(session, standard, data)
    session.add(standard)
    session.flush()
    return standard


def edit_standard(
    session: Session,
    actor: User,
    standard: StandardIndicator,
    data: StandardData,
    expected_version: int | None = None,
) -> StandardIndicator:
    if not permissions.can_manage_indicator_library(actor):
        raise NotAllowed(_l("Only fund staff keep the indicator library."))
    check_version(standard, expected_version)
    _apply_standard(session, standard, data)
    session.flush()
    return standard


def library(session: Session, *, active_only: bool = False) -> list[StandardIndicator]:
    query = (
        select(StandardIndicator)
        .options(selectinload(StandardIndicator.area))
        .order_by(StandardIndicator.code)
    )
    if active_only:
        query = query.where(StandardIndicator.active.is_(True))
    return list(session.scalars(query))


# Project indicators ------------------------------------------------------------------------------


@dataclass
class IndicatorData:
    standard_id: int | None = None
    name: str = ""
    unit: str = ""
    type: IndicatorType = IndicatorType.COUNT
    baseline: int = 0
    target: int = 0
    direction: Direction = Direction.HIGHER
    cumulative: bool = False
    frequency: Frequency = Frequency.QUARTERLY
    by_region: bool = False
    by_sex: bool = False
    by_age: bool = False


def _apply_indicator(session: Session, indicator: ProjectIndicator, data: IndicatorData) -> None:
    standard = session.get(StandardIndicator, data.standard_id) if data.standard_id else None
    if data.standard_id and standard is None:
        raise DomainError(_l("Choose an indicator from the library."), field="standard_id")
    if standard is None and not data.name.strip():
        raise DomainError(_l("Choose a standard indicator or give this one a name."), field="name")
    if data.baseline < 0 or data.target < 0:
        raise DomainError(_l("Baseline and target cannot be negative."), field="target")
    if data.type == IndicatorType.PERCENTAGE and max(data.baseline, data.target) > 100:
        raise DomainError(_l("A percentage is between 0 and 100."), field="target")
    if data.type == IndicatorType.YES_NO and max(data.baseline, data.target) > 1:
        raise DomainError(_l("A yes/no indicator has 0 (no) or 1 (yes)."), field="target")
    if indicator.results and data.frequency != indicator.frequency:
        raise DomainError(
            _l("Results have been reported: the reporting frequency can no longer change."),
            field="frequency",
        )
    indicator.standard = standard
    indicator.name = data.name.strip()
    indicator.unit = data.unit.strip()
    indicator.type = standard.type if standard is not None else data.type
    indicator.baseline = data.baseline
    indicator.target = data.target
    indicator.direction = data.direction
    indicator.cumulative = data.cumulative
    indicator.frequency = data.frequency
    counts = indicator.type == IndicatorType.COUNT
    indicator.by_region = data.by_region and counts
    indicator.by_sex = data.by_sex and counts
    indicator.by_age = data.by_age and counts


def add_indicator(
    session: Session, actor: User, project: Project, data: IndicatorData
) -> ProjectIndicator:
    if not permissions.can_plan_indicators(actor, project):
        raise NotAllowed(_l("Only fund staff set a project's indicators."))
    indicator = ProjectIndicator(project=project)
    _apply_indicator(session, indicator, data)
    session.add(indicator)
    session.flush()
    return indicator


def edit_indicator(
    session: Session,
    actor: User,
    indicator: ProjectIndicator,
    data: IndicatorData,
    expected_version: int | None = None,
) -> ProjectIndicator:
    if not permissions.can_plan_indicators(actor, indicator.project):
        raise NotAllowed(_l("Only fund staff set a project's indicators."))
    check_version(indicator, expected_version)
    _apply_indicator(session, indicator, data)
    session.flush()
    return indicator


def project_indicators(
    session: Session, project: Project, *, with_results: bool = False
) -> list[ProjectIndicator]:
    query = (
        select(ProjectIndicator)
        .where(ProjectIndicator.project_id == project.id)
        .order_by(ProjectIndicator.id)
        .options(selectinload(ProjectIndicator.standard))
    )
    if with_results:
        results = selectinload(ProjectIndicator.results)
        query = query.options(
            results.selectinload(IndicatorResult.cells),
            results.selectinload(IndicatorResult.revisions),
        )
    return list(session.scalars(query))


def categories(indicator: ProjectIndicator) -> dict[Dimension, list[str]]:
    """The cells of each breakdown the indicator is reported by."""
    result: dict[Dimension, list[str]] = {}
    for dimension in indicator.dimensions:
        if dimension == Dimension.REGION:
            result[dimension] = [r.code for r in indicator.project.regions]
        elif dimension == Dimension.SEX:
            result[dimension] = list(SEXES)
        else:
            result[dimension] = list(AGE_GROUPS)
    return result


# Results -----------------------------------------------------------------------------------------


@dataclass
class ResultData:
    period_start: date
    value: int | None
    # dimension -> category -> count; a category left out was not reported
    cells: dict[Dimension, dict[str, int]] = field(default_factory=dict)
    explanation: str = ""


TRANSITIONS: dict[ResultStatus, set[ResultStatus]] = {
    ResultStatus.DRAFT: {ResultStatus.REPORTED},
    ResultStatus.REPORTED: {ResultStatus.VERIFIED, ResultStatus.QUERIED},
    ResultStatus.QUERIED: {ResultStatus.REPORTED, ResultStatus.VERIFIED},
    ResultStatus.VERIFIED: set(),  # staff may still correct it (history kept) until locked
}


def _move(result: IndicatorResult, to: ResultStatus) -> None:
    if result.locked:
        raise DomainError(_l("This period is locked: its results can no longer change."))
    if to not in TRANSITIONS[result.status]:
        raise DomainError(_l("This result cannot change its status that way."))
    result.status = to


def mismatches(indicator: ProjectIndicator, data: ResultData) -> list[Dimension]:
    """The breakdowns that were filled in and do not add up to the value."""
    wrong = []
    for dimension in indicator.dimensions:
        cells = data.cells.get(dimension) or {}
        if cells and data.value is not None and sum(cells.values()) != data.value:
            wrong.append(dimension)
    return wrong


def _check(indicator: ProjectIndicator, data: ResultData, today: date) -> tuple[date, date]:
    if data.value is None:
        raise DomainError(_l("Enter the value for the period."), field="value")
    if data.value < 0:
        raise DomainError(_l("A value cannot be negative."), field="value")
    if indicator.type == IndicatorType.PERCENTAGE and data.value > 100:
        raise DomainError(_l("A percentage is between 0 and 100."), field="value")
    if indicator.type == IndicatorType.YES_NO and data.value > 1:
        raise DomainError(_l("A yes/no indicator has 0 (no) or 1 (yes)."), field="value")
    periods = dict(reporting_periods(indicator, today))
    if data.period_start not in periods:
        raise DomainError(_l("Choose one of the indicator's reporting periods."), field="period")
    allowed = categories(indicator)
    for dimension, cells in data.cells.items():
        if dimension not in allowed or any(k not in allowed[dimension] for k in cells):
            raise DomainError(_l("This breakdown is not reported for this indicator."))
        if any(v < 0 for v in cells.values()):
            raise DomainError(_l("A value cannot be negative."), field="value")
    if mismatches(indicator, data) and not data.explanation.strip():
        raise DomainError(
            _l("The breakdowns do not add up to the total: correct them or explain why."),
            field="explanation",
        )
    return data.period_start, periods[data.period_start]


def _set_values(result: IndicatorResult, data: ResultData) -> None:
    result.value = data.value
    result.explanation = data.explanation.strip()
    wanted = {(d, k): v for d, cells in data.cells.items() for k, v in cells.items()}
    for cell in list(result.cells):
        key = (cell.dimension, cell.category)
        if key in wanted:
            cell.value = wanted.pop(key)
        else:
            result.cells.remove(cell)
    for (dimension, category), value in wanted.items():
        result.cells.append(ResultCell(dimension=dimension, category=category, value=value))


def cells_snapshot(result: IndicatorResult) -> dict[str, dict[str, int]]:
    snapshot: dict[str, dict[str, int]] = {}
    for cell in result.cells:
        snapshot.setdefault(cell.dimension.value, {})[cell.category] = cell.value
    return snapshot


def result_for(
    session: Session, indicator: ProjectIndicator, period_start: date
) -> IndicatorResult | None:
    return session.scalar(
        select(IndicatorResult).where(
            IndicatorResult.indicator_id == indicator.id,
            IndicatorResult.period_start == period_start,
        )
    )


def report_result(
    session: Session, actor: User, indicator: ProjectIndicator, data: ResultData, today: date
) -> IndicatorResult:
    """A grantee reports a result on its own (outside a milestone update)."""
    if not permissions.can_report_on(actor, indicator.project):
        raise NotAllowed(_l("You cannot report on this project."))
    start, end = _check(indicator, data, today)
    if result_for(session, indicator, start) is not None:
        raise Conflict(
            _l("A result for this period exists already: correct it instead."), field="period"
        )
    result = IndicatorResult(
        indicator=indicator,
        period_start=start,
        period_end=end,
        status=ResultStatus.REPORTED,
        reported_by_id=actor.id,
        reported_at=utcnow(),
    )
    _set_values(result, data)
    session.add(result)
    session.flush()
    return result


def save_in_update(
    session: Session,
    actor: User,
    indicator: ProjectIndicator,
    data: ResultData,
    update: MilestoneUpdate,
    today: date,
) -> IndicatorResult:
    """A result typed in a milestone update's draft: kept as a draft of that update; submitted
    with it. A mismatched breakdown is kept in the draft and stops only the submission."""
    if not permissions.can_report_on(actor, indicator.project):
        raise NotAllowed(_l("You cannot report on this project."))
    if data.value is None:
        raise DomainError(_l("Enter the value for the period."), field="value")
    existing = result_for(session, indicator, data.period_start)
    if existing is not None and (
        existing.status != ResultStatus.DRAFT or existing.milestone_update_id != update.id
    ):
        raise Conflict(
            _l("A result for this period exists already: correct it on the indicator's page."),
            field="period",
        )
    explained = ResultData(data.period_start, data.value, data.cells, data.explanation or "-")
    start, end = _check(indicator, explained, today)
    result = existing or IndicatorResult(
        indicator=indicator,
        period_start=start,
        period_end=end,
        status=ResultStatus.DRAFT,
        milestone_update_id=update.id,
    )
    result.reported_by_id = actor.id
    _set_values(result, data)
    if existing is None:
        session.add(result)
    session.flush()
    return result


def drop_from_update(session: Session, update: MilestoneUpdate, indicator_id: int) -> None:
    """The grantee emptied an indicator's value in the draft: its draft result goes."""
    for result in drafts_in_update(session, update):
        if result.indicator_id == indicator_id:
            session.delete(result)
    session.flush()


def drafts_in_update(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    return list(
        session.scalars(
            select(IndicatorResult)
            .where(
                IndicatorResult.milestone_update_id == update.id,
                IndicatorResult.status == ResultStatus.DRAFT,
            )
            .order_by(IndicatorResult.indicator_id)
        )
    )


def results_in_update(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    return list(
        session.scalars(
            select(IndicatorResult)
            .where(IndicatorResult.milestone_update_id == update.id)
            .order_by(IndicatorResult.indicator_id)
        )
    )


def results_by_update(session: Session, update_ids: list[int]) -> dict[int, list[IndicatorResult]]:
    """The results reported in each of these updates, in one query."""
    grouped: dict[int, list[IndicatorResult]] = {i: [] for i in update_ids}
    if update_ids:
        query = (
            select(IndicatorResult)
            .where(IndicatorResult.milestone_update_id.in_(update_ids))
            .order_by(IndicatorResult.indicator_id)
        )
        for result in session.scalars(query):
            grouped[result.milestone_update_id].append(result)
    return grouped


def unexplained(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    """Draft results of the update whose breakdowns do not add up and say nothing of why."""
    wrong = []
    for result in drafts_in_update(session, update):
        data = ResultData(result.period_start, result.value, _cells_of(result))
        if mismatches(result.indicator, data) and not result.explanation:
            wrong.append(result)
    return wrong


def _cells_of(result: IndicatorResult) -> dict[Dimension, dict[str, int]]:
    cells: dict[Dimension, dict[str, int]] = {}
    for cell in result.cells:
        cells.setdefault(cell.dimension, {})[cell.category] = cell.value
    return cells


def submit_with_update(session: Session, actor: User, update: MilestoneUpdate) -> int:
    """The update was submitted: its draft results are reported to the fund."""
    count = 0
    for result in drafts_in_update(session, update):
        _move(result, ResultStatus.REPORTED)
        result.reported_by_id = actor.id
        result.reported_at = utcnow()
        count += 1
    session.flush()
    return count


def correct_result(
    session: Session,
    actor: User,
    result: IndicatorResult,
    data: ResultData,
    reason: str,
    today: date,
    expected_version: int | None = None,
) -> IndicatorResult:
    """Change a reported result; the earlier value and breakdowns are kept in its history. A
    grantee's correction goes back to the fund for verification."""
    if not permissions.can_correct_result(actor, result):
        raise NotAllowed(_l("This result can no longer be corrected."))
    check_version(result, expected_version)
    reason = reason.strip()
    if not reason:
        raise DomainError(_l("Say why the result is corrected."), field="reason")
    data.period_start = result.period_start
    _check(result.indicator, data, today)
    session.add(
        ResultRevision(
            result=result,
            value=result.value,
            cells=cells_snapshot(result),
            status=result.status,
            reason=reason,
            changed_by_id=actor.id,
        )
    )
    _set_values(result, data)
    if not permissions.is_staff(actor) and result.status != ResultStatus.REPORTED:
        _move(result, ResultStatus.REPORTED)
    result.reported_at = utcnow() if not permissions.is_staff(actor) else result.reported_at
    session.flush()
    return result


def _staff_check(actor: User, result: IndicatorResult) -> None:
    if not permissions.can_verify_results(actor, result.indicator.project):
        raise NotAllowed(_l("Only fund staff verify results."))


def verify(
    session: Session, actor: User, result: IndicatorResult, expected_version: int | None = None
) -> IndicatorResult:
    _staff_check(actor, result)
    check_version(result, expected_version)
    _move(result, ResultStatus.VERIFIED)
    result.reviewed_by_id = actor.id
    result.reviewed_at = utcnow()
    result.query_comment = ""
    session.flush()
    return result


def query(
    session: Session,
    actor: User,
    result: IndicatorResult,
    comment: str,
    expected_version: int | None = None,
) -> IndicatorResult:
    _staff_check(actor, result)
    check_version(result, expected_version)
    comment = comment.strip()
    if not comment:
        raise DomainError(_l("Say what should be checked."), field="comment")
    _move(result, ResultStatus.QUERIED)
    result.reviewed_by_id = actor.id
    result.reviewed_at = utcnow()
    result.query_comment = comment
    session.flush()
    return result


def lock(
    session: Session, actor: User, result: IndicatorResult, expected_version: int | None = None
) -> IndicatorResult:
    """Lock a verified period: no correction after this."""
    _staff_check(actor, result)
    check_version(result, expected_version)
    if result.locked:
        raise DomainError(_l("This period is locked already."))
    if result.status != ResultStatus.VERIFIED:
        raise DomainError(_l("Only a verified result can be locked."))
    result.locked = True
    session.flush()
    return result


def lock_period(session: Session, actor: User, project: Project, until: date) -> int:
    """Lock every result of the project whose period ends by `until`, once all of them are
    verified; returns how many were locked."""
    if not permissions.can_verify_results(actor, project):
        raise NotAllowed(_l("Only fund staff verify results."))
    results = list(
        session.scalars(
            select(IndicatorResult)
            .join(IndicatorResult.indicator)
            .where(
                ProjectIndicator.project_id == project.id,
                IndicatorResult.period_end <= until,
                IndicatorResult.locked.is_(False),
            )
        )
    )
    waiting = [r for r in results if r.status != ResultStatus.VERIFIED]
    if waiting:
        raise DomainError(
            _l(
                "%(count)d results of these periods are not verified yet: verify them first.",
                count=len(waiting),
            )
        )
    for result in results:
        result.locked = True
    session.flush()
    return len(results)


def lockable_period_ends(project_indicators: list[ProjectIndicator]) -> list[date]:
    """The ends of the periods that have an unlocked result, latest first."""
    ends = {r.period_end for i in project_indicators for r in i.results if not r.locked}
    return sorted(ends, reverse=True)


# Impact stories ----------------------------------------------------------------------------------

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def strip_metadata(stream: BinaryIO, filename: str) -> io.BytesIO:
    """Re-encode a JPEG or PNG photo with its pixels only: no EXIF (camera, GPS location, time),
    no XMP, no comments. The orientation the camera recorded is applied first."""
    try:
        with Image.open(stream) as image:
            fmt = image.format
            if fmt not in PHOTO_FORMATS:
                raise file_service.UploadRejected(
                    _l("%(name)s is not a JPEG or PNG photo.", name=filename)
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise file_service.UploadRejected(
            _l("%(name)s is not a JPEG or PNG photo.", name=filename)
        ) from None
    out = io.BytesIO()
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    out.seek(0)
    return out


@dataclass
class StoryData:
    title: str
    body: str
    consent: bool = False


def add_story(
    session: Session,
    storage: file_service.Storage,
    actor: User,
    project: Project,
    data: StoryData,
    photo: BinaryIO | None = None,
    photo_name: str = "",
) -> ImpactStory:
    """A story, with an optional photo stored without its metadata. Raises UploadRejected for a
    file that is not a photo."""
    if not permissions.can_add_story(actor, project):
        raise NotAllowed(_l("You cannot add a story to this project."))
    title, body = data.title.strip(), data.body.strip()
    if not title:
        raise DomainError(_l("Give the story a title."), field="title")
    if not body:
        raise DomainError(_l("Write the story."), field="body")
    story = ImpactStory(
        project=project, title=title, body=body, consent=data.consent, author_id=actor.id
    )
    if photo is not None:
        clean = strip_metadata(photo, photo_name)
        story.photo = file_service.store(
            session, storage, actor, project, clean, photo_name, FileKind.DOCUMENT
        )
    session.add(story)
    session.flush()
    return story


def stories(session: Session, project: Project, *, for_report: bool = False) -> list[ImpactStory]:
    """A project's stories; in reports (PDFs, board views, exports) only those with consent."""
    return stories_of(session, [project.id], for_report=for_report)


def stories_of(
    session: Session, project_ids: list[int], *, for_report: bool = False
) -> list[ImpactStory]:
    """The stories of several projects at once (newest first), with the same consent rule."""
    query = (
        select(ImpactStory)
        .where(ImpactStory.project_id.in_(project_ids))
        .options(selectinload(ImpactStory.photo))
    )
    if for_report:
        query = query.where(ImpactStory.consent.is_(True))
    return list(session.scalars(query.order_by(ImpactStory.id.desc())))
