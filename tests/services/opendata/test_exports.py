"""The open-data files (issue #20): 360Giving package and spreadsheet, IATI activities."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
from lxml import etree
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import (
    CellStatus,
    Project,
    ProjectStatus,
    Publication,
    PublishedCell,
    TrancheStatus,
)
from fundtracker.services import opendata
from fundtracker.services.opendata import Publisher, giving, iati
from fundtracker.services.transparency import public_project_clause
from tests import factories

PUBLISHER = Publisher(org_id="KZ-BIN-220140000008", name="Қор «Тест»", prefix="360G-kztest")
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def public_project(**kw):
    kw.setdefault("agreement_signed_on", date(2025, 1, 10))
    return factories.ProjectFactory(**kw)


def activities(xml: bytes) -> dict:
    root = etree.fromstring(xml)
    return {a.findtext("iati-identifier"): a for a in root.findall("iati-activity")}


def test_only_public_projects_are_published():
    shown = public_project(code="PUB-1")
    public_project(code="SECRET-1", confidential=True)
    factories.ProjectFactory(code="UNSIGNED-1", agreement_signed_on=None)

    package = giving.build(db.session, PUBLISHER)
    assert [g["id"] for g in package["grants"]] == ["360G-kztest-PUB-1"]
    assert giving.validate(package) == []
    grant = package["grants"][0]
    assert grant["recipientOrganization"] == [
        {"id": f"KZ-BIN-{shown.organisation.bin}", "name": shown.organisation.name}
    ]
    assert grant["fundingOrganization"] == [{"id": PUBLISHER.org_id, "name": PUBLISHER.name}]
    # No personal data: the partner's contact person appears nowhere.
    assert shown.organisation.contact_name not in json.dumps(package, ensure_ascii=False)

    xml = iati.build(db.session, PUBLISHER)
    assert iati.validate(xml) == []
    assert list(activities(xml)) == ["KZ-BIN-220140000008-PUB-1"]
    assert b"SECRET-1" not in xml and b"UNSIGNED-1" not in xml
    assert shown.organisation.contact_name.encode() not in xml


def test_grant_fields_amounts_in_tenge_and_places():
    call = factories.CallFactory()
    project = public_project(
        code="AMT-1",
        awarded_amount=123_456_78,
        title_en="",
        title_ru="Лечение детей",
        summary_en="",
        summary_ru="Лекарства",
        regions=[factories.region("KZ-71"), factories.region("KZ-75")],
    )
    factories.ApplicationFactory(
        call=call, organisation=project.organisation, project_id=project.id
    )
    factories.TrancheFactory(
        project=project, amount=10_000_00, status=TrancheStatus.PAID, paid_on=date(2025, 3, 1)
    )
    factories.TrancheFactory(project=project, amount=20_000_00)  # planned: not a disbursement
    db.session.flush()

    grant = giving.build(db.session, PUBLISHER)["grants"][0]
    assert grant["currency"] == "KZT"
    assert grant["amountAwarded"] == 123456.78
    assert grant["title"] == "Лечение детей"  # no English: Russian
    assert grant["description"] == "Лекарства"
    assert grant["awardDate"] == "2025-01-10"
    assert grant["plannedDates"] == [{"startDate": "2025-01-15", "endDate": "2026-12-31"}]
    assert [(b["geoCode"], b["countryCode"]) for b in grant["beneficiaryLocation"]] == [
        ("KZ-71", "KZ"),
        ("KZ-75", "KZ"),
    ]
    assert grant["classifications"][0]["code"] == "healthcare"
    assert grant["grantProgramme"][0]["code"] == f"call-{call.id}"
    assert grant["fromOpenCall"] == "Yes"

    activity = activities(iati.build(db.session, PUBLISHER))["KZ-BIN-220140000008-AMT-1"]
    transactions = [
        (
            t.find("transaction-type").get("code"),
            t.find("transaction-date").get("iso-date"),
            t.findtext("value"),
        )
        for t in activity.findall("transaction")
    ]
    assert transactions == [("2", "2025-01-10", "123456.78"), ("3", "2025-03-01", "10000")]
    assert activity.find("sector").get("code") == "12191"
    assert [loc.get("ref") for loc in activity.findall("location")] == ["KZ-71", "KZ-75"]
    titles = {n.get(LANG): n.text for n in activity.find("title").findall("narrative")}
    assert titles["ru"] == "Лечение детей" and "en" not in titles
    assert titles["kk"] == project.title_kk


def test_status_and_dates_follow_the_project():
    public_project(code="DONE-1", status=ProjectStatus.CLOSED)
    activity = activities(iati.build(db.session, PUBLISHER))["KZ-BIN-220140000008-DONE-1"]
    assert activity.find("activity-status").get("code") == "4"
    kinds = {d.get("type") for d in activity.findall("activity-date")}
    assert kinds == {"1", "2", "3", "4"}


def _publication(period, start, end):
    publication = Publication(period=period, period_start=start, period_end=end)
    db.session.add(publication)
    db.session.flush()
    return publication


def _cell(publication, project, indicator, value, status=CellStatus.SHOWN, target=None):
    db.session.add(
        PublishedCell(
            publication_id=publication.id,
            standard_id=indicator.standard_id,
            table="project",
            project_id=project.id,
            value=value,
            reports=1,
            projects=1,
            target=target,
            status=status,
        )
    )


def test_results_come_only_from_published_protected_cells():
    project = public_project(code="RES-1")
    indicator = factories.ProjectIndicatorFactory(project=project, baseline=2, target=100)
    q1 = _publication("2025-Q1", date(2025, 1, 1), date(2025, 3, 31))
    q2 = _publication("2025-Q2", date(2025, 4, 1), date(2025, 6, 30))
    q3 = _publication("2025-Q3", date(2025, 7, 1), date(2025, 9, 30))
    _cell(q1, project, indicator, 40, target=100)
    _cell(q2, project, indicator, 3, CellStatus.PRIMARY, target=100)
    _cell(q3, project, indicator, 987654, CellStatus.SECONDARY)
    # Years: 2025 overlaps the quarters kept (left out); 2024 has no quarter (kept).
    _cell(_publication("2025", date(2025, 1, 1), date(2025, 12, 31)), project, indicator, 246810)
    _cell(_publication("2024", date(2024, 1, 1), date(2024, 12, 31)), project, indicator, 70)
    # A raw result never published: it must not appear.
    factories.indicator_result(indicator, date(2025, 10, 1), 55555)
    db.session.flush()

    xml = iati.build(db.session, PUBLISHER)
    assert iati.validate(xml) == []
    activity = activities(xml)["KZ-BIN-220140000008-RES-1"]
    results = activity.findall("result")
    assert len(results) == 1
    element = results[0].find("indicator")
    # The baseline 2 is a count below 5: left out.
    assert element.find("baseline") is None
    periods = {
        p.find("period-start").get("iso-date"): (
            p.find("target").get("value") if p.find("target") is not None else None,
            p.find("actual").get("value") if p.find("actual") is not None else None,
        )
        for p in element.findall("period")
    }
    # Q1 shown; Q2 hidden (the target stays, the count does not); Q3 hidden, no target: no period.
    assert periods == {
        "2024-01-01": (None, "70"),
        "2025-01-01": ("100", "40"),
        "2025-04-01": ("100", None),
    }
    assert b"987654" not in xml and b"246810" not in xml and b"55555" not in xml
    assert b'value="3"' not in xml and b'value="2"' not in xml


def test_an_empty_fund_gives_an_empty_package_that_says_why():
    db.session.execute(
        Project.__table__.update().values(confidential=True)
    )  # whatever the database holds, nothing public
    package = giving.build(db.session, PUBLISHER)
    assert package["grants"] == []
    assert any("non-empty" in e for e in giving.validate(package))
    # Both standards want at least one grant: the files are still well-formed.
    assert any("iati-activity" in e for e in iati.validate(iati.build(db.session, PUBLISHER)))


def test_xlsx_has_the_grants(tmp_path):
    public_project(code="XL-1", title_en="Spreadsheet grant")
    paths = opendata.write_all(db.session, tmp_path, PUBLISHER)
    assert sorted(p.name for p in paths) == sorted(f.name for f in opendata.FILES)
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "360giving.xlsx").read_bytes()))
    rows = list(book["grants"].iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert header[:2] == ("Identifier", "Title")
    assert first[:2] == ("360G-kztest-XL-1", "Spreadsheet grant")
    assert first[header.index("Currency")] == "KZT"
    assert first[header.index("Recipient Org:Identifier")].startswith("KZ-BIN-")
    package = json.loads((tmp_path / "360giving.json").read_bytes())
    assert opendata.validate_giving(package) == []
    assert opendata.validate_iati((tmp_path / "iati-activities.xml").read_bytes()) == []


def test_invalid_data_is_reported():
    assert giving.validate({"grants": [{"id": "x"}]})
    assert iati.validate(b"<iati-activities/>")
    assert iati.validate(b"not xml")


def test_the_demo_data_validates():
    from fundtracker.demo import seed_demo

    seed_demo(db.session)
    db.session.flush()
    public = db.session.scalar(
        select(func.count()).select_from(Project).where(public_project_clause())
    )
    assert public > 0

    package = giving.build(db.session, PUBLISHER)
    assert giving.validate(package) == []
    assert len(package["grants"]) == public
    assert all(g["recipientOrganization"][0]["id"].startswith("KZ-BIN-") for g in package["grants"])
    book = openpyxl.load_workbook(io.BytesIO(giving.to_xlsx(package)))
    assert book["grants"].max_row == public + 1

    xml = iati.build(db.session, PUBLISHER)
    assert iati.validate(xml) == []
    root = etree.fromstring(xml)
    assert len(root.findall("iati-activity")) == public
    values = [int(v) for v in root.xpath("//result//actual/@value | //result//target/@value")]
    assert values and not any(0 < v < 5 for v in values)
