"""The open-data files validate against the standards' schemas whatever the projects hold."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Project, ProjectStatus, Region, TrancheStatus
from fundtracker.services.opendata import Publisher, giving, iati
from tests import factories

PUBLISHER = Publisher(org_id="KZ-BIN-220140000008", name="Қор", prefix="360G-kztest")

# Any character a database can store (PostgreSQL refuses NUL), with Kazakh letters, controls,
# bidirectional marks, emoji and non-characters made likely.
SPECIAL = "әғқңөұүһіӘҒҚҢӨҰҮҺІ\x01\x07\x0b\x1f\x7f\u200b\u202e\ufeff\ufffe\uffff😀\t\n\r"
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPECIAL), st.characters(blacklist_characters="\x00", codec="utf-8")
    ),
    max_size=60,
)
project_spec = st.fixed_dictionaries(
    {
        "title_kk": texts,
        "title_ru": texts,
        "title_en": texts,
        "summary_kk": texts,
        "summary_en": texts,
        "org_name": texts,
        "awarded": st.one_of(st.just(0), st.integers(0, 9 * 10**18)),
        "paid": st.lists(st.integers(1, 10**15), max_size=3),
        "regions": st.integers(0, 3),
        "status": st.sampled_from(list(ProjectStatus)),
        "days": st.integers(0, 4000),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(project_spec, min_size=1, max_size=3))
def test_files_validate_on_any_projects(session, specs):
    nested = session.begin_nested()
    try:
        # Only the projects made here are public.
        db.session.execute(Project.__table__.update().values(confidential=True))
        regions = list(db.session.scalars(select(Region).order_by(Region.code)))
        made = []
        for n, spec in enumerate(specs):
            start = date(2024, 1, 1) + timedelta(days=spec["days"] % 700)
            project = factories.ProjectFactory(
                code=f"HYP-{n}",
                title_kk=spec["title_kk"],
                title_ru=spec["title_ru"],
                title_en=spec["title_en"],
                summary_kk=spec["summary_kk"],
                summary_ru="",
                summary_en=spec["summary_en"],
                organisation=factories.OrganisationFactory(name=spec["org_name"]),
                awarded_amount=spec["awarded"],
                status=spec["status"],
                start_date=start,
                end_date=start + timedelta(days=spec["days"]),
                agreement_signed_on=start - timedelta(days=3),
                regions=regions[: spec["regions"]] or None,
            )
            if spec["regions"] == 0:
                project.regions = []
            for i, amount in enumerate(spec["paid"]):
                factories.TrancheFactory(
                    project=project,
                    amount=amount,
                    status=TrancheStatus.PAID,
                    paid_on=start + timedelta(days=i),
                )
            made.append(project)
        db.session.flush()

        package = giving.build(db.session, PUBLISHER)
        assert giving.validate(package) == []
        assert [g["id"] for g in package["grants"]] == [
            f"360G-kztest-HYP-{n}" for n in range(len(specs))
        ]
        for grant, spec in zip(package["grants"], specs, strict=True):
            assert (
                grant["amountAwarded"] * 100 == spec["awarded"]
                or abs(grant["amountAwarded"] - spec["awarded"] / 100) <= 1e-9 * spec["awarded"]
            )
            assert ("beneficiaryLocation" in grant) == (spec["regions"] > 0)
        # The JSON round-trips, and the spreadsheet opens with every grant in it.
        assert json.loads(giving.to_json(package)) == package
        book = openpyxl.load_workbook(io.BytesIO(giving.to_xlsx(package)))
        assert book["grants"].max_row == len(specs) + 1

        xml = iati.build(db.session, PUBLISHER)
        assert iati.validate(xml) == []
        root = etree.fromstring(xml)
        for activity, spec in zip(root.findall("iati-activity"), specs, strict=True):
            committed = activity.find("transaction/value").text
            assert int(committed.replace(".", "")) == spec["awarded"] or committed == str(
                spec["awarded"] // 100
            )
            assert len(activity.findall("transaction")) == 1 + len(spec["paid"])
    finally:
        nested.rollback()
        db.session.expunge_all()  # rows rolled back: their ids come again
