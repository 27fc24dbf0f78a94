"""Turning a report's plain data into a PDF: Jinja templates (autoescaped) printed by WeasyPrint
with a URL fetcher that serves the app's bundled static files and refuses everything else.

Charts are inline SVG from fundtracker.web.charts, and fonts come from fontconfig (DejaVu), so the
only thing ever fetched is the print stylesheet.

Every PDF is tagged and declares two standards at once, PDF/A-2a (archival, level "accessible")
and PDF/UA-1 (universal accessibility); see PDF_VARIANT and declare_pdfua.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from babel.numbers import format_compact_decimal
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from fundtracker.core.i18n import format_money
from fundtracker.web import charts

# Bump when the templates or the print CSS change what a report looks like: stored reports with
# an older version are rebuilt.
TEMPLATE_VERSION = "4"
# Bundled assets are addressed under this origin, which is never fetched over the network: the
# fetcher maps it to the app's static folder. `.invalid` cannot resolve (RFC 2606).
ASSET_ORIGIN = "https://assets.fundtracker.invalid/static/"
ASSET_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class BundledAssetFetcher(URLFetcher):
    """Serves files of the app's static folder (CSS, SVG, PNG) under ASSET_ORIGIN; refuses every
    other URL: file://, data:, http(s) elsewhere, paths that climb out of the folder. Keeps a log
    of what it was asked for."""

    def __init__(self, root: Path):
        # No protocol at all for the parent: nothing reaches urllib even by mistake.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.root = root.resolve()
        self.requested: list[str] = []
        self.served: list[str] = []
        self.refused: list[str] = []

    def local_path(self, url: str) -> Path | None:
        if not url.startswith(ASSET_ORIGIN):
            return None
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            return None
        relative = unquote(parts.path).removeprefix(urlsplit(ASSET_ORIGIN).path)
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or path.suffix not in ASSET_TYPES:
            return None
        return path if path.is_file() else None

    def fetch(self, url, headers=None):
        self.requested.append(url)
        path = self.local_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused: {url[:200]}")
        self.served.append(url)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": ASSET_TYPES[path.suffix]}
        )


def asset_fetcher() -> BundledAssetFetcher:
    return BundledAssetFetcher(Path(current_app.static_folder))


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def fingerprint(params: dict, data: dict) -> str:
    """SHA-256 of what the report is made of: its parameters (with its language), the template
    version and the plain data. Equal fingerprints mean the same PDF."""
    payload = json.dumps(
        {"params": params, "template": TEMPLATE_VERSION, "data": data},
        sort_keys=True,
        default=_json_default,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _money_axis(locale: str):
    return lambda tiyn: format_money(int(tiyn), locale)


def _money_compact(locale: str):
    """Short amounts for chart labels (e.g. "2,8 млрд ₸"); the tables give them in full."""
    return lambda tiyn: (
        format_compact_decimal(tiyn / 100, format_type="short", locale=locale, fraction_digits=1)
        + " ₸"
    )


def board_charts(data: dict) -> dict:
    """The charts of the board report, from its data (call inside force_locale)."""
    locale = data["locale"]
    money = _money_axis(locale)
    result = {}
    for key, title in (
        ("by_area", _("Amount awarded by programme area")),
        ("by_region", _("Amount awarded by region")),
    ):
        rows = data[key]
        result[key] = charts.hbar(
            [(r["label"], r["awarded"]) for r in rows],
            title=title,
            label_header=_("Programme area") if key == "by_area" else _("Region"),
            value_header=_("Awarded"),
            fmt=money,
        )
    indicators = data["indicators"]
    if indicators:
        # Suppressed figures print as their display string and draw no bar.
        result["indicators"] = charts.progress(
            [(i["label"], i["achieved"] or 0, i["target"]) for i in indicators],
            title=_("Achieved against target, by standard indicator"),
            headers=(_("Indicator"), _("Achieved"), _("Target"), _("Share of target")),
            display=[(i["achieved_display"], i["target_display"]) for i in indicators],
        )
    delivery = data["key_figures"]["delivery"]
    if delivery["due"]:
        result["delivery"] = charts.progress(
            [(_("Milestones accepted on time"), delivery["on_time"], delivery["due"])],
            title=_("Milestone delivery"),
            headers=(_("Milestones"), _("Accepted on time"), _("Due in the period"), _("Share")),
        )
    return result


def project_charts(page: dict, locale: str) -> dict:
    money = _money_compact(locale)
    if not page["budget"]:
        return {}
    return {
        "budget": charts.progress(
            [(line["category"], line["spent"] or 0, line["amount"]) for line in page["budget"]],
            title=_("Budget against reported spending"),
            headers=(_("Budget line"), _("Reported spent"), _("Budget"), _("Share")),
            fmt=money,
        )
    }


def render_html(data: dict, generated_at: datetime, author: str, toc_pages=None) -> str:
    """The report's HTML (autoescaped Jinja, inside the report's language). `toc_pages`
    (anchor -> page) prints the contents' page numbers as text (a report printed in parts)."""
    locale = data["locale"]
    with force_locale(locale):
        if data["kind"] == "board":
            chart_set = board_charts(data)
            project_chart_sets = {p["id"]: project_charts(p, locale) for p in data["projects"]}
            template = "pdf/board.html"
        else:
            chart_set = {}
            project_chart_sets = {data["project"]["id"]: project_charts(data["project"], locale)}
            template = "pdf/project.html"
        # Straight from the Jinja environment: the app's context processors are for pages (they
        # read the request), and a report may be built with none.
        return current_app.jinja_env.get_template(template).render(
            r=data,
            charts=chart_set,
            project_charts=project_chart_sets,
            generated_at=generated_at,
            author=author,
            asset_origin=ASSET_ORIGIN,
            toc_pages=toc_pages,
        )


# WeasyPrint writes one variant per file; PDF/A-2a is the archival one that fits PDF/UA-1 best:
# both stand on ISO 32000-1 (PDF 1.7); level "a" asks for the same tagged, Unicode file PDF/UA
# asks for (WeasyPrint then always tags); PDF/A-3 only adds arbitrary attachments, which a report
# has none of, and PDF/A-4 is PDF 2.0, whose accessible partner is PDF/UA-2 (not -1). The variant
# brings the sRGB output intent, the file identifier and the XMP packet with pdfaid; the finisher
# adds pdfuaid to that packet (declare_pdfua).
PDF_VARIANT = "pdf/a-2a"
PDF_OPTIONS = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}

XMP_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in XMP_NS.items():
    ElementTree.register_namespace(_prefix, _uri)


def _q(prefix: str, name: str) -> str:
    return f"{{{XMP_NS[prefix]}}}{name}"


def _pdfua_extension_schema(rdf: ElementTree.Element) -> None:
    """PDF/A-1 to -3 allow in XMP only the schemas they predefine and those described in the
    packet itself; pdfuaid is not predefined, so it is described (ISO 14289-1, 5.4 and its
    note: the same description Acrobat and veraPDF expect)."""
    description = ElementTree.SubElement(rdf, _q("rdf", "Description"), {_q("rdf", "about"): ""})
    bag = ElementTree.SubElement(
        ElementTree.SubElement(description, _q("pdfaExtension", "schemas")), _q("rdf", "Bag")
    )
    schema = ElementTree.SubElement(bag, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
    for name, text in (
        ("schema", "PDF/UA Universal Accessibility Schema"),
        ("namespaceURI", XMP_NS["pdfuaid"]),
        ("prefix", "pdfuaid"),
    ):
        ElementTree.SubElement(schema, _q("pdfaSchema", name)).text = text
    seq = ElementTree.SubElement(
        ElementTree.SubElement(schema, _q("pdfaSchema", "property")), _q("rdf", "Seq")
    )
    prop = ElementTree.SubElement(seq, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
    for name, text in (
        ("name", "part"),
        ("valueType", "Integer"),
        ("category", "internal"),
        ("description", "Indicates, which part of ISO 14289 standard is followed"),
    ):
        ElementTree.SubElement(prop, _q("pdfaProperty", name)).text = text


def declare_pdfua(document, pdf) -> None:
    """WeasyPrint finisher: rewrite the XMP packet the PDF/A variant made so it also says
    pdfuaid:part 1, with the schema description PDF/A needs for it. Everything else PDF/UA-1
    asks of the catalog comes with tagging: /MarkInfo Marked, /Lang from <html lang>,
    DisplayDocTitle with the title from <title>."""
    reference = pdf.catalog["Metadata"]
    stream = pdf.objects[int(reference.split()[0])]  # b"12 0 R"
    # WeasyPrint's own serialisation of our metadata (escaped by ElementTree), not outside input.
    rdf = ElementTree.fromstring(document.metadata.generate_rdf_metadata("a", 2, "A"))  # noqa: S314
    identification = rdf.find(_q("rdf", "Description"))
    identification.set(_q("pdfuaid", "part"), "1")
    _pdfua_extension_schema(rdf)
    stream.stream = [
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        + ElementTree.tostring(rdf, encoding="utf-8", xml_declaration=False)
        + b'</x:xmpmeta>\n<?xpacket end="r"?>'
    ]


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    fetcher: BundledAssetFetcher
    html: str = field(repr=False, default="")
    # Printed in this many parts and joined (fundtracker.pdf.parallel); 0: printed whole here.
    parts: int = 0
    peak_mb: float = 0.0  # the largest peak memory of a part's process
    cpu: float = 0.0  # CPU seconds of the parts' processes


# How often (seconds) a build records the pages laid out so far: each record is a commit.
PAGES_EVERY = 1.0


class _PagesLaidOut(logging.Handler):
    """Counts the pages WeasyPrint lays out, from its progress log ("Step 5 - Creating layout -
    Page %d"), and tells `report(pages)` at most every PAGES_EVERY seconds. A second pass (page
    references that changed) counts from page 1 again: the count told never goes down."""

    def __init__(self, report: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.report, self.every, self.last, self.most = report, PAGES_EVERY, 0.0, 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, str) else ""
        if not message.startswith("Step 5 - Creating layout - Page") or not record.args:
            return
        self.most = max(self.most, int(record.args[0]))
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.report(self.most)


def html_to_pdf(
    html: str,
    fetcher: BundledAssetFetcher | None = None,
    pages_done: Callable[[int], None] | None = None,
) -> Rendered:
    """Print the report: a tagged PDF/A-2a + PDF/UA-1 file. `pages_done(n)` hears how many pages
    are laid out as the layout goes (at most once a second)."""
    fetcher = fetcher or asset_fetcher()
    progress_log = logging.getLogger("weasyprint.progress")
    handler = level = None
    if pages_done is not None:
        handler, level = _PagesLaidOut(pages_done), progress_log.level
        progress_log.addHandler(handler)
        progress_log.setLevel(logging.INFO)
    try:
        document = HTML(string=html, base_url=ASSET_ORIGIN, url_fetcher=fetcher).render(
            **PDF_OPTIONS
        )
    finally:
        if handler is not None:
            progress_log.removeHandler(handler)
            progress_log.setLevel(level)
    pdf = document.write_pdf(finisher=declare_pdfua, **PDF_OPTIONS)
    return Rendered(pdf=pdf, pages=len(document.pages), fetcher=fetcher, html=html)


def report_to_pdf(
    data: dict,
    generated_at: datetime,
    author: str,
    pages_done: Callable[[int], None] | None = None,
) -> Rendered:
    """Print a report: a board report in parts on every core (fundtracker.pdf.parallel) when
    REPORT_PRINT_GROUPS is not 0, anything else whole in this process. A join that would not
    give the file a whole print gives is logged and the report printed whole."""
    groups = current_app.config.get("REPORT_PRINT_GROUPS")
    if groups is None:
        groups = os.cpu_count() or 1
    if data["kind"] == "board" and groups > 0:
        from fundtracker.pdf import parallel

        html = render_html(data, generated_at, author, toc_pages=parallel.Placeholders())
        try:
            printed = parallel.print_parts(
                parallel.split(html, groups),
                lambda numbers: (
                    parallel.split(
                        render_html(data, generated_at, author, toc_pages=numbers), groups
                    )[0].html
                ),
                current_app.static_folder,
                pages_done,
            )
        except Exception:  # noqa: BLE001 - a part that fails is printed again, whole
            logging.getLogger(__name__).exception("report printed whole: parts not joined")
        else:
            fetcher = asset_fetcher()
            fetcher.requested, fetcher.served, fetcher.refused = printed.fetched
            return Rendered(
                pdf=printed.pdf,
                pages=printed.pages,
                fetcher=fetcher,
                html=html,
                parts=printed.parts,
                peak_mb=printed.peak_mb,
                cpu=printed.cpu,
            )
    html = render_html(data, generated_at, author)
    return html_to_pdf(html, pages_done=pages_done)
