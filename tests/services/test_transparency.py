"""What the fund publishes: the rule (signed and not confidential), the public page's figures over
public projects only, the signing date set on award and on edit, and the admin's change with its
audit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus as S
from fundtracker.models import AuditEvent, Project, ProjectStatus, Role, TrancheStatus
from fundtracker.services import decisions, plan
from fundtracker.services import transparency as svc
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories

SIGNED = date(2025, 2, 1)


@pytest.fixture
def mixed():
    kz71, kz75 = factories.region("KZ-71"), factories.region("KZ-75")
    public = factories.ProjectFactory(
        agreement_signed_on=SIGNED, awarded_amount=100_00, regions=[kz71, kz75]
    )
    factories.TrancheFactory(project=public, amount=40_00, status=TrancheStatus.PAID)
    factories.TrancheFactory(project=public, amount=60_00)  # planned: not paid
    same_org = factories.ProjectFactory(
        agreement_signed_on=SIGNED,
        awarded_amount=50_00,
        organisation=public.organisation,
        status=ProjectStatus.AT_RISK,
        area=factories.area("education"),
    )
    confidential = factories.ProjectFactory(
        agreement_signed_on=SIGNED, confidential=True, awarded_amount=7_000_00, regions=[kz75]
    )
    factories.TrancheFactory(project=confidential, amount=3_000_00, status=TrancheStatus.PAID)
    unsigned = factories.ProjectFactory(awarded_amount=9_000_00)
    db.session.flush()
    return public, same_org, confidential, unsigned


def test_the_rule_in_sql_and_in_python_agree(mixed):
    in_sql = set(db.session.scalars(select(Project.id).where(svc.public_project_clause())))
    assert in_sql == {p.id for p in mixed if svc.is_public(p)} == {mixed[0].id, mixed[1].id}


def test_totals_are_sums_over_public_projects(mixed):
    totals = svc.totals(db.session)
    assert totals == svc.Totals(projects=2, awarded=150_00, paid=40_00, organisations=1)
    rows, count = svc.project_page(db.session, svc.PublicFilter(), "en", 1)
    assert count == 2 and sum(r.awarded for r in rows) == totals.awarded
    assert sum(r.paid for r in rows) == totals.paid
    by_area = svc.totals(db.session, svc.PublicFilter(area="education"))
    assert (by_area.projects, by_area.awarded) == (1, 50_00)


def test_rows_say_only_public_things(mixed):
    rows, _count = svc.project_page(db.session, svc.PublicFilter(), "en", 1)
    statuses = {r.code: r.status for r in rows}
    assert statuses[mixed[1].code] == svc.PublicStatus.ACTIVE  # "at risk" is the fund's own
    assert {r.code for r in rows} == {mixed[0].code, mixed[1].code}
    only, count = svc.project_page(db.session, svc.PublicFilter(region="KZ-75"), "en", 1)
    assert count == 1 and only[0].code == mixed[0].code
    # Paging is bounded and past the end is empty.
    assert svc.project_page(db.session, svc.PublicFilter(), "en", 5, per_page=10_000)[0] == []


def test_the_map_counts_public_projects_only(mixed):
    shares = {r.code: r for r in svc.by_region(db.session, svc.PublicFilter(), "en")}
    assert (shares["KZ-75"].count, shares["KZ-75"].amount) == (1, 100_00)
    assert (shares["KZ-71"].count, shares["KZ-71"].amount) == (2, 150_00)
    assert shares["KZ-79"].count == 0


def test_nothing_published_says_so(mixed):
    outcomes = svc.outcomes(db.session, "en")
    assert outcomes.period is None and not outcomes.lines


def test_the_project_page_finds_public_projects_only(mixed):
    public, _same, confidential, unsigned = mixed
    assert svc.public_project(db.session, public.code) is public
    assert svc.public_project(db.session, confidential.code) is None
    assert svc.public_project(db.session, unsigned.code) is None
    assert svc.project_detail(db.session, public, "en").paid == 40_00


def test_admin_marks_confidential_with_reason_and_audit(mixed, admin):
    public = mixed[0]
    svc.set_confidential(db.session, admin, public, True, "  A shelter's address  ")
    assert public.confidential and not svc.is_public(public)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "project.publicity_changed")
    )
    details = json.loads(event.details)
    assert details == {
        "confidential": True,
        "from": "public",
        "to": "confidential",
        "reason": "A shelter's address",
    }
    assert event.target_id == str(public.id) and event.actor_id == admin.id
    with pytest.raises(DomainError):  # already so
        svc.set_confidential(db.session, admin, public, True, "again")
    svc.set_confidential(db.session, admin, public, False, "The family agreed")
    assert svc.is_public(public)


@pytest.mark.parametrize("reason", ["", "   ", "x" * (svc.REASON_MAX + 1)])
def test_a_reason_is_needed(mixed, admin, reason):
    with pytest.raises(DomainError) as error:
        svc.set_confidential(db.session, admin, mixed[0], True, reason)
    assert error.value.field == "reason" and not mixed[0].confidential


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BOARD, Role.GRANTEE])
def test_only_an_admin_may_change_it(mixed, role):
    user = (
        factories.UserFactory(role=role)
        if role != Role.GRANTEE
        else factories.UserFactory(grantee=True)
    )
    with pytest.raises(NotAllowed):
        svc.set_confidential(db.session, user, mixed[0], True, "because")
    assert not mixed[0].confidential


def test_admin_list_and_counts(mixed):
    public, same_org, confidential, unsigned = mixed
    counts = svc.state_counts(db.session)
    assert counts[svc.Publicity.CONFIDENTIAL] >= 1 and counts[svc.Publicity.UNSIGNED] >= 1

    def ids(**kw):
        return set(db.session.scalars(svc.admin_list(svc.AdminFilter(**kw))))

    assert confidential in ids(state=svc.Publicity.CONFIDENTIAL)
    assert public not in ids(state=svc.Publicity.CONFIDENTIAL)
    assert unsigned in ids(state=svc.Publicity.UNSIGNED)
    assert {public, same_org} <= ids(state=svc.Publicity.PUBLIC)
    assert ids(q=public.code.lower()) == {public}
    assert [svc.publicity_of(p) for p in mixed] == [
        svc.Publicity.PUBLIC,
        svc.Publicity.PUBLIC,
        svc.Publicity.CONFIDENTIAL,
        svc.Publicity.UNSIGNED,
    ]


def test_the_award_sets_the_signing_date(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    project = decisions.approve(
        db.session,
        officer,
        application,
        awarded_amount=application.requested_amount,
        agreement_number=f"GA-P-{application.id}",
        code=f"QH-P-{application.id}",
        agreement_signed_on=SIGNED,
    )
    assert project.agreement_signed_on == SIGNED and svc.is_public(project)
    unsigned = factories.application_in(S.UNDER_REVIEW)
    later = decisions.approve(
        db.session,
        officer,
        unsigned,
        awarded_amount=unsigned.requested_amount,
        agreement_number=f"GA-P-{unsigned.id}",
        code=f"QH-P-{unsigned.id}",
    )
    assert later.agreement_signed_on is None and not svc.is_public(later)


def test_the_edit_sets_and_records_the_signing_date(officer):
    project = factories.ProjectFactory()
    data = plan.ProjectData(
        code=project.code,
        title_kk=project.title_kk,
        title_ru=project.title_ru,
        title_en=project.title_en,
        organisation_id=project.organisation_id,
        area_id=project.area_id,
        region_ids=[r.id for r in project.regions],
        start_date=project.start_date,
        agreement_signed_on=SIGNED,
    )
    plan.update_project(db.session, officer, project, data, project.version_id)
    assert project.agreement_signed_on == SIGNED and svc.is_public(project)
