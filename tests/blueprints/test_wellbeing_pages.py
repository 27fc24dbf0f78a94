"""Child well-being domains in the pages: the admin's list (add, change, take out of use,
delete one no indicator informs), an officer linking a standard indicator to domains on its
form, and the library showing them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import Role, WellbeingDomain
from tests import factories


def _domain(code: str) -> WellbeingDomain | None:
    return db.session.scalar(select(WellbeingDomain).where(WellbeingDomain.code == code))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(WellbeingDomain))


def test_the_admin_sees_the_list_with_how_many_indicators_inform_each(login, admin):
    standard = factories.StandardIndicatorFactory(code="PAGE-KIDS")
    standard.domains = [_domain("HEALTH")]
    db.session.commit()
    html = login(admin).get("/outcomes/domains").get_data(as_text=True)
    rows = re.findall(r'<tr data-domain="(\w+)">.*?data-count>(\d+)<', html, re.S)
    assert rows[:3] == [("HEALTH", "1"), ("MENTAL", "0"), ("EDUCATION", "0")]
    assert len(rows) == 8


def test_the_admin_adds_a_domain_and_a_mistake_is_told_in_russian(login):
    admin = factories.UserFactory(role=Role.ADMIN, locale="ru")
    client = login(admin)
    before = _count()
    refused = client.post("/outcomes/domains", data={"code": "health", "name_ru": "Ещё раз"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Такой код уже есть у другой сферы." in html
    assert 'value="Ещё раз"' in html  # what was typed is kept
    assert _count() == before
    nameless = client.post("/outcomes/domains", data={"code": "ECO"})
    assert nameless.status_code == 422 and _count() == before
    added = client.post(
        "/outcomes/domains", data={"code": "eco", "name_ru": "Экология", "active": "y"}
    )
    assert added.status_code == 302
    assert _domain("ECO").name("ru") == "Экология"


def test_the_admin_renames_and_takes_a_domain_out_of_use(login, admin, officer):
    living = _domain("LIVING")
    response = login(admin).post(
        f"/outcomes/domains/{living.id}",
        data={"code": "LIVING", "name_en": "Housing and surroundings", "position": "5"},
    )
    assert response.status_code == 302
    db.session.refresh(living)
    assert living.name("en") == "Housing and surroundings" and not living.active
    assert living.position == 5
    # No longer offered on an indicator's form.
    form = login(officer).get("/outcomes/indicators/new").get_data(as_text=True)
    assert f'value="{living.id}"' not in _domain_options(form)


def _domain_options(html: str) -> str:
    return re.search(r'<fieldset[^>]*id="domain_ids".*?</fieldset>', html, re.S).group(0)


def test_a_domain_in_use_is_not_deleted_an_unused_one_is(login, admin):
    standard = factories.StandardIndicatorFactory(code="PAGE-FAM")
    family, leisure = _domain("FAMILY"), _domain("PARTICIPATION")
    standard.domains = [family]
    db.session.commit()
    client = login(admin)
    page = client.get(f"/outcomes/domains/{family.id}").get_data(as_text=True)
    assert 'id="domain-used"' in page and "/delete" not in page
    refused = client.post(f"/outcomes/domains/{family.id}/delete", follow_redirects=True)
    assert "unlink them first" in refused.get_data(as_text=True)
    assert _domain("FAMILY") is not None
    page = client.get(f"/outcomes/domains/{leisure.id}").get_data(as_text=True)
    assert f"/outcomes/domains/{leisure.id}/delete" in page
    deleted = client.post(f"/outcomes/domains/{leisure.id}/delete")
    assert deleted.status_code == 302
    assert _domain("PARTICIPATION") is None


def test_an_officer_links_an_indicator_to_domains_on_its_form(login, officer):
    standard = factories.StandardIndicatorFactory(code="PAGE-EDU", name_en="Children at school")
    db.session.commit()
    client = login(officer)
    form = client.get(f"/outcomes/indicators/{standard.id}/edit").get_data(as_text=True)
    options = _domain_options(form)
    assert "Education and skills" in options and "checked" not in options
    education, material = _domain("EDUCATION"), _domain("MATERIAL")
    response = client.post(
        f"/outcomes/indicators/{standard.id}/edit",
        data={
            "code": "PAGE-EDU",
            "name_en": "Children at school",
            "type": "count",
            "active": "y",
            "domain_ids": [str(education.id), str(material.id)],
            "version": str(standard.version_id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.refresh(standard)
    assert [d.code for d in standard.domains] == ["EDUCATION", "MATERIAL"]
    form = client.get(f"/outcomes/indicators/{standard.id}/edit").get_data(as_text=True)
    checked = re.findall(
        r'<input[^>]*checked[^>]*value="(\d+)"|<input[^>]*value="(\d+)"[^>]*checked',
        _domain_options(form),
    )
    assert {a or b for a, b in checked} == {str(education.id), str(material.id)}
    library = client.get("/outcomes/indicators").get_data(as_text=True)
    row = re.search(r'<tr data-code="PAGE-EDU">.*?</tr>', library, re.S).group(0)
    assert re.findall(r'data-domain="(\w+)"', row) == ["EDUCATION", "MATERIAL"]
    # A made-up domain id is refused on the form, and the links stay.
    refused = client.post(
        f"/outcomes/indicators/{standard.id}/edit",
        data={
            "code": "PAGE-EDU",
            "name_en": "Children at school",
            "type": "count",
            "domain_ids": ["999999"],
            "version": str(standard.version_id),
        },
    )
    assert refused.status_code == 422
    db.session.refresh(standard)
    assert [d.code for d in standard.domains] == ["EDUCATION", "MATERIAL"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BOARD, Role.REVIEWER])
def test_only_the_admin_reaches_the_list(login, role):
    client = login(factories.UserFactory(role=role))
    assert client.get("/outcomes/domains").status_code == 403
    assert client.post("/outcomes/domains", data={"code": "X", "name_en": "X"}).status_code == 403
