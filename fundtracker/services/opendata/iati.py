"""The fund's grants as IATI activities (standard 2.03), with their published outcome figures,
and validation against the standard's own XSD.

One `iati-activity` per public project (fundtracker.services.transparency), elements in the
XSD's order:

- `iati-identifier` FUND_ORG_ID-<project code>; `reporting-org` the fund (type 60, foundation);
- `title` and `description` with a narrative per language the project has (kk, ru, en, each
  with its xml:lang);
- `participating-org`: the fund funds (role 1), the partner implements (role 4), KZ-BIN-<bin>;
- `activity-status` from the project's status (ActivityStatus codelist: active and at risk 2
  implementation, suspended 6, completed 3 finalisation, closed 4); `activity-date` planned
  start and end (1, 3), actual start (2) once the start date has come, actual end (4) once the
  project is completed or closed;
- `recipient-country` KZ, and a `location` per region: IATI's `recipient-region` is for
  supranational regions and its geographic vocabularies have no ISO 3166-2 code, so a region is
  a location whose `ref` is its ISO 3166-2:KZ code, named in each language, an administrative
  region (class 1) of country KZ (vocabulary A4, level 0), reaching intended beneficiaries (2);
- `sector`: the programme area as a DAC 5-digit purpose code (SECTORS below);
- one `budget` (the award over the project's dates) and `transaction`s: the commitment (type 2)
  on the agreement's signing, a disbursement (type 3) per paid tranche on its payment date; all
  amounts exact in KZT;
- `result`s: only figures of published periods (not overlapping: see _without_overlaps), read
  through fundtracker.services.publications
  (stored, protected cells). A hidden cell is left out (never a mark, never a number), and no
  figure from 1 to 4 is ever written (fundtracker.disclosure.unsafe), not even a target or a
  baseline. A measure with no figure to show in any published period has no result.
"""

from __future__ import annotations

from functools import cache

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import today
from fundtracker.disclosure import unsafe
from fundtracker.models import (
    Project,
    ProjectIndicator,
    ProjectStatus,
    PublishedCell,
    StandardIndicator,
)
from fundtracker.services.opendata.common import (
    STANDARDS,
    Publisher,
    iso_datetime,
    line,
    per_language,
    public_projects,
    tenge_decimal,
)
from fundtracker.services.publications.cells import measure_of
from fundtracker.services.publications.read import REACHED, Figure, figure_of, publications

VERSION = "2.03"
XSD = STANDARDS / "iati" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

STATUS = {
    ProjectStatus.ACTIVE: "2",
    ProjectStatus.AT_RISK: "2",
    ProjectStatus.SUSPENDED: "6",
    ProjectStatus.COMPLETED: "3",
    ProjectStatus.CLOSED: "4",
}
# Programme area -> DAC 5-digit purpose code (vocabulary 1): the fund's healthcare grants pay for
# medical care of children (12191 Medical services), its education grants for schooling (11220
# Primary education), its social protection grants for social services (16010 Social
# protection). An area added later and not mapped here is 99810 (sectors not specified).
SECTORS = {"healthcare": "12191", "education": "11220", "social_protection": "16010"}
UNSPECIFIED_SECTOR = "99810"
FOUNDATION = "60"  # OrganisationType codelist
REACHED_TITLE = (("kk", "Қамтылған адамдар"), ("ru", "Охвачено людей"), ("en", "People reached"))


def _narratives(parent: etree._Element, texts: list[tuple[str | None, str]]) -> None:
    for lang, value in texts:
        narrative = etree.SubElement(parent, "narrative")
        if lang:
            narrative.set(XML_LANG, lang)
        narrative.text = value


def _value(parent, tiyn: int, day) -> None:
    value = etree.SubElement(parent, "value", {"currency": "KZT", "value-date": day.isoformat()})
    value.text = tenge_decimal(tiyn)


def _shown(number: int | None) -> bool:
    return number is not None and not unsafe(number)


def _figure_value(figure: Figure) -> int | None:
    """A published figure's value if it may be written: not hidden, reported, not 1 to 4."""
    if figure.hidden or figure.nothing or not _shown(figure.value):
        return None
    return figure.value


def _indicators(session: Session, project_ids: list[int]) -> dict:
    """{(project id, measure): ProjectIndicator} for the indicators behind project cells."""
    out = {}
    if not project_ids:
        return out
    for ind in session.scalars(
        select(ProjectIndicator).where(ProjectIndicator.project_id.in_(project_ids))
    ):
        out[(ind.project_id, ("ind", ind.id))] = ind
        if ind.standard_id is not None:
            out.setdefault((ind.project_id, ("std", ind.standard_id)), ind)
    return out


def _figures(session: Session, project_ids: list[int]) -> dict:
    """{project id: [(publication, {measure: Figure})]}, newest period first: what
    publications.read.project_figures gives for one project, for all of them in two queries."""
    found: dict[int, dict] = {}
    if project_ids:
        for cell in session.scalars(
            select(PublishedCell).where(
                PublishedCell.table == "project", PublishedCell.project_id.in_(project_ids)
            )
        ):
            measure = measure_of(cell.standard_id, cell.indicator_id)
            by_publication = found.setdefault(cell.project_id, {})
            by_publication.setdefault(cell.publication_id, {})[measure] = figure_of(cell)
    ordered = publications(session) if found else []
    return {
        project_id: [(p, cells[p.id]) for p in ordered if p.id in cells]
        for project_id, cells in found.items()
    }


def _result_title(measure, indicator, standards) -> list[tuple[str | None, str]]:
    if measure == REACHED:
        return list(REACHED_TITLE)
    if measure[0] == "std" and measure[1] in standards:
        texts = per_language(standards[measure[1]], "name")
        if texts:
            return texts
    if indicator is not None and line(indicator.name):
        return [(None, line(indicator.name))]
    if indicator is not None and indicator.standard is not None:
        texts = per_language(indicator.standard, "name")
        if texts:
            return texts
    return [(None, f"{measure[0]}-{measure[1]}")]


def _without_overlaps(periods: list) -> list:
    """The fund publishes quarters, half-years and years; an IATI indicator's periods should not
    overlap. The shortest periods are kept first (quarters), then longer ones only where they
    overlap none kept (a year whose quarters show nothing still tells its figure); by start."""
    kept: list = []
    for item in sorted(
        periods, key=lambda p: (p[0].period_end - p[0].period_start, p[0].period_start)
    ):
        start, end = item[0].period_start, item[0].period_end
        if all(end < k[0].period_start or start > k[0].period_end for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda p: p[0].period_start)


def _results(activity, project: Project, figures, indicators, standards) -> None:
    by_measure: dict = {}
    for publication, cells in reversed(figures):  # oldest period first
        for measure, figure in cells.items():
            by_measure.setdefault(measure, []).append((publication, figure))
    for measure in sorted(by_measure, key=lambda m: (m[0], m[1])):
        periods = []
        for publication, figure in by_measure[measure]:
            actual = _figure_value(figure)
            target = figure.target if _shown(figure.target) else None
            if actual is not None or target is not None:
                periods.append((publication, target, actual))
        periods = _without_overlaps(periods)
        if not periods:
            continue
        indicator = indicators.get((project.id, measure))
        result = etree.SubElement(activity, "result", {"type": "1" if measure == REACHED else "2"})
        title = _result_title(measure, indicator, standards)
        _narratives(etree.SubElement(result, "title"), title)
        attrs = {"measure": "1"}
        if indicator is not None:
            attrs["ascending"] = "0" if indicator.direction == "lower" else "1"
        element = etree.SubElement(result, "indicator", attrs)
        _narratives(etree.SubElement(element, "title"), title)
        if indicator is not None and _shown(indicator.baseline):
            etree.SubElement(
                element,
                "baseline",
                {"year": str(project.start_date.year), "value": str(indicator.baseline)},
            )
        for publication, target, actual in periods:
            period = etree.SubElement(element, "period")
            etree.SubElement(
                period, "period-start", {"iso-date": publication.period_start.isoformat()}
            )
            etree.SubElement(period, "period-end", {"iso-date": publication.period_end.isoformat()})
            if target is not None:
                etree.SubElement(period, "target", {"value": str(target)})
            if actual is not None:
                etree.SubElement(period, "actual", {"value": str(actual)})


def activity_of(project: Project, publisher: Publisher, figures, indicators, standards, day):
    activity = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": iso_datetime(project.updated_at),
            "default-currency": "KZT",
        },
    )
    etree.SubElement(activity, "iati-identifier").text = f"{publisher.org_id}-{project.code}"
    reporting = etree.SubElement(
        activity, "reporting-org", {"ref": publisher.org_id, "type": FOUNDATION}
    )
    _narratives(reporting, [(None, line(publisher.name))])

    titles = per_language(project, "title") or [(None, project.code)]
    _narratives(etree.SubElement(activity, "title"), titles)
    summaries = per_language(project, "summary", one_line=False) or titles
    _narratives(etree.SubElement(activity, "description", {"type": "1"}), summaries)

    funding = etree.SubElement(
        activity, "participating-org", {"ref": publisher.org_id, "type": FOUNDATION, "role": "1"}
    )
    _narratives(funding, [(None, line(publisher.name))])
    partner = project.organisation
    implementing = etree.SubElement(
        activity, "participating-org", {"ref": partner.identifier, "role": "4"}
    )
    _narratives(implementing, [(None, line(partner.name))])

    etree.SubElement(activity, "activity-status", {"code": STATUS[project.status]})
    dates = [("1", project.start_date), ("3", project.end_date)]
    if project.start_date <= day:
        dates.insert(1, ("2", project.start_date))
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CLOSED):
        dates.append(("4", min(project.end_date, day)))
    for kind, when in dates:
        etree.SubElement(activity, "activity-date", {"type": kind, "iso-date": when.isoformat()})

    etree.SubElement(activity, "recipient-country", {"code": "KZ", "percentage": "100"})
    for region in project.regions:
        location = etree.SubElement(activity, "location", {"ref": region.code})
        etree.SubElement(location, "location-reach", {"code": "2"})
        names = per_language(region, "name") or [(None, region.code)]
        _narratives(etree.SubElement(location, "name"), names)
        etree.SubElement(
            location, "administrative", {"code": "KZ", "vocabulary": "A4", "level": "0"}
        )
        etree.SubElement(location, "exactness", {"code": "2"})
        etree.SubElement(location, "location-class", {"code": "1"})

    sector = etree.SubElement(
        activity,
        "sector",
        {
            "vocabulary": "1",
            "code": SECTORS.get(project.area.code, UNSPECIFIED_SECTOR),
            "percentage": "100",
        },
    )
    _narratives(sector, per_language(project.area, "name"))

    budget = etree.SubElement(activity, "budget", {"type": "1", "status": "2"})
    etree.SubElement(budget, "period-start", {"iso-date": project.start_date.isoformat()})
    etree.SubElement(budget, "period-end", {"iso-date": project.end_date.isoformat()})
    _value(budget, project.awarded_amount, project.start_date)

    signed = project.agreement_signed_on
    payments = [("2", signed, project.awarded_amount)] + [
        ("3", t.paid_on, t.amount) for t in project.tranches if t.is_paid and t.paid_on
    ]
    for kind, when, amount in payments:
        transaction = etree.SubElement(activity, "transaction")
        etree.SubElement(transaction, "transaction-type", {"code": kind})
        etree.SubElement(transaction, "transaction-date", {"iso-date": when.isoformat()})
        _value(transaction, amount, when)
        provider = etree.SubElement(transaction, "provider-org", {"ref": publisher.org_id})
        _narratives(provider, [(None, line(publisher.name))])
        receiver = etree.SubElement(transaction, "receiver-org", {"ref": partner.identifier})
        _narratives(receiver, [(None, line(partner.name))])

    _results(activity, project, figures, indicators, standards)
    return activity


def build(session: Session, publisher: Publisher) -> bytes:
    """The IATI activities file of every public project, as UTF-8 XML. With no public project
    it has no activity, which the XSD does not allow (`validate` says so)."""
    projects = public_projects(session)
    ids = [p.id for p in projects]
    indicators = _indicators(session, ids)
    standards = {s.id: s for s in session.scalars(select(StandardIndicator))}
    modified = max((p.updated_at for p in projects), default=None)
    root = etree.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": iso_datetime(modified)}
    )
    figures = _figures(session, ids)
    day = today()
    for project in projects:
        root.append(
            activity_of(project, publisher, figures.get(project.id, []), indicators, standards, day)
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def _schema() -> etree.XMLSchema:
    # The XSD imports xml.xsd and includes iati-common.xsd by relative paths: parsed from its
    # file, both come from the same folder; no network access is allowed.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def validate(xml: bytes) -> list[str]:
    """Every error of `xml` against the IATI activities 2.03 XSD, as "line N: message" lines
    (empty when valid)."""
    try:
        document = etree.fromstring(
            xml, etree.XMLParser(no_network=True, resolve_entities=False)
        ).getroottree()
    except etree.XMLSyntaxError as error:
        return [f"not well-formed: {error}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
