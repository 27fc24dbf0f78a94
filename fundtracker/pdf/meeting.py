"""The pack of a board meeting (issue #21): one PDF with the agenda and, per item, what the
trustees need to decide it: an application's summary, budget, its rank in its call and the
reviews (reviewers named by number, as the board reads them); an amendment's current and
proposed terms; a tranche and the milestone it rests on; a project's key figures for a report.
Once the meeting was held, each item also carries its decision (the pack is then the minutes'
extract). Printed as the board report is: tagged PDF/A-2a + PDF/UA-1, DejaVu, the same print
stylesheet (fundtracker.pdf.render)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from fundtracker.models import AgendaItem, AgendaKind, BoardMeeting, ConflictDeclaration
from fundtracker.models.labels import (
    agenda_kind_labels,
    decision_outcome_labels,
    milestone_status_labels,
    status_labels,
    tranche_status_labels,
)
from fundtracker.pdf.render import ASSET_ORIGIN, Rendered, html_to_pdf
from fundtracker.services import reviews
from fundtracker.services.plan import paid_total


def _reviews(application, locale: str) -> list[dict]:
    done = [
        a
        for a in application.assignments
        if a.submitted_at is not None and a.conflict != ConflictDeclaration.CONFLICT
    ]
    criteria = {c.id: c.label(locale) for c in application.call.criteria}
    return [
        {
            "number": number,
            "score": assignment.weighted_score(),
            "comments": [
                (criteria.get(s.criterion_id, ""), s.score, s.comment)
                for s in sorted(assignment.scores, key=lambda s: s.criterion_id)
            ],
        }
        for number, assignment in enumerate(done, start=1)
    ]


def _application(session: Session, item: AgendaItem, locale: str) -> dict:
    application = item.application
    ranking = reviews.ranking(session, application.call)
    row = next((r for r in ranking.rows if r.application.id == application.id), None)
    return {
        "number": application.id,
        "title": application.title,
        "organisation": application.organisation.name,
        "call": application.call.title(locale),
        "summary": application.summary,
        "start": application.start_date,
        "end": application.end_date,
        "requested": application.requested_amount,
        "budget": [(line.description, line.amount) for line in application.budget_lines],
        "milestones": [(m.title, m.due_date, m.tranche_amount) for m in application.milestones],
        "rank": row.rank if row else None,
        "ranked": ranking.count,
        "average": row.average if row else None,
        "reviews": _reviews(application, locale),
    }


def _project(item: AgendaItem, locale: str) -> dict:
    project = item.project
    milestones = project.milestones
    return {
        "code": project.code,
        "title": project.title(locale),
        "organisation": project.organisation.name,
        "status": status_labels()[project.status],
        "start": project.start_date,
        "end": project.end_date,
        "awarded": project.awarded_amount,
        "paid": paid_total(project),
        "milestones_accepted": sum(1 for m in milestones if m.is_accepted),
        "milestones": len(milestones),
    }


def _tranche(item: AgendaItem) -> dict:
    tranche = item.tranche
    milestone = tranche.milestone
    return {
        "planned": tranche.planned_date,
        "amount": tranche.amount,
        "status": tranche_status_labels()[tranche.status],
        "milestone": milestone.title if milestone else "",
        "milestone_status": milestone_status_labels()[milestone.status] if milestone else "",
    }


def _item(session: Session, item: AgendaItem, locale: str) -> dict:
    data = {
        "position": item.position,
        "anchor": f"item-{item.position}",
        "kind": str(agenda_kind_labels()[item.kind]),
        "title": item.title,
        "notes": item.notes,
        "amount": item.amount,
        "end_date": item.end_date,
        "application": None,
        "project": None,
        "tranche": None,
        "decision": None,
    }
    if item.kind == AgendaKind.APPLICATION and item.application is not None:
        data["application"] = _application(session, item, locale)
    if item.project is not None:
        data["project"] = _project(item, locale)
    if item.kind == AgendaKind.TRANCHE and item.tranche is not None:
        data["tranche"] = _tranche(item)
    if item.decision is not None:
        decision = item.decision
        data["decision"] = {
            "number": decision.number,
            "outcome": str(decision_outcome_labels()[decision.outcome]),
            "amount": decision.amount,
            "text": decision.text(locale),
        }
    return data


def prepared_at(meeting: BoardMeeting) -> datetime:
    """The pack's date: the meeting's last change (its agenda's and decisions' too), so the
    same meeting prints the same pack."""
    moments = [meeting.updated_at]
    for item in meeting.items:
        moments.append(item.updated_at)
        if item.decision is not None:
            moments.append(item.decision.updated_at)
    return max(m for m in moments if m is not None)


def pack_context(session: Session, meeting: BoardMeeting, locale: str) -> dict:
    with force_locale(locale):
        return {
            "kind": "meeting",
            "locale": locale,
            "number": meeting.number,
            "held_on": meeting.held_on,
            "held": meeting.held,
            "location": meeting.location,
            "present": meeting.members_present,
            "members": meeting.members_total,
            "quorate": meeting.quorate,
            "attendees": [line for line in meeting.attendees.splitlines() if line.strip()],
            "items": [_item(session, item, locale) for item in meeting.items],
        }


def pack_html(data: dict, generated_at: datetime, author: str) -> str:
    with force_locale(data["locale"]):
        return current_app.jinja_env.get_template("pdf/meeting.html").render(
            r=data, generated_at=generated_at, author=author, asset_origin=ASSET_ORIGIN
        )


def meeting_pack(data: dict, generated_at: datetime, author: str) -> Rendered:
    return html_to_pdf(pack_html(data, generated_at, author))
