"""The demo's board of trustees' register (issue #21): awards from 50 million tenge need the
board; a meeting held a month ago accepted a completed project's report, approved an amendment
(not yet made: an officer can make it) and the year's plan; the next meeting, in two weeks, has
the demo application under review on its agenda. No tranche threshold: the demo's journeys
approve tranches of every size."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.demo.applications import DEMO_APPLICATIONS
from fundtracker.demo.organisations import DEMO_DOMAIN
from fundtracker.models import (
    AgendaItem,
    AgendaKind,
    Application,
    BoardDecision,
    BoardMeeting,
    DecisionOutcome,
    FundSettings,
    MeetingStatus,
    Project,
    ProjectStatus,
    User,
)
from fundtracker.services import events

AWARD_THRESHOLD = 50_000_000_00  # tiyn
ATTENDEES = "Ә. Сейітқали\nМ. Оразбаева\nД. Ким\nЕ. Жұмабаев\nН. Петрова"


def _decision(number: str, outcome: DecisionOutcome, kk: str, ru: str, en: str, amount=None):
    return BoardDecision(
        number=number, outcome=outcome, text_kk=kk, text_ru=ru, text_en=en, amount=amount
    )


def seed_board(session: Session, today: date) -> int:
    """Add the demo meetings when the register is empty; returns how many were created."""
    if session.scalar(select(BoardMeeting.id).limit(1)) is not None:
        return 0
    settings = session.get(FundSettings, 1)
    if settings is None:
        settings = FundSettings(id=1)
        session.add(settings)
    if settings.board_award_threshold is None:
        settings.board_award_threshold = AWARD_THRESHOLD
    officer = session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    projects = list(session.scalars(select(Project).order_by(Project.code)))
    completed = next((p for p in projects if p.status == ProjectStatus.COMPLETED), None)
    active = next((p for p in reversed(projects) if p.status == ProjectStatus.ACTIVE), None)
    year = today.year

    held = BoardMeeting(
        number=f"1/{year}",
        held_on=today - timedelta(days=30),
        location="Астана",
        status=MeetingStatus.HELD,
        members_total=7,
        members_present=5,
        attendees=ATTENDEES,
        created_by_id=officer.id if officer else None,
    )
    position = 0
    if completed is not None:
        position += 1
        item = AgendaItem(
            position=position,
            kind=AgendaKind.REPORT,
            project=completed,
            title=completed.code,
            notes="Қорытынды есеп / Итоговый отчёт",
        )
        item.decision = _decision(
            f"1/{year}/{position}",
            DecisionOutcome.APPROVED,
            "Жобаның қорытынды есебі қабылдансын.",
            "Принять итоговый отчёт проекта.",
            "The project's final report is accepted.",
        )
        held.items.append(item)
    if active is not None:
        position += 1
        new_end = active.end_date + timedelta(days=182)
        item = AgendaItem(
            position=position,
            kind=AgendaKind.AMENDMENT,
            project=active,
            title=active.code,
            end_date=new_end,
            notes="Жабдықты жеткізу кешіктірілді / Задержка поставки оборудования",
        )
        item.decision = _decision(
            f"1/{year}/{position}",
            DecisionOutcome.APPROVED,
            "Жобаның мерзімі алты айға ұзартылсын.",
            "Продлить срок проекта на шесть месяцев.",
            "The project is extended by six months.",
        )
        held.items.append(item)
    position += 1
    plan = AgendaItem(position=position, kind=AgendaKind.OTHER, title=f"Жылдық жоспар {year + 1}")
    plan.decision = _decision(
        f"1/{year}/{position}",
        DecisionOutcome.APPROVED,
        "Қордың келесі жылға арналған жоспары бекітілсін.",
        "Утвердить план фонда на следующий год.",
        "The fund's plan for next year is approved.",
    )
    held.items.append(plan)
    session.add(held)

    upcoming = BoardMeeting(
        number=f"2/{year}",
        held_on=today + timedelta(days=14),
        location="Астана",
        created_by_id=officer.id if officer else None,
    )
    under_review = session.scalar(
        select(Application).where(Application.title == DEMO_APPLICATIONS[1][1])
    )
    if under_review is not None:
        upcoming.items.append(
            AgendaItem(
                position=1,
                kind=AgendaKind.APPLICATION,
                application=under_review,
                title=f"{under_review.organisation.name} · {under_review.title}",
                amount=under_review.requested_amount,
            )
        )
    session.add(upcoming)
    session.flush()
    for item in held.items:
        if item.project is not None:
            events.record(
                session,
                item.project,
                officer,
                "board_decision",
                board_decision=item.decision.number,
                outcome=item.decision.outcome,
                amount=None,
            )
    return 2
