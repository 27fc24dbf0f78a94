"""The pack of a board meeting, read back as a trustee's reader and a screen reader would: every
item is in it with what decides it (the application's rank and reviews, the amendment's terms,
the tranche), in kk, ru and en; its bookmarks are the agenda and the items; it is tagged with its
language; no word runs off the page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pikepdf
import pytest
from pypdf import PdfReader

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, Role
from fundtracker.pdf import meeting as meeting_pdf
from fundtracker.services import board
from fundtracker.services import reviews as review_service
from tests import factories
from tests.pdf.test_layout import assert_glyphs_inside, read_pages

LONG_WORD = "Оңалту" * 30  # one unbroken word longer than a line


@dataclass
class _Built:
    pages: list


@pytest.fixture
def meeting(officer):
    call = factories.CallFactory()
    application = factories.application_in(
        ApplicationStatus.SCREENED, call=call, title=f"Қызылорда {LONG_WORD}"
    )
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_service.assign_reviewer(db.session, officer, application, reviewer)
    review_service.declare_conflict(db.session, reviewer, assignment, False)
    review_service.submit_scores(
        db.session,
        reviewer,
        assignment,
        {c.id: (4, "Жақсы жоспар, бюджеті негізделген.") for c in call.criteria},
    )
    project = factories.ProjectFactory(awarded_amount=34_084_594_000_00)
    meeting = board.create_meeting(
        db.session, officer, board.MeetingData("12/2026", date(2026, 12, 1), "Астана")
    )
    board.add_item(
        db.session,
        officer,
        meeting,
        board.ItemData(board.AgendaKind.APPLICATION, application=application),
    )
    board.add_item(
        db.session,
        officer,
        meeting,
        board.ItemData(
            board.AgendaKind.AMENDMENT,
            project=project,
            amount=34_084_594_000_00,
            end_date=date(2029, 6, 30),
            notes="Мерзімін ұзарту / Продление срока",
        ),
    )
    board.hold_meeting(
        db.session,
        officer,
        meeting,
        held_on=date(2026, 12, 1),
        members_total=7,
        members_present=5,
        attendees="Ә. Сейітқали\nМ. Оразбаева",
        today=date(2026, 12, 4),
        expected_version=None,
    )
    board.record_decision(
        db.session,
        officer,
        meeting.items[1],
        board.DecisionData(
            "12/2026/2", board.DecisionOutcome.APPROVED, {"ru": "Продлить срок проекта."}
        ),
    )
    return meeting


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_pack_holds_every_item_and_reads_right(app, meeting, locale):
    data = meeting_pdf.pack_context(db.session, meeting, locale)
    rendered = meeting_pdf.meeting_pack(data, datetime(2026, 12, 4, tzinfo=UTC), "Fund")
    reader = PdfReader(io.BytesIO(rendered.pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "12/2026" in flat and "12/2026/2" in flat
    assert "Жақсы жоспар" in flat  # the review's comment
    assert "Продлить срок проекта." in flat  # the decision, in the language it was written in
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(outline) == 3  # the agenda, then one bookmark per item
    # A trustee's screen reader: tagged, in the pack's language.
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == locale
    # The 34-billion amount and the unbroken word stay on the page.
    assert_glyphs_inside(_Built(read_pages(rendered.pdf)))


def test_the_route_sends_the_pack_to_a_trustee_in_the_language_asked(app, login, meeting):
    client = login(factories.UserFactory(role=Role.BOARD))
    response = client.get(f"/board/meetings/{meeting.id}/pack.pdf?lang=ru")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "board-meeting-12-2026-ru.pdf" in response.headers["Content-Disposition"]
    assert client.get(f"/board/meetings/{meeting.id}/pack.pdf?lang=xx").status_code == 404
