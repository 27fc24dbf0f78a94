"""The open-data downloads: public, with their content types, file names and caching."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from lxml import etree

from fundtracker.core.extensions import db
from fundtracker.services import opendata
from tests import factories


@pytest.fixture(autouse=True)
def fresh_files(app):
    """Each test's data is rolled back, and the data version with it: files kept by an earlier
    test under the same version number must not be served to this one."""
    app.extensions.pop("fundtracker_opendata", None)
    yield
    app.extensions.pop("fundtracker_opendata", None)


@pytest.fixture
def project():
    project = factories.ProjectFactory(code="OPEN-1", agreement_signed_on=date(2025, 1, 10))
    factories.ProjectFactory(
        code="HUSH-1", agreement_signed_on=date(2025, 1, 10), confidential=True
    )
    db.session.commit()
    return project


@pytest.mark.parametrize(
    ("url", "mimetype", "name"),
    [
        ("/open-data/360giving.json", "application/json", "360giving.json"),
        (
            "/open-data/360giving.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "360giving.xlsx",
        ),
        ("/open-data/iati-activities.xml", "application/xml", "iati-activities.xml"),
    ],
)
def test_files_are_public(client, project, url, mimetype, name):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert b"OPEN-1" in response.data or name.endswith("xlsx")
    assert b"HUSH-1" not in response.data


def test_json_and_xml_validate(client, project):
    package = json.loads(client.get("/open-data/360giving.json").data)
    assert opendata.validate_giving(package) == []
    assert [g["id"] for g in package["grants"]][-1].endswith("-OPEN-1")
    xml = client.get("/open-data/iati-activities.xml").data
    assert opendata.validate_iati(xml) == []
    assert etree.fromstring(xml).tag == "iati-activities"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/open-data/360giving.xlsx").data))
    ids = [row[0] for row in book["grants"].iter_rows(min_row=2, values_only=True)]
    assert any(i.endswith("-OPEN-1") for i in ids) and not any("HUSH" in i for i in ids)


def test_a_file_is_built_once_per_data_version(client, project, monkeypatch):
    built = []
    real = opendata.build

    def counting(*args, **kwargs):
        built.append(args[1].name)
        return real(*args, **kwargs)

    monkeypatch.setattr(opendata, "build", counting)
    first = client.get("/open-data/360giving.json")
    second = client.get("/open-data/360giving.json")
    assert built == ["360giving.json"] and first.data == second.data

    # Asked with its ETag: nothing new to send.
    again = client.get(
        "/open-data/360giving.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""

    # A committed change is a new data version: the file is built again and shows it.
    project.title_en = "A new English title"
    db.session.commit()
    third = client.get("/open-data/360giving.json")
    assert built == ["360giving.json", "360giving.json"]
    assert b"A new English title" in third.data
    assert third.headers["ETag"] != first.headers["ETag"]
