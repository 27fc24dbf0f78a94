"""Child well-being domains: the list an admin keeps (the eight the migration adds, codes
unique, a name required, a domain in use never deleted), the links officers set on standard
indicators, and the grouping that adds nothing up."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role, WellbeingDomain
from fundtracker.services import outcomes, wellbeing
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from tests import factories


def _domain(code: str) -> WellbeingDomain:
    return db.session.scalar(select(WellbeingDomain).where(WellbeingDomain.code == code))


def test_the_migration_adds_the_index_domains_in_order():
    found = wellbeing.domains(db.session)
    assert [d.code for d in found][:4] == ["HEALTH", "MENTAL", "EDUCATION", "PROTECTION"]
    assert {"MATERIAL", "FAMILY", "LIVING", "PARTICIPATION"} <= {d.code for d in found}
    for d in found:
        assert d.name_kk and d.name_ru and d.name_en and d.active
    assert _domain("PROTECTION").name("kk") == "Қорғау және қауіпсіздік"
    assert _domain("MATERIAL").name("ru") == "Материальное благополучие"


def test_an_admin_adds_a_domain_at_the_end_and_changes_it(admin):
    added = wellbeing.save_domain(
        db.session, admin, None, wellbeing.DomainData(" climate ", name_en="Climate")
    )
    assert added.code == "CLIMATE"
    assert wellbeing.domains(db.session)[-1] == added
    # A name in one language shows in every other.
    assert added.name("kk") == "Climate"
    wellbeing.save_domain(
        db.session,
        admin,
        added,
        wellbeing.DomainData("CLIMATE", name_kk="Климат", name_en="Climate", position=1),
    )
    assert wellbeing.domains(db.session)[0] == added and added.name("kk") == "Климат"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("wellbeing.%"))
    ).all()
    assert actions == ["wellbeing.domain_added", "wellbeing.domain_changed"]


@pytest.mark.parametrize(
    "data, field",
    [
        (wellbeing.DomainData("", name_en="Nameless code"), "code"),
        (wellbeing.DomainData("X" * 33, name_en="Long"), "code"),
        (wellbeing.DomainData("NONAME"), "name_kk"),
        (wellbeing.DomainData("health", name_en="Again"), "code"),
    ],
)
def test_a_domain_needs_a_unique_code_and_a_name(admin, data, field):
    before = len(wellbeing.domains(db.session))
    with pytest.raises(DomainError) as refused:
        wellbeing.save_domain(db.session, admin, None, data)
    assert refused.value.field == field
    db.session.rollback()
    assert len(wellbeing.domains(db.session)) == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BOARD, Role.GRANTEE, Role.REVIEWER])
def test_only_an_admin_keeps_the_list(role):
    user = (
        factories.UserFactory(grantee=True)
        if role == Role.GRANTEE
        else factories.UserFactory(role=role)
    )
    with pytest.raises(NotAllowed):
        wellbeing.save_domain(db.session, user, None, wellbeing.DomainData("X", name_en="X"))
    with pytest.raises(NotAllowed):
        wellbeing.delete_domain(db.session, user, _domain("LIVING"))


def test_a_domain_an_indicator_informs_is_not_deleted(admin, officer):
    standard = factories.StandardIndicatorFactory(code="W-KIDS")
    outcomes.edit_standard(
        db.session,
        officer,
        standard,
        outcomes.StandardData(
            code="W-KIDS", name_en="Kids", domain_ids=[_domain("HEALTH").id, _domain("LIVING").id]
        ),
    )
    assert [d.code for d in standard.domains] == ["HEALTH", "LIVING"]
    assert wellbeing.indicator_counts(db.session)[_domain("LIVING").id] == 1
    with pytest.raises(Conflict):
        wellbeing.delete_domain(db.session, admin, _domain("LIVING"))
    # Unlinked, it can go; the indicator keeps its other domain.
    outcomes.edit_standard(
        db.session,
        officer,
        standard,
        outcomes.StandardData(code="W-KIDS", name_en="Kids", domain_ids=[_domain("HEALTH").id]),
    )
    wellbeing.delete_domain(db.session, admin, _domain("LIVING"))
    assert _domain("LIVING") is None
    assert [d.code for d in standard.domains] == ["HEALTH"]


def test_an_unknown_domain_is_refused_and_none_leaves_the_links(officer):
    standard = factories.StandardIndicatorFactory(code="W-FAM")
    standard.domains = [_domain("FAMILY")]
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        outcomes.edit_standard(
            db.session,
            officer,
            standard,
            outcomes.StandardData(code="W-FAM", name_en="F", domain_ids=[2**30]),
        )
    assert refused.value.field == "domains"
    db.session.rollback()
    standard = db.session.get(type(standard), standard.id)
    outcomes.edit_standard(
        db.session, officer, standard, outcomes.StandardData(code="W-FAM", name_en="Families")
    )
    assert [d.code for d in standard.domains] == ["FAMILY"]


def test_a_domain_not_in_use_is_offered_only_where_it_is_linked(admin):
    living = _domain("LIVING")
    wellbeing.save_domain(
        db.session, admin, living, wellbeing.DomainData("LIVING", name_en="Living", active=False)
    )
    assert living not in wellbeing.choices_for(db.session)
    assert living in wellbeing.choices_for(db.session, [living])


def test_grouping_returns_the_items_themselves_in_their_order():
    a = factories.StandardIndicatorFactory(code="G-A")
    b = factories.StandardIndicatorFactory(code="G-B")
    c = factories.StandardIndicatorFactory(code="G-C")
    a.domains = [_domain("EDUCATION"), _domain("HEALTH")]
    b.domains = [_domain("HEALTH")]
    db.session.flush()
    items = [{"standard_id": s.id, "value": n} for n, s in enumerate((a, b, c))]
    groups = wellbeing.by_domain(
        db.session, items, "en", standard_of=lambda item: item["standard_id"]
    )
    assert [(g.code, [i["value"] for i in g.items]) for g in groups] == [
        ("HEALTH", [0, 1]),
        ("EDUCATION", [0]),
        (None, [2]),
    ]
    assert groups[0].items[0] is items[0]  # the same figure, not a copy or a sum
    assert groups[-1].name == "Not linked to a domain"
    assert wellbeing.by_domain(db.session, [], "en") == []
