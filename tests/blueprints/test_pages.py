"""The pages people use: home per role, project list and page, organisations, users."""

from fundtracker.core.extensions import db
from fundtracker.models import Organisation, ProjectStatus, Role, User
from tests import factories
from tests.conftest import login_as
from tests.factories import area, region


def test_officer_home_shows_portfolio_figures_and_own_projects(login, officer):
    mine = factories.ProjectFactory(officer=officer, awarded_amount=2_000_000_00)
    factories.ProjectFactory(status=ProjectStatus.AT_RISK, awarded_amount=1_000_000_00)
    html = login(officer).get("/").get_data(as_text=True)
    assert 'data-figure="projects">2<' in html
    assert "₸3,000,000" in html
    assert mine.code in html and "Projects you are responsible for" in html


def test_board_home_has_figures_but_no_own_projects(login):
    factories.ProjectFactory()
    html = login(factories.UserFactory(role=Role.BOARD)).get("/").get_data(as_text=True)
    assert 'data-figure="projects">1<' in html
    assert "Projects you are responsible for" not in html


def test_grantee_home_lists_only_their_organisations_projects(login, grantee):
    own = factories.ProjectFactory(organisation=grantee.organisation)
    other = factories.ProjectFactory()
    html = login(grantee).get("/").get_data(as_text=True)
    assert own.code in html and other.code not in html
    assert grantee.organisation.name in html


def test_reviewer_home_is_their_reviews_which_say_when_nothing_is_assigned(login):
    client = login(factories.UserFactory(role=Role.REVIEWER))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reviews/")
    html = client.get("/reviews/").get_data(as_text=True)
    assert "Nothing has been assigned to you." in html


def test_project_list_filters_by_region_and_searches(login, officer):
    in_ulytau = factories.ProjectFactory(regions=[region("KZ-62")], title_en="Rehab centre")
    elsewhere = factories.ProjectFactory(regions=[region("KZ-71")])
    client = login(officer)
    html = client.get(f"/projects/?region={region('KZ-62').id}").get_data(as_text=True)
    assert in_ulytau.code in html and elsewhere.code not in html
    assert "1 project found" in html
    html = client.get("/projects/?q=rehab").get_data(as_text=True)
    assert in_ulytau.code in html and elsewhere.code not in html


def test_project_list_paginates_and_keeps_filters(app, login, officer):
    per_page = app.config["PROJECTS_PER_PAGE"]
    codes = [
        factories.ProjectFactory(code=f"QH-2030-{n:03d}", area=area("education")).code
        for n in range(per_page + 3)
    ]
    factories.ProjectFactory(code="QH-2030-999", area=area("healthcare"))
    client = login(officer)
    education = area("education").id
    html = client.get(f"/projects/?area={education}").get_data(as_text=True)
    assert f"{per_page + 3} projects found" in html
    assert f"page=2&amp;area={education}" in html
    page_two = client.get(f"/projects/?area={education}&page=2").get_data(as_text=True)
    table = page_two.split('id="project-table"')[1]
    assert [c for c in codes if c in table] == codes[per_page:]
    assert "QH-2030-999" not in table


def test_hand_edited_filter_values_are_ignored_not_an_error(login, officer):
    factories.ProjectFactory()
    response = login(officer).get("/projects/?area=abc&status=nonsense&sort=evil&page=-3")
    assert response.status_code == 200
    assert "1 project found" in response.get_data(as_text=True)


def test_grantee_list_has_no_officer_filter(login, grantee):
    html = login(grantee).get("/projects/").get_data(as_text=True)
    assert 'name="officer"' not in html


def test_project_page_in_kazakh(login, officer):
    project = factories.ProjectFactory(
        title_kk="Аутизм орталығы", awarded_amount=450_000_000_00, regions=[region("KZ-62")]
    )
    officer.locale = "kk"
    db.session.flush()
    html = login(officer).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Аутизм орталығы" in html
    assert "450\u00a0000\u00a0000\u00a0₸" in html.replace("\u202f", "\u00a0")
    assert "Ұлытау облысы" in html
    assert project.organisation.identifier in html


def test_register_organisation_with_bad_bin_keeps_the_input(login, officer):
    response = login(officer).post(
        "/organisations/new",
        data={
            "name": "«Мейірім» қоры",
            "bin": "123456789012",
            "region_id": region("KZ-71").id,
            "address": "Астана",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A BIN is 12 digits with a valid check digit." in html
    assert "«Мейірім» қоры" in html
    assert (
        db.session.scalar(db.select(Organisation).where(Organisation.bin == "123456789012")) is None
    )


def test_register_and_edit_an_organisation(login, officer):
    client = login(officer)
    response = client.post(
        "/organisations/new",
        data={
            "name": "«Мейірім» қоры",
            "bin": "9712 4000 1315",
            "region_id": region("KZ-71").id,
        },
    )
    assert response.status_code == 302
    organisation = db.session.scalar(
        db.select(Organisation).where(Organisation.bin == "971240001315")
    )
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={
            "name": "«Мейірім» қоғамдық қоры",
            "bin": "971240001315",
            "region_id": region("KZ-62").id,
        },
    )
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "«Мейірім» қоғамдық қоры"
    assert organisation.region.code == "KZ-62"


def test_duplicate_bin_is_refused(login, officer):
    existing = factories.OrganisationFactory()
    response = login(officer).post(
        "/organisations/new",
        data={
            "name": "Copy",
            "bin": existing.bin,
            "region_id": region("KZ-71").id,
        },
    )
    assert "already registered" in response.get_data(as_text=True)


def test_admin_user_form_shows_field_errors(login, admin):
    response = login(admin).post(
        "/admin/users/new",
        data={
            "email": "x@example.kz",
            "name": "X",
            "role": "grantee",
            "organisation_id": "",
            "locale": "kk",
        },
    )
    html = response.get_data(as_text=True)
    assert "A grantee must belong to an organisation." in html
    assert db.session.scalar(db.select(User).where(User.email == "x@example.kz")) is None


def test_admin_deactivates_and_reactivates_a_user(login, admin):
    user = factories.UserFactory()
    client = login(admin)
    client.post(f"/admin/users/{user.id}/deactivate")
    db.session.refresh(user)
    assert not user.active
    client.post(f"/admin/users/{user.id}/activate")
    db.session.refresh(user)
    assert user.active


def test_admin_cannot_deactivate_themself(login, admin):
    response = login(admin).post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot change the status of this account." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active


def test_deactivated_user_is_signed_out_at_once(app, login, admin):
    user = factories.UserFactory()
    other = app.test_client()
    login_as(other, user)
    assert other.get("/").status_code == 200
    login(admin).post(f"/admin/users/{user.id}/deactivate")
    assert other.get("/").status_code == 302


def test_grantee_home_shows_what_is_due_and_what_to_revise(app, login, grantee):
    from datetime import timedelta

    from fundtracker.core.time import today
    from fundtracker.models import MilestoneStatus

    with app.test_request_context():
        now = today()
    project = factories.ProjectFactory(organisation=grantee.organisation)
    late = factories.MilestoneFactory(
        project=project, title="Late report", due_date=now - timedelta(days=3)
    )
    factories.MilestoneFactory(
        project=project,
        title="Fix the acts",
        due_date=now + timedelta(days=200),
        status=MilestoneStatus.REVISION_REQUESTED,
    )
    factories.MilestoneFactory(title="Someone else's", due_date=now + timedelta(days=5))
    html = login(grantee).get("/").get_data(as_text=True)
    due = html.split('id="due-next"')[1]
    assert late.title in due and "3 days overdue" in due and "Someone else" not in html
    assert "Fix the acts" in html.split('id="revisions"')[1].split("</section>")[0]
