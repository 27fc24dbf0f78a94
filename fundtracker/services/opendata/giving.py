"""The fund's grants in the 360Giving Data Standard (1.4): the package JSON, its spreadsheet form
made by flattentool, and validation against the standard's own package schema.

One grant per public project (fundtracker.services.transparency):

- `id`: the fund's registered 360Giving prefix (OPENDATA_360G_PREFIX) and the project's code;
- `title`, `description`: in English where the project has it, else Russian, else Kazakh (the
  standard has one language per field; the IATI file carries all three);
- `currency` KZT and `amountAwarded` in tenge (stored in tiyn); `awardDate` the agreement's
  signing; `plannedDates` the project's start and end;
- `recipientOrganization` `KZ-BIN-<bin>` and its name (no contact person: no personal data);
  `fundingOrganization` the fund (FUND_ORG_ID, FUND_NAME);
- `beneficiaryLocation` one per region, with its ISO 3166-2:KZ code as `geoCode`. The
  standard's geoCodeType codelist has only UK (ONS) code types, none for ISO 3166-2, so
  `geoCodeType` is left out rather than filled with a code that means something else; the grant's
  `locationScope` says GLS040 (first-level subnational areas: regions and the cities of national
  significance are both);
- `classifications` the programme area, `grantProgramme` (and `fromOpenCall`) the call the
  project's application answered, if any; `dateModified` the project's last change.

No outcome figures go into this file: 360Giving has no field for them, and the IATI file carries
the published, protected ones.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012
from sqlalchemy.orm import Session

from fundtracker.models import Project
from fundtracker.services.opendata.common import (
    STANDARDS,
    Publisher,
    calls_of,
    first_language,
    iso_datetime,
    line,
    public_projects,
    tenge,
)

VERSION = "1.4"
PACKAGE_SCHEMA = STANDARDS / "360giving" / "360-giving-package-schema.json"
GRANT_SCHEMA = STANDARDS / "360giving" / "360-giving-schema.json"
SUBNATIONAL = "GLS040"  # locationScope codelist: first-level subnational administrative area


def grant_of(project: Project, publisher: Publisher, call=None) -> dict:
    title = first_language(project, "title") or project.code
    grant: dict = {
        "id": f"{publisher.prefix}-{project.code}",
        "title": title,
        "description": first_language(project, "summary", one_line=False) or title,
        "currency": "KZT",
        "amountAwarded": tenge(project.awarded_amount),
        "awardDate": project.agreement_signed_on.isoformat(),
        "plannedDates": [
            {"startDate": project.start_date.isoformat(), "endDate": project.end_date.isoformat()}
        ],
        "recipientOrganization": [
            {"id": project.organisation.identifier, "name": line(project.organisation.name)}
        ],
        "fundingOrganization": [{"id": publisher.org_id, "name": publisher.name}],
    }
    if project.regions:
        grant["beneficiaryLocation"] = [
            {"name": first_language(r, "name"), "countryCode": "KZ", "geoCode": r.code}
            for r in project.regions
        ]
        grant["locationScope"] = SUBNATIONAL
    grant["classifications"] = [
        {
            "vocabulary": f"{publisher.org_id}-programme-areas",
            "code": project.area.code,
            "title": first_language(project.area, "name"),
        }
    ]
    if call is not None:
        grant["grantProgramme"] = [
            {"code": f"call-{call.id}", "title": first_language(call, "title")}
        ]
        grant["fromOpenCall"] = "Yes"
    grant["dateModified"] = iso_datetime(project.updated_at)
    return grant


def build(session: Session, publisher: Publisher) -> dict:
    """The 360Giving package of every public project. With no public project the package has
    no grants, which the package schema does not allow (`validate` says so; the file is still
    served, well-formed)."""
    projects = public_projects(session)
    calls = calls_of(session, projects)
    grants = [grant_of(p, publisher, calls.get(p.id)) for p in projects]
    modified = max((p.updated_at for p in projects), default=None)
    return {
        "grants": grants,
        "version": VERSION,
        "title": f"{publisher.name}: grants",
        "modified": iso_datetime(modified),
        "publisher": {"identifier": publisher.org_id, "name": publisher.name},
        "license": publisher.license,
    }


def to_json(package: dict) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2).encode()


# --- validation -------------------------------------------------------------------------------


@cache
def _schemas() -> tuple[dict, Registry]:
    package = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    grant = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    # The files declare draft 2020-12 as "http://json-schema.org/draft/2020-12/schema" (the
    # official spelling is https), which libraries do not recognise: the draft is named here.
    resource = DRAFT202012.create_resource(grant)
    # The package refers to the grant schema by a URL (of release 1.4.2 while the copy is 1.4.3):
    # every URL ending in the grant schema's file name is the local copy; nothing is fetched.
    urls = {grant["$id"], package["properties"]["grants"]["items"]["$ref"]}

    def offline(uri: str):
        raise NoSuchResource(ref=uri)

    registry = Registry(retrieve=offline).with_resources((url, resource) for url in urls)
    return package, registry


def validate(package: dict) -> list[str]:
    """Every error of `package` against the 360Giving package schema, with format checking,
    as "path: message" lines (empty when valid). The schemas are JSON Schema 2020-12 (from
    release 1.4.3 on; the earlier ones were draft 4), so the validator is that draft's."""
    schema, registry = _schemas()
    validator = Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(package)'}: {e.message}" for e in errors]


# --- the spreadsheet --------------------------------------------------------------------------


@cache
def _flat_schema() -> str:
    """The grant schema in a file, as 360Giving's own tools flatten with it (the grants under
    "grants"), without its `$id`: flattentool resolves the schema's `#/$defs/...` references
    against its `$id` and would fetch the URL."""
    grant = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    grant.pop("$id", None)
    grant.pop("$schema", None)
    folder = Path(tempfile.mkdtemp(prefix="fundtracker-360g-"))
    path = folder / "360-giving-schema.json"
    path.write_text(json.dumps(grant), encoding="utf-8")
    return str(path)


def to_xlsx(package: dict) -> bytes:
    """The package's grants as the 360Giving spreadsheet (flattentool, column titles from the
    grant schema, one-item lists such as the recipient rolled up into the grants sheet).
    flattentool warns of the schema's transaction lists that have no titles: not ours."""
    from flattentool import flatten

    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="opendata-") as folder:
        warnings.simplefilter("ignore")
        source = Path(folder) / "grants.json"
        source.write_bytes(to_json(package))
        target = Path(folder) / "grants.xlsx"
        flatten(
            str(source),
            schema=_flat_schema(),
            output_name=str(target),
            output_format="xlsx",
            main_sheet_name="grants",
            root_list_path="grants",
            use_titles=True,
            rollup=True,
            remove_empty_schema_columns=True,
        )
        return target.read_bytes()
