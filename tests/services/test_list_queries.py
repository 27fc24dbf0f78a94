"""The list queries behind the searchable, paged lists: filters narrow what the actor may see and
never widen it; text is matched case-insensitively, Cyrillic included."""

from __future__ import annotations

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, CallStatus, OrganisationRegistration, utcnow
from fundtracker.services import applications, calls, notifications, organisations
from tests import factories

S = ApplicationStatus


def _titles(query) -> list[str]:
    return [a.title for a in db.session.scalars(query)]


def test_application_filters_narrow_a_grantees_scope_and_never_widen_it(grantee, officer):
    own = factories.ApplicationFactory(
        organisation=grantee.organisation, title="Own", status=S.DRAFT, contents=False
    )
    other = factories.ApplicationFactory(title="Other", status=S.SUBMITTED, contents=False)
    flt = applications.ApplicationFilter
    assert _titles(applications.list_query(grantee)) == ["Own"]
    for narrowed in (
        flt(organisation_id=other.organisation_id),
        flt(call_id=other.call_id),
        flt(q="Other"),
        flt(q=f"#{other.id}"),
    ):
        assert _titles(applications.list_query(grantee, narrowed)) == [], narrowed
    assert _titles(applications.list_query(officer, flt(status=S.DRAFT))) == []
    assert _titles(applications.list_query(officer, flt(q=str(other.id)))) == ["Other"]
    assert _titles(applications.list_query(grantee, flt(call_id=own.call_id))) == ["Own"]


def test_applications_are_found_by_the_project_code_and_folded_text(officer):
    org = factories.OrganisationFactory(name="«ШАҢЫРАҚ» қоры")
    project = factories.ProjectFactory(code="KH-2031-077")
    approved = factories.ApplicationFactory(
        title="Бала", status=S.APPROVED, project_id=project.id, contents=False
    )
    by_org = factories.ApplicationFactory(
        organisation=org, title="Үй", status=S.SUBMITTED, contents=False
    )
    flt = applications.ApplicationFilter
    assert _titles(applications.list_query(officer, flt(q="kh-2031"))) == [approved.title]
    assert _titles(applications.list_query(officer, flt(q="шаңырақ"))) == [by_org.title]
    assert _titles(applications.list_query(officer, flt(q="БАЛА"))) == [approved.title]
    # Newest first.
    assert _titles(applications.list_query(officer)) == [by_org.title, approved.title]


def test_grantees_are_offered_only_the_calls_of_their_applications(grantee, officer):
    own = factories.ApplicationFactory(organisation=grantee.organisation, contents=False)
    hidden = factories.CallFactory(status=CallStatus.DRAFT)
    assert applications.filter_calls(db.session, grantee) == [own.call]
    assert hidden in applications.filter_calls(db.session, officer)


def test_a_status_filter_shows_an_applicant_no_call_that_is_not_open(grantee, officer):
    draft = factories.CallFactory(status=CallStatus.DRAFT, title_en="Кеш")
    flt = calls.CallFilter(status=CallStatus.DRAFT)
    now = utcnow()
    assert draft not in db.session.scalars(calls.list_query(grantee, now, flt)).all()
    assert draft in db.session.scalars(calls.list_query(officer, now, flt)).all()
    assert draft in db.session.scalars(calls.list_query(officer, now, calls.CallFilter(q="КЕШ")))


def test_organisations_by_verification(officer):
    fund_made = factories.OrganisationFactory()
    waiting = factories.OrganisationFactory()
    done = factories.OrganisationFactory()
    db.session.add_all(
        [
            OrganisationRegistration(organisation=waiting),
            OrganisationRegistration(organisation=done, verified_at=utcnow()),
        ]
    )
    db.session.flush()

    def found(verified):
        query = organisations.list_query(organisations.OrganisationFilter(verified=verified))
        return set(db.session.scalars(query))

    assert {fund_made, done} <= found(True) and waiting not in found(True)
    assert found(False) == {waiting}
    rows = {r.organisation: r for r in organisations.rows(db.session, [fund_made, waiting, done])}
    assert rows[fund_made].verified and not rows[fund_made].registered
    assert not rows[waiting].verified and rows[done].verified
    assert organisations.waiting_for_verification(db.session, 10) == ([waiting], 1)


def test_marking_many_read_leaves_another_users_alone(grantee, officer):
    mine = factories.notification(grantee)
    theirs = factories.notification(officer)
    assert notifications.mark_many_read(db.session, grantee, [mine, theirs]) == 1
    assert mine.read_at is not None and theirs.read_at is None
    assert notifications.mark_many_read(db.session, grantee, [mine]) == 0
