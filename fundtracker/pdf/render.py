"""Turning a report's plain data into a PDF: Jinja templates (autoescaped) printed by WeasyPrint
with a URL fetcher that serves the app's bundled static files and refuses everything else.

Charts are inline SVG from fundtracker.web.charts, and fonts come from fontconfig (DejaVu), so the
only thing ever fetched is the print stylesheet.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
TEMPLATE_VERSION = "3"
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


def render_html(data: dict, generated_at: datetime, author: str) -> str:
    """The report's HTML (autoescaped Jinja, inside the report's language)."""
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
        )


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    fetcher: BundledAssetFetcher
    html: str = field(repr=False, default="")


def html_to_pdf(html: str, fetcher: BundledAssetFetcher | None = None) -> Rendered:
    fetcher = fetcher or asset_fetcher()
    document = HTML(string=html, base_url=ASSET_ORIGIN, url_fetcher=fetcher).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages), fetcher=fetcher, html=html)
