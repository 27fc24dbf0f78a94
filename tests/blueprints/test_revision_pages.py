"""The revision round on the milestone page: the grantee's form is refilled with every answer of
the update sent back, results and breakdown cells included, and resubmits it; a verified result
is shown, not edited; the officer sees what changed, escaped."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import MilestoneStatus, ResultStatus
from fundtracker.services import outcomes
from fundtracker.services.outcomes import period_of
from tests import factories
from tests.factories import PDF_BYTES


@pytest.fixture
def project(app, grantee, officer):
    with app.test_request_context():
        due = today() + timedelta(days=20)
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        start_date=factories.date(2025, 1, 15),
        end_date=factories.date(2099, 12, 31),
    )
    factories.MilestoneFactory(project=project, due_date=due)
    factories.BudgetLineFactory(project=project)
    return project


@pytest.fixture
def indicator(project):
    return factories.ProjectIndicatorFactory(
        project=project, by_region=False, by_sex=True, by_age=False, target=200
    )


def _form(project, indicator, app, **overrides):
    p = f"ind{indicator.id}_"
    with app.test_request_context():
        current = period_of(indicator.frequency, today())[0].isoformat()
    data = {
        f"{p}period": current,
        f"{p}value": "23",
        f"{p}sex_female": "3",
        f"{p}sex_male": "20",
        "narrative": "Twenty-three children started therapy.",
        "progress": "50",
        "beneficiaries": "23",
        f"spending_{project.budget_lines[0].id}": "1 000 000",
        "submit": "1",
    }
    data.update(overrides)
    return data


def _value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def sent_back(app, login, grantee, officer, project, indicator):
    milestone = project.milestones[0]
    data = _form(project, indicator, app)
    data["evidence"] = [(io.BytesIO(PDF_BYTES), "акт.pdf")]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    response = login(officer).post(
        f"/milestones/{milestone.id}/review",
        data={"revise": "1", "comment": "Check the boys' figure.", "version": milestone.version_id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.REVISION_REQUESTED
    return milestone


def test_the_revision_form_is_refilled_and_resubmits_a_corrected_result(
    app, login, grantee, officer, project, indicator, sent_back
):
    milestone = sent_back
    p = f"ind{indicator.id}_"
    client = login(grantee)
    html = client.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "Twenty-three children started therapy." in html
    assert _value(html, "progress") == "50" and _value(html, "beneficiaries") == "23"
    assert _value(html, f"{p}value") == "23"
    assert _value(html, f"{p}sex_female") == "3" and _value(html, f"{p}sex_male") == "20"

    response = client.post(
        f"/milestones/{milestone.id}/update",
        data=_form(
            project,
            indicator,
            app,
            **{
                f"{p}value": "24",
                f"{p}sex_male": "21",
                "narrative": "Twenty-four <b>children</b> started therapy.",
            },
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    (result,) = indicator.results
    assert result.value == 24 and result.breakdown("sex") == {"female": 3, "male": 21}
    assert result.milestone_update_id == milestone.updates[-1].id
    assert [r.value for r in result.revisions] == [23]

    page = login(officer).get(f"/milestones/{milestone.id}").get_data(as_text=True)
    changes = page.split('id="changes"')[1].split("</table>")[0]
    assert "&lt;b&gt;children&lt;/b&gt;" in changes and "<b>" not in changes
    assert re.search(r"<del[^>]*>Twenty-three</del>", changes)
    assert re.search(r"<ins[^>]*>Twenty-four</ins>", changes)
    assert "Boys and men" in changes and "<del>20</del>" in changes and "<ins>21</ins>" in changes

    # The grantee does not see the comparison.
    assert 'id="changes"' not in login(grantee).get(f"/milestones/{milestone.id}").get_data(
        as_text=True
    )


def test_a_verified_result_is_shown_read_only_and_kept(
    app, login, grantee, officer, project, indicator, sent_back
):
    milestone = sent_back
    p = f"ind{indicator.id}_"
    (result,) = indicator.results
    outcomes.verify(db.session, officer, result)
    db.session.flush()
    client = login(grantee)
    html = client.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert f'name="{p}value"' not in html
    assert "The fund has verified this result" in html
    # A value posted for it all the same changes nothing.
    response = client.post(
        f"/milestones/{milestone.id}/update",
        data=_form(project, indicator, app, **{f"{p}value": "99"}),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert result.value == 23 and result.status == ResultStatus.VERIFIED
    assert result.milestone_update_id == milestone.updates[-1].id
