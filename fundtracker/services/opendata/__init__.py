"""The fund's grants as open data (issue #20): the 360Giving package (JSON and its spreadsheet)
and the IATI activities file (2.03), each of the public projects only
(fundtracker.services.transparency), validated against the standards' own schemas (copies in
fundtracker/standards/).

    common.py   the publisher (settings), the public projects, text as published
    giving.py   360Giving: build, to_json, to_xlsx, validate
    iati.py     IATI: build (bytes), validate

The files are made from data only (no request, no user): the web serves them to anyone, and
`write_all` writes them for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from fundtracker.services.opendata import giving, iati
from fundtracker.services.opendata.common import Publisher


@dataclass(frozen=True)
class File:
    name: str
    mimetype: str


GIVING_JSON = File("360giving.json", "application/json")
GIVING_XLSX = File(
    "360giving.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
IATI_XML = File("iati-activities.xml", "application/xml")
FILES = (GIVING_JSON, GIVING_XLSX, IATI_XML)


def validate_giving(package: dict) -> list[str]:
    """The 360Giving package's errors against the package schema (empty when valid)."""
    return giving.validate(package)


def validate_iati(xml: bytes) -> list[str]:
    """The IATI file's errors against the activities XSD (empty when valid)."""
    return iati.validate(xml)


def build(session: Session, file: File, publisher: Publisher) -> bytes:
    """One of FILES, as bytes."""
    if file is IATI_XML:
        return iati.build(session, publisher)
    package = giving.build(session, publisher)
    return giving.to_json(package) if file is GIVING_JSON else giving.to_xlsx(package)


def write_all(session: Session, folder, publisher: Publisher | None = None) -> list[Path]:
    """Write the three files into `folder` (made if missing); returns their paths. Without a
    publisher, the settings of the current app (FUND_ORG_ID, FUND_NAME, OPENDATA_360G_PREFIX)."""
    if publisher is None:
        publisher = Publisher.from_config(current_app.config)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    package = giving.build(session, publisher)
    contents = {
        GIVING_JSON: giving.to_json(package),
        GIVING_XLSX: giving.to_xlsx(package),
        IATI_XML: iati.build(session, publisher),
    }
    paths = []
    for file, data in contents.items():
        path = folder / file.name
        path.write_bytes(data)
        paths.append(path)
    return paths


__all__ = [
    "FILES",
    "GIVING_JSON",
    "GIVING_XLSX",
    "IATI_XML",
    "File",
    "Publisher",
    "build",
    "validate_giving",
    "validate_iati",
    "write_all",
]
