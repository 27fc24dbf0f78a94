"""Where the fund sets the signing date that makes a project public: the award form and the
project's edit form."""

from __future__ import annotations

from datetime import date

from fundtracker.core.extensions import db
from fundtracker.services import transparency
from tests import factories


def test_the_edit_form_sets_the_signing_date(login, officer):
    project = factories.ProjectFactory(officer=officer)
    db.session.commit()
    client = login(officer)
    html = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'name="agreement_signed_on"' in html
    form = {
        "code": project.code,
        "title_en": project.title_en,
        "organisation_id": project.organisation_id,
        "area_id": project.area_id,
        "region_ids": [r.id for r in project.regions],
        "officer_id": officer.id,
        "start_date": project.start_date.isoformat(),
        "agreement_signed_on": "2025-01-05",
        "version": project.version_id,
    }
    response = client.post(f"/projects/{project.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.agreement_signed_on == date(2025, 1, 5) and transparency.is_public(project)
    # The public page lists it now.
    assert project.code in client.get("/transparency/?lang=en").get_data(as_text=True)


def test_the_project_page_tells_staff_whether_the_project_is_public(login, officer):
    signed = factories.ProjectFactory(agreement_signed_on=date(2025, 1, 5))
    unsigned = factories.ProjectFactory(agreement_signed_on=None)
    hidden = factories.ProjectFactory(agreement_signed_on=date(2025, 1, 5), confidential=True)
    client = login(officer)
    for project, state in (
        (signed, "Public"),
        (unsigned, "Agreement not signed yet"),
        (hidden, "Confidential"),
    ):
        html = client.get(f"/projects/{project.id}").get_data(as_text=True)
        assert f'id="project-publicity">{state}' in html
    grantee = factories.UserFactory(role="grantee", organisation=signed.organisation)
    html = login(grantee).get(f"/projects/{signed.id}").get_data(as_text=True)
    assert "project-publicity" not in html
