"""The decision form with full information: how many reviewers have scored (and the
confirmation when some have not), the preview of what the project gets (nothing saved), the
project's titles in three languages; and the project page's link back to its application."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, Project, Role, User
from fundtracker.services import decisions as decision_svc
from fundtracker.services import reviews as review_svc
from tests import factories

S = ApplicationStatus


def _page(response) -> str:
    return response.get_data(as_text=True)


def _decide_form(page: str) -> str:
    return page.split('id="decide"')[1].split("</form>")[0]


def _add_reviewers(officer, application, *, pending=0, conflicts=0):
    for _ in range(pending):
        review_svc.assign_reviewer(
            db.session, officer, application, factories.UserFactory(role=Role.REVIEWER)
        )
    for _ in range(conflicts):
        reviewer = factories.UserFactory(role=Role.REVIEWER)
        assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
        review_svc.declare_conflict(db.session, reviewer, assignment, True, "My cousin's charity")
    db.session.flush()
    return application


def _approval(application, **overrides):
    data = {
        "awarded_amount": "45 000 000",
        "agreement_number": f"GA-P-{application.id}",
        "code": f"QH-P-{application.id}",
        "title_en": application.title,
        "approve": "1",
    }
    data.update(overrides)
    return data


def _projects() -> int:
    return db.session.scalar(select(func.count(Project.id)))


def test_the_decision_form_says_how_many_reviewers_have_scored(client, login, officer):
    application = _add_reviewers(
        officer, factories.application_in(S.UNDER_REVIEW), pending=1, conflicts=1
    )
    login(officer)
    form = _decide_form(_page(client.get(f"/applications/{application.id}")))
    progress = form.split('id="review-progress"')[1].split("</p>")[0]
    assert "1 of 3 reviewers have scored." in progress
    assert "1 reviewer declared a conflict of interest." in progress
    assert "1 reviewer has not scored yet." in progress
    assert 'name="confirm_unscored"' in form
    assert "Approve although not every reviewer has scored" in form


def test_no_confirmation_is_asked_when_every_reviewer_without_a_conflict_scored(
    client, login, officer
):
    application = _add_reviewers(officer, factories.application_in(S.UNDER_REVIEW), conflicts=1)
    login(officer)
    form = _decide_form(_page(client.get(f"/applications/{application.id}")))
    assert "1 of 2 reviewers have scored." in form
    assert "has not scored yet" not in form and 'name="confirm_unscored"' not in form


def test_approving_before_every_reviewer_scored_needs_the_box_ticked(client, login, officer):
    application = _add_reviewers(officer, factories.application_in(S.UNDER_REVIEW), pending=1)
    login(officer)
    url = f"/applications/{application.id}/decide"
    response = client.post(url, data=_approval(application))
    assert response.status_code == 422
    form = _decide_form(_page(response))
    assert "confirm that you approve it all the same" in form
    assert 'value="45 000 000"' in form  # nothing typed is lost
    db.session.expire_all()
    assert application.status == S.UNDER_REVIEW and application.project is None

    response = client.post(url, data=_approval(application, confirm_unscored="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert application.status == S.APPROVED and application.project is not None


def test_the_preview_shows_what_the_project_gets_and_saves_nothing(client, login, officer):
    application = factories.application_in(S.UNDER_REVIEW)
    version = application.version_id
    before = _projects()
    login(officer)
    response = client.post(
        f"/applications/{application.id}/decide",
        data=_approval(application, approve="", preview="1", comment="Бюджет қысқартылды."),
    )
    assert response.status_code == 200
    form = _decide_form(_page(response))
    preview = form.split('id="approval-preview"')[1].split("</section>")[0]
    assert "₸45,000,000" in preview
    tranches = preview.split('id="preview-milestones"')[1].split("</table>")[0]
    assert "Equipment installed" in tranches and "Centre opened" in tranches
    assert re.findall(r'data-amount="(\d+)"', tranches) == ["3000000000", "1500000000"]
    assert "₸30,000,000" in tranches and "₸15,000,000" in tranches
    budget = preview.split('id="preview-budget"')[1].split("</table>")[0]
    assert re.findall(r'data-amount="(\d+)"', budget) == ["4500000000"]
    indicators = preview.split('id="preview-indicators"')[1].split("</table>")[0]
    assert "Children treated" in indicators and 'data-target="30"' in indicators
    # The form is as typed, ready to approve.
    assert 'value="45 000 000"' in form and "Бюджет қысқартылды." in form
    assert 'name="approve"' in form
    db.session.expire_all()
    assert _projects() == before
    assert application.status == S.UNDER_REVIEW and application.project is None
    assert application.version_id == version and application.awarded_amount is None


def test_a_preview_of_an_impossible_award_shows_the_mistake(client, login, officer):
    application = factories.application_in(S.UNDER_REVIEW)
    login(officer)
    response = client.post(
        f"/applications/{application.id}/decide",
        data=_approval(application, approve="", preview="1", awarded_amount="70 000 000"),
    )
    assert response.status_code == 422
    page = _page(response)
    assert "The award cannot be more than the amount requested." in page
    assert 'id="approval-preview"' not in page


def test_the_previewed_project_is_the_one_approved(client, login, officer):
    application = factories.application_in(S.UNDER_REVIEW)
    login(officer)
    url = f"/applications/{application.id}/decide"
    data = _approval(application, awarded_amount="33 333 333.33")
    preview = _page(client.post(url, data=dict(data, approve="", preview="1")))
    shown = [int(a) for a in re.findall(r'data-amount="(\d+)"', preview)]
    assert client.post(url, data=data).status_code == 302
    project = db.session.scalar(select(Project).where(Project.code == data["code"]))
    assert shown == [t.amount for t in project.tranches] + [b.amount for b in project.budget_lines]


def test_the_titles_start_from_the_application_and_are_stored_in_three_languages(
    client, login, officer
):
    application = factories.application_in(S.UNDER_REVIEW)
    application.created_by.locale = "kk"
    db.session.flush()
    login(officer)
    form = _decide_form(_page(client.get(f"/applications/{application.id}")))
    assert re.search(rf'name="title_kk"[^>]*value="{application.title}"', form)
    assert re.search(r'name="title_ru"[^>]*value=""', form)
    assert application.summary in form.split('name="summary_kk"')[1].split("</textarea>")[0]

    response = client.post(
        f"/applications/{application.id}/decide",
        data=_approval(
            application,
            title_kk="Оңалту орталығы",
            title_ru="Реабилитационный центр",
            title_en="Rehabilitation centre",
            summary_kk="Балаларға арналған.",
            summary_ru="Для детей.",
            summary_en="For children.",
        ),
    )
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.code == f"QH-P-{application.id}"))
    assert (project.title_kk, project.title_ru, project.title_en) == (
        "Оңалту орталығы",
        "Реабилитационный центр",
        "Rehabilitation centre",
    )
    assert (project.summary_kk, project.summary_ru, project.summary_en) == (
        "Балаларға арналған.",
        "Для детей.",
        "For children.",
    )


def test_approval_without_any_title_is_refused_on_the_title(client, login, officer):
    application = factories.application_in(S.UNDER_REVIEW)
    login(officer)
    response = client.post(
        f"/applications/{application.id}/decide", data=_approval(application, title_en=" ")
    )
    assert response.status_code == 422
    assert "Enter the title in at least one language." in _decide_form(_page(response))
    db.session.expire_all()
    assert application.project is None


def test_before_any_review_only_return_and_reject_are_offered(client, login, officer):
    application = factories.application_in(S.SCREENED)
    login(officer)
    form = _decide_form(_page(client.get(f"/applications/{application.id}")))
    assert "No reviewer has been assigned yet." in form
    assert 'name="reject"' in form and 'name="send_back"' in form
    assert 'name="approve"' not in form and 'name="preview"' not in form


# The project page -------------------------------------------------------------------------------


def _approved(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    project = decision_svc.approve(
        db.session,
        officer,
        application,
        awarded_amount=application.requested_amount,
        agreement_number=f"GA-L-{application.id}",
        code=f"QH-L-{application.id}",
    )
    db.session.flush()
    return application, project


def _back_link(page: str) -> str | None:
    found = re.search(r'id="from-application"><a href="([^"]+)">([^<]+)</a>', page)
    return found and f"{found[1]} {found[2]}"


def test_staff_follow_the_project_back_to_its_application(client, login, officer):
    application, project = _approved(officer)
    login(factories.UserFactory(role=Role.OFFICER))
    page = _page(client.get(f"/projects/{project.id}"))
    assert _back_link(page) == (
        f"/applications/{application.id} From application no. {application.id}"
    )
    assert f"GA-L-{application.id}" in page.split('id="agreement-number"')[1].split("</dd>")[0]


def test_the_board_sees_the_agreement_but_no_link_to_the_application(client, login, officer):
    application, project = _approved(officer)
    board = factories.UserFactory(role=Role.BOARD)
    login(board)
    page = _page(client.get(f"/projects/{project.id}"))
    assert _back_link(page) is None and f"/applications/{application.id}" not in page
    assert f"GA-L-{application.id}" in page
    assert client.get(f"/applications/{application.id}").status_code == 403


def test_the_applicant_follows_its_project_back_to_its_application(client, login, officer):
    application, project = _approved(officer)
    applicant = db.session.get(User, application.created_by_id)
    login(applicant)
    page = _page(client.get(f"/projects/{project.id}"))
    assert _back_link(page).startswith(f"/applications/{application.id} ")


def test_a_project_the_fund_created_itself_has_no_application_link(client, login, officer):
    project = factories.ProjectFactory()
    login(officer)
    page = _page(client.get(f"/projects/{project.id}"))
    assert 'id="from-application"' not in page and 'id="agreement-number"' not in page
