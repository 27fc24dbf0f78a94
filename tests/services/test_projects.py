from datetime import date

from fundtracker.core.extensions import db
from fundtracker.models import ProjectStatus, Role
from fundtracker.models.labels import status_labels
from fundtracker.services.projects import ProjectFilter, portfolio_summary, project_list
from tests import factories
from tests.factories import area, region


def _codes(actor, **kwargs):
    flt = ProjectFilter(**kwargs)
    return [p.code for p in db.session.scalars(project_list(actor, flt, "en")).unique()]


def test_grantee_sees_only_their_organisations_projects(grantee):
    own = factories.ProjectFactory(organisation=grantee.organisation)
    factories.ProjectFactory()
    assert _codes(grantee) == [own.code]


def test_reviewer_sees_no_projects():
    factories.ProjectFactory()
    assert _codes(factories.UserFactory(role=Role.REVIEWER)) == []


def test_filters_combine(officer):
    other_officer = factories.UserFactory(role=Role.OFFICER)
    match = factories.ProjectFactory(
        code="QH-1",
        area=area("education"),
        regions=[region("KZ-62"), region("KZ-71")],
        status=ProjectStatus.AT_RISK,
        officer=officer,
    )
    factories.ProjectFactory(
        code="QH-2",
        area=area("education"),
        regions=[region("KZ-62")],
        status=ProjectStatus.ACTIVE,
        officer=officer,
    )
    factories.ProjectFactory(
        code="QH-3",
        area=area("healthcare"),
        regions=[region("KZ-62")],
        status=ProjectStatus.AT_RISK,
        officer=officer,
    )
    factories.ProjectFactory(
        code="QH-4",
        area=area("education"),
        regions=[region("KZ-62")],
        status=ProjectStatus.AT_RISK,
        officer=other_officer,
    )
    assert _codes(
        officer,
        area_id=area("education").id,
        region_id=region("KZ-62").id,
        status=ProjectStatus.AT_RISK,
        officer_id=officer.id,
    ) == [match.code]


def test_text_search_is_case_insensitive_in_cyrillic_and_escapes_wildcards(officer):
    kk = factories.ProjectFactory(title_kk="Аутизм орталығы Ұлытауда", title_ru="", title_en="")
    org = factories.ProjectFactory(organisation=factories.OrganisationFactory(name="ОФ «Шапағат»"))
    percent = factories.ProjectFactory(title_en="100% coverage")
    assert _codes(officer, q="ұлытау") == [kk.code]
    assert _codes(officer, q="ШАПАҒАТ") == [org.code]
    assert _codes(officer, q="%") == [percent.code]
    assert _codes(officer, q="_") == []


def test_sorting(officer):
    factories.ProjectFactory(code="QH-A", awarded_amount=300, end_date=date(2027, 1, 1))
    factories.ProjectFactory(code="QH-B", awarded_amount=100, end_date=date(2028, 1, 1))
    factories.ProjectFactory(code="QH-C", awarded_amount=200, end_date=date(2026, 12, 31))
    assert _codes(officer, sort="amount") == ["QH-B", "QH-C", "QH-A"]
    assert _codes(officer, sort="amount", descending=True) == ["QH-A", "QH-C", "QH-B"]
    assert _codes(officer, sort="end") == ["QH-C", "QH-A", "QH-B"]


def test_list_runs_a_fixed_number_of_queries(app, officer, sql_log):
    def count_for(n):
        for _ in range(n):
            factories.ProjectFactory(regions=[region("KZ-10"), region("KZ-11")], officer=officer)
        db.session.expire_all()
        start = len(sql_log)
        for p in db.session.scalars(project_list(officer, ProjectFilter(), "en")).unique():
            _ = (p.organisation.name, p.area.code, p.officer.name, [r.code for r in p.regions])
        return len(sql_log) - start

    assert count_for(2) == count_for(10)


def test_portfolio_summary_adds_up(officer):
    factories.ProjectFactory(
        area=area("healthcare"),
        awarded_amount=1_000,
        status=ProjectStatus.ACTIVE,
        regions=[region("KZ-71"), region("KZ-75")],
    )
    factories.ProjectFactory(
        area=area("education"),
        awarded_amount=500,
        status=ProjectStatus.AT_RISK,
        regions=[region("KZ-71")],
    )
    summary = portfolio_summary(db.session, officer, "en", status_labels())
    assert (summary.projects, summary.awarded) == (2, 1_500)
    by_area = {b.key: (b.count, b.amount) for b in summary.by_area}
    assert by_area[area("healthcare").id] == (1, 1_000)
    assert by_area[area("education").id] == (1, 500)
    assert by_area[area("social_protection").id] == (0, 0)
    by_status = {b.key: b.count for b in summary.by_status}
    assert by_status["active"] == 1 and by_status["at_risk"] == 1 and by_status["closed"] == 0
    by_region = {b.key: b.count for b in summary.by_region}
    assert by_region == {region("KZ-71").id: 2, region("KZ-75").id: 1}


def test_grantee_summary_covers_only_their_organisation(grantee):
    factories.ProjectFactory(organisation=grantee.organisation, awarded_amount=10)
    factories.ProjectFactory(awarded_amount=99)
    summary = portfolio_summary(db.session, grantee, "en", status_labels())
    assert (summary.projects, summary.awarded) == (1, 10)
