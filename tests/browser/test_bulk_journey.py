"""Approving several tranches at once in a real browser, CSRF on: the officer narrows the list to
one project, ticks "Select all on this page", sees the confirmation and confirms."""

from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import Call, Tranche, TrancheStatus
from tests import factories
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import AXE, AXE_RUN, TAGS


def _project_with_tranches(live_app, n: int) -> tuple[int, list[int]]:
    """A project of its own (no other journey sees it) with two planned tranches."""
    with live_app.app_context():
        organisation = factories.OrganisationFactory(
            name=f"«Bulk journey {n}» қоғамдық қоры", bin=factories.valid_bin(987_650 + n)
        )
        project = factories.ProjectFactory(code=f"QH-BULK-{n:03d}", organisation=organisation)
        tranches = [
            factories.TrancheFactory(project=project, amount=amount) for amount in (10_00, 20_00)
        ]
        db.session.commit()
        ids = project.id, [t.id for t in tranches]
        db.session.remove()
        return ids


def _statuses(live_app, ids: list[int]) -> list[TrancheStatus]:
    with live_app.app_context():
        statuses = list(db.session.scalars(select(Tranche.status).where(Tranche.id.in_(ids))))
        db.session.remove()
        return statuses


def test_officer_approves_the_ticked_tranches_after_confirming(live_app, live_server, page):
    project_id, ids = _project_with_tranches(live_app, 1)
    log_in(page, live_server, f"officer3@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/tranches/to-approve?project={project_id}")
    boxes = page.locator("#bulk-approve input[name=ids]")
    expect(boxes).to_have_count(2)
    page.locator("#bulk-approve-all").check()  # shown by the script
    for i in range(2):
        expect(boxes.nth(i)).to_be_checked()

    page.click("#bulk-approve [data-bulk-action]")
    items = page.locator("#bulk-confirm [data-bulk-item]")
    expect(items).to_have_count(2)
    assert sorted(int(items.nth(i).get_attribute("data-bulk-item")) for i in range(2)) == ids
    assert _statuses(live_app, ids) == [TrancheStatus.PLANNED] * 2  # nothing yet

    page.click("#bulk-confirm [data-bulk-confirm]")
    expect(page.locator("#bulk-outcome-heading")).to_have_attribute("data-done", "2")
    assert _statuses(live_app, ids) == [TrancheStatus.APPROVED] * 2

    # Back to the list, narrowed as it was: nothing of that project waits any more.
    page.click("#bulk-outcome a.btn")
    expect(page).to_have_url(f"{live_server}/tranches/to-approve?project={project_id}")
    expect(page.locator("#bulk-approve")).to_have_count(0)
    assert page.console_errors == []


def test_the_bulk_pages_pass_axe(browser, live_app, live_server):
    """The lists, a confirmation and an outcome: no serious or critical axe violation."""
    project_id, _ids = _project_with_tranches(live_app, 2)
    with live_app.app_context():
        call_id = db.session.scalar(select(Call.id).order_by(Call.id).limit(1))
        db.session.remove()
    context = browser.new_context(bypass_csp=True, locale="en-GB")  # to add axe's script
    try:
        page = context.new_page()
        log_in(page, live_server, f"officer2@{DEMO_DOMAIN}")
        violations = []

        def check(label):
            page.add_script_tag(path=str(AXE))
            violations.extend(f"{label}: {v}" for v in page.evaluate(AXE_RUN, TAGS))

        for path in ("/outcomes/results/to-verify", f"/calls/{call_id}/assign-reviewers"):
            page.goto(f"{live_server}{path}")
            check(path)
        page.goto(f"{live_server}/tranches/to-approve?project={project_id}")
        check("tranches")
        page.locator("#bulk-approve-all").check()
        page.click("#bulk-approve [data-bulk-action]")
        expect(page.locator("#bulk-confirm")).to_be_visible()
        check("confirmation")
        page.click("#bulk-confirm [data-bulk-confirm]")
        expect(page.locator("#bulk-outcome")).to_be_visible()
        check("outcome")
        assert violations == []
    finally:
        context.close()
