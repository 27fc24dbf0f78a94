"""A correction sent after its period was published is refused with why, in the user's
language, and keeps what was typed (not a bare 403)."""

from __future__ import annotations

from datetime import date

from fundtracker.core.extensions import db
from fundtracker.models import IndicatorResult, ResultStatus
from fundtracker.services import publications
from tests import factories


def test_a_correction_sent_after_publishing_is_refused_and_keeps_what_was_typed(login, officer):
    project = factories.ProjectFactory(
        officer=officer, start_date=date(2025, 1, 1), end_date=date(2026, 12, 31)
    )
    indicator = factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=False)
    result = factories.indicator_result(indicator, date(2025, 1, 1), 12, ResultStatus.VERIFIED)
    db.session.commit()
    client = login(officer)
    form_page = client.get(f"/outcomes/results/{result.id}/correct")
    assert form_page.status_code == 200

    # Meanwhile the quarter is published.
    publications.publish(db.session, officer, "2025-Q1", date(2026, 5, 4))
    db.session.commit()

    response = client.post(
        f"/outcomes/results/{result.id}/correct",
        data={"value": "4817", "reason": "Recounted the register", "version": result.version_id},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "were published on" in html
    assert "4817" in html and "Recounted the register" in html
    assert db.session.get(IndicatorResult, result.id).value == 12
    # Opening the form again says why and goes back to the project.
    again = client.get(f"/outcomes/results/{result.id}/correct")
    assert again.status_code == 302
