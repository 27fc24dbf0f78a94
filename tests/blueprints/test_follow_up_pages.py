"""The follow-up pages: the grantee's form (a refused one comes back with every answer), the
officer's review, what the board sees (no raw counts), the project page's list, and the admin's
schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import FollowUp, FollowUpStatus, ProjectStatus, Role
from fundtracker.services import follow_ups
from tests import factories

ANSWERS = {
    "still_running": "yes",
    "people_served": "40",
    "sex_female": "22",
    "sex_male": "17",  # 39: does not add up to 40
    "age_3_6": "15",
    "age_7_11": "25",
    "region_KZ_71": "40",
    "story": "Айгерім снова ходит в центр каждую неделю.",
}


@pytest.fixture
def follow_up(grantee, officer):
    project = factories.ProjectFactory(
        organisation=grantee.organisation, officer=officer, status=ProjectStatus.CLOSED
    )
    row = FollowUp(project=project, months_after=6, due_date=today() + timedelta(days=10))
    db.session.add(row)
    db.session.commit()
    return row


def _url(follow_up, tail=""):
    return f"/follow-ups/{follow_up.id}{tail}"


def test_a_refused_answer_comes_back_with_every_answer_and_nothing_is_saved(
    login, grantee, follow_up
):
    client = login(grantee)
    page = client.get(_url(follow_up))
    assert page.status_code == 200 and 'id="answer"' in page.text
    response = client.post(
        _url(follow_up, "/answer"), data={**ANSWERS, "version": follow_up.version_id}
    )
    assert response.status_code == 422
    html = response.text
    assert "does not add up" in html or "adds up to 39" in html
    for name, value in ANSWERS.items():
        if name == "still_running":
            assert 'value="yes" selected' in html or 'selected value="yes"' in html
        elif name == "story":
            assert value in html
        else:
            assert f'name="{name}"' in html and f'value="{value}"' in html, name
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).status == FollowUpStatus.SCHEDULED


def test_submit_review_return_and_the_board_sees_no_raw_count(login, grantee, officer, follow_up):
    client = login(grantee)
    good = {**ANSWERS, "sex_male": "18", "version": follow_up.version_id}
    response = client.post(_url(follow_up, "/answer"), data=good)
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(FollowUp, follow_up.id)
    assert row.status == FollowUpStatus.SUBMITTED and row.people_served == 40

    client = login(officer)
    page = client.get(_url(follow_up))
    assert 'id="review"' in page.text and 'id="answer-people">40<' in page.text
    response = client.post(
        _url(follow_up, "/review"),
        data={"comment": "Уточните возраст.", "send_back": "1", "version": row.version_id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).status == FollowUpStatus.RETURNED

    client = login(grantee)
    page = client.get(_url(follow_up))
    assert "Уточните возраст." in page.text
    assert 'name="people_served"' in page.text and 'value="40"' in page.text  # kept

    board = factories.UserFactory(role=Role.BOARD)
    client = login(board)
    page = client.get(_url(follow_up))
    assert page.status_code == 200
    assert 'id="answer-people"' not in page.text and ANSWERS["story"] not in page.text
    assert 'id="answer"' not in page.text and 'id="review"' not in page.text


def test_the_project_page_lists_its_follow_ups(login, grantee, follow_up):
    page = login(grantee).get(f"/projects/{follow_up.project_id}")
    assert 'id="follow-ups"' in page.text and _url(follow_up) in page.text


def test_a_follow_up_not_open_yet_says_when_it_opens(login, grantee, follow_up):
    follow_up.due_date = today() + timedelta(days=90)
    db.session.commit()
    page = login(grantee).get(_url(follow_up))
    assert 'id="follow-up-opens"' in page.text and 'id="answer"' not in page.text


def test_the_admin_sets_the_months_per_area(login, admin):
    client = login(admin)
    page = client.get("/admin/follow-up-schedule")
    assert page.status_code == 200 and 'value="6, 12, 24"' in page.text
    areas = follow_ups.areas(db.session)
    data = {f"months_{a.id}": "6, 12, 24" for a in areas}
    bad = client.post("/admin/follow-up-schedule", data={**data, f"months_{areas[0].id}": "0, 6"})
    assert bad.status_code == 422 and 'value="0, 6"' in bad.text
    ok = client.post("/admin/follow-up-schedule", data={**data, f"months_{areas[1].id}": "3;36"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert [follow_ups.months_of(a) for a in follow_ups.areas(db.session)][:2] == [
        (6, 12, 24),
        (3, 36),
    ]
