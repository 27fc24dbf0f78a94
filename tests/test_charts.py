"""The SVG charts: well-formed, escaped, no styles or fetches, their figures as a table and as
an alternative text; labels and figures that fit, measured and as WeasyPrint draws them, on their
own and on the portfolio page."""

import html as html_lib
import io
import re
import tomllib
import xml.etree.ElementTree as ET
from datetime import date
from itertools import pairwise
from pathlib import Path

import pdfplumber
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from weasyprint import HTML

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.models import ProgrammeArea, Region, ResultStatus
from fundtracker.web import charts, textwidth
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    """A chart's svg, or an svg given as text (as a page has it)."""
    return ET.fromstring(str(getattr(chart, "svg", chart)))  # noqa: S314 - our own output


def test_hbar_draws_a_bar_per_row_and_the_same_figures_as_a_table():
    c = charts.hbar([("Абай облысы", 120), ("Ұлытау", 40)], title="Т", value_header="₸")
    root = parse(c)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Абай облысы" in texts and "Ұлытау" in texts
    assert c.rows == [["Абай облысы", "120"], ["Ұлытау", "40"]]
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0072B2"]
    assert abs(widths[0] - 3 * widths[1]) < 0.5


def test_a_suppressed_value_is_printed_as_given_and_not_drawn():
    c = charts.hbar([("A", 3), ("B", 10)], display=["<5", "10"])
    root = parse(c)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0072B2"]
    assert len(bars) == 1
    assert c.rows[0] == ["A", "<5"]
    assert "3" not in [t.text for t in root.iter(f"{SVG}text")]


def test_labels_are_escaped_and_nothing_is_fetched_or_styled():
    hostile = '<script>x</script><image href="file:///etc/passwd"/>'
    for c in (
        charts.hbar([(hostile, 1)], title=hostile),
        charts.progress([(hostile, 1, 2)], title=hostile),
        charts.lines(["2026"], [(hostile, [1])], title=hostile),
    ):
        elements = list(parse(c).iter())  # well-formed
        tags = {e.tag.removeprefix(SVG) for e in elements}
        assert tags <= {"svg", "title", "text", "tspan", "rect", "line", "circle", "path"}
        assert not any(
            a in ("style", "href") or a.endswith("}href") for e in elements for a in e.attrib
        )
        assert hostile not in str(c.svg)


def test_progress_shows_achieved_against_target_and_share():
    c = charts.progress([("Children treated", 50, 200)], headers=("", "a", "t", "%"))
    assert c.rows == [["Children treated", "50", "200", "25%"]]


def test_lines_leave_gaps_for_missing_periods():
    c = charts.lines(["Q1", "Q2", "Q3"], [("x", [1, None, 3])])
    paths = [p.get("d") for p in parse(c).iter(f"{SVG}path")]
    assert paths == [paths[0]] and paths[0].count("M") == 2
    assert c.rows[1] == ["Q2", "—"]


# Labels that fit --------------------------------------------------------------------------------
#
# A label is drawn whole, or as its own start followed by "…" (never cut at the start); every
# text, measured with the font's metrics as drawn (its anchor, size and weight), lies inside the
# viewBox.

DEMO = Path(__file__).resolve().parent.parent / "fundtracker" / "demo" / "data"
LONG = "Қолдау көрсетілген білім беруге қамтылған балалар мен студенттер " * 4  # 264 letters
NO_SPACES = "Ұ" + "лытауоблысындағыбалалар" * 6
MONEY = "34\u202f084\u202f594\u202f000 ₸"


def _normal(text: str) -> str:
    return " ".join(text.split())


def drawn_texts(root) -> list[tuple[ET.Element, list[str], str | None]]:
    """Each <text> of a chart: the element, its drawn lines, and the full label of its <title>."""
    out = []
    for element in root.iter(f"{SVG}text"):
        spans = element.findall(f"{SVG}tspan")
        # The drawn text, without the <title> a shortened label carries.
        own = (element.text or "") + "".join(child.tail or "" for child in element)
        lines = [s.text or "" for s in spans] if spans else [own]
        title = element.find(f"{SVG}title")
        out.append((element, lines, title.text if title is not None else None))
    return out


def extents(element: ET.Element, lines: list[str]):
    """(x0, y0, x1, y1) of each drawn line, in viewBox units."""
    size = float(element.get("font-size"))
    bold = element.get("font-weight") == "bold"
    anchor = element.get("text-anchor", "start")
    spans = element.findall(f"{SVG}tspan") or [element]
    for span, line in zip(spans, lines, strict=True):
        x, y = float(span.get("x")), float(span.get("y"))
        w = textwidth.width(line, size, bold=bold)
        x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        # DejaVu Sans' ascender and descender (hhea), in ems.
        yield x0, y - 0.93 * size, x0 + w, y + 0.24 * size


def assert_whole_or_shortened(drawn: list[str], label: str) -> None:
    shown, full = " ".join(drawn), _normal(label)
    if shown == full:
        return
    assert shown.endswith("…"), (shown, full)
    # The start of the label, cut at its end only.
    assert full.startswith(shown.removesuffix("…").rstrip()), (shown, full)


def assert_fits(chart, labels: list[str]) -> None:
    """The chart's label texts are its labels, whole or shortened at their end (with the full
    label as their <title>), and no text leaves the viewBox."""
    root = parse(chart)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    texts = drawn_texts(root)
    by_label = [t for t in texts if t[0].get("text-anchor", "start") == "start"]
    assert not labels or len(by_label) == len(labels)
    for (_element, lines, full), label in zip(by_label, labels, strict=False):
        assert_whole_or_shortened(lines, label)
        if " ".join(lines) != _normal(label):
            assert full == _normal(label)
    for element, lines, _full in texts:
        for x0, y0, x1, y1 in extents(element, lines):
            assert x0 >= 0 and x1 <= width, (lines, x0, x1, width)
            assert y0 >= 0 and y1 <= height, (lines, y0, y1, height)


def indicator_names() -> list[str]:
    """The demo's standard indicators, in Kazakh and Russian."""
    with open(DEMO / "outcomes.toml", "rb") as f:
        indicators = tomllib.load(f)["indicator"]
    return [i[key] for i in indicators for key in ("name_kk", "name_ru")]


def assert_svgs_fit(html: str) -> int:
    """Every chart of a page or report: its texts lie inside its viewBox, and each label is
    whole or its own start ending in "…" with the whole label as its <title>. For tests of whole
    documents (the board report's HTML); returns how many charts it read."""
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    for svg in svgs:
        assert_fits(svg, [])
        for _element, lines, full in drawn_texts(parse(svg)):
            shown = " ".join(lines)
            if full is not None:
                assert_whole_or_shortened(lines, full)
                assert shown.endswith("…")
    return len(svgs)


def reference_labels() -> list[str]:
    """The programme areas and regions in Kazakh and Russian (the reference data the migrations
    insert, which the demo uses), and the demo's standard indicators."""
    names = []
    for model in (ProgrammeArea, Region):
        for kk, ru in db.session.execute(select(model.name_kk, model.name_ru)):
            names += [kk, ru]
    return names + indicator_names()


def longest(labels: list[str], n: int = 6) -> list[str]:
    return sorted(labels, key=lambda s: textwidth.width(s, charts.SIZE), reverse=True)[:n]


def test_the_longest_kazakh_and_russian_labels_fit_every_chart(app):
    labels = longest(reference_labels(), 8) + ["Абай облысы", LONG, NO_SPACES]
    assert "Западно-Казахстанская область" in reference_labels()
    values = [10**k for k in range(len(labels))]
    shown = [MONEY, "…", "—", "<5"] + [charts._fmt_default(v) for v in values[4:]]
    for locale in ("kk", "ru"):
        with force_locale(locale):
            assert_fits(charts.hbar(list(zip(labels, values, strict=True))), labels)
            assert_fits(charts.hbar(list(zip(labels, values, strict=True)), display=shown), labels)
            assert_fits(
                charts.progress(
                    [(label, v, 3 * v) for label, v in zip(labels, values, strict=True)],
                    display=[(s, MONEY) for s in shown],
                ),
                labels,
            )
            c = charts.lines(["2025 Q1", "2025 Q2"], [(label, [1, 2]) for label in labels])
            assert_fits(c, [])
            legend = [t for t in drawn_texts(parse(c)) if t[0].get("font-size") == "10"]
            for (_e, lines, _f), label in zip(legend[-len(labels) :], labels, strict=True):
                assert_whole_or_shortened(lines, label)


def test_a_long_label_wraps_onto_a_second_line_then_ends_in_an_ellipsis():
    two_lines = "Аутизм спектрі бұзылысы бар, қызмет алған балалар"
    c = charts.hbar([(two_lines, 1), (LONG, 2), ("Ұлытау", 3)], width=480)
    labels = [t for t in drawn_texts(parse(c)) if t[0].get("text-anchor") == "start"]
    (_e, wrapped, full), (_e2, cut, cut_full), (_e3, short, _f) = labels
    assert len(wrapped) == 2 and " ".join(wrapped) == two_lines and full is None
    assert len(cut) == 2 and cut[1].endswith("…") and cut[0] == LONG[: len(cut[0])]
    assert cut_full == _normal(LONG)
    assert short == ["Ұлытау"]
    # The table keeps every label whole.
    assert [r[0] for r in c.rows] == [two_lines, LONG, "Ұлытау"]


def test_a_label_without_spaces_is_cut_at_its_end_not_its_start():
    c = charts.progress([(NO_SPACES, 1, 2)])
    ((_e, lines, full), *_rest) = drawn_texts(parse(c))
    assert len(lines) == 1 and lines[0].startswith("Ұлытау") and lines[0].endswith("…")
    assert full == NO_SPACES
    assert_fits(c, [NO_SPACES])


def test_the_label_column_is_as_wide_as_the_longest_label():
    short = parse(charts.hbar([("A", 1), ("B", 2)]))
    long = parse(charts.hbar([("A", 1), ("Денсаулық сақтау", 2)]))
    bar_x = [float(next(r.get("x") for r in root.iter(f"{SVG}rect"))) for root in (short, long)]
    expected = charts.PAD + textwidth.width("Денсаулық сақтау", charts.SIZE) + charts.GAP
    assert bar_x[0] < 30 and abs(bar_x[1] - expected) < 0.1


def test_money_figures_end_inside_the_chart_after_the_bars():
    c = charts.hbar([("Денсаулық сақтау", 3_408_459_400_000), ("Білім беру", 5)], fmt=money_kk)
    root = parse(c)
    width = float(root.get("viewBox").split()[2])
    values = [t for t in drawn_texts(root) if t[0].get("text-anchor") == "end"]
    assert [v[1] for v in values] == [[money_kk(3_408_459_400_000)], [money_kk(5)]]
    bars_end = max(float(r.get("x")) + float(r.get("width")) for r in root.iter(f"{SVG}rect"))
    for element, lines, _f in values:
        ((x0, _y0, x1, _y1),) = extents(element, lines)
        assert lines[0].endswith("₸") and x1 <= width - charts.PAD and x0 > bars_end


def test_period_names_do_not_overlap_and_stay_inside():
    periods = [f"{y} H{h} (бекітілген)" for y in range(2021, 2029) for h in (1, 2)]
    c = charts.lines(periods, [("x", list(range(len(periods))))], fmt=money_kk)
    root = parse(c)
    ticks = [t for t in drawn_texts(root) if t[0].get("text-anchor") == "middle"]
    boxes = [next(extents(e, lines)) for e, lines, _f in ticks]
    assert ticks[-1][1] == [periods[-1]] and len(ticks) < len(periods)
    assert all(a[2] + 4 <= b[0] for a, b in pairwise(boxes))
    assert_fits(c, [])


def money_kk(tiyn: float) -> str:
    return format_money(int(tiyn), "kk")


# Alternative text -------------------------------------------------------------------------------


def test_each_chart_states_its_figures_in_its_alternative_text():
    c = charts.hbar(
        [("Денсаулық сақтау", 120_000_000), ("Білім беру", 3)],
        title="Amount awarded by programme area",
        fmt=money_kk,
        display=[money_kk(120_000_000), "…"],
    )
    assert c.alt == (
        f"Amount awarded by programme area: Денсаулық сақтау {money_kk(120_000_000)}; "
        "Білім беру hidden"
    )
    root = parse(c)
    # The svg's title is what WeasyPrint makes the tagged figure's /Alt; aria-label for pages.
    assert root.find(f"{SVG}title").text == c.alt == root.get("aria-label")
    assert root.get("role") == "img"
    p = charts.progress([("Children treated", 50, 200), ("Families", 3, None)], title="Progress")
    assert p.alt == "Progress: Children treated: 50 of 200 (25%); Families: 3, no target"
    lines = charts.lines(["Q1", "Q2"], [("Verified", [1, None])], title="Children")
    assert lines.alt == "Children: Verified: Q1 1, Q2 no figure"


def test_the_alternative_text_is_in_the_chart_language(app):
    with force_locale("ru"):
        c = charts.progress([("Дети", 5, None)], title="Прогресс")
        expected = _("%(label)s: %(achieved)s, no target", label="Дети", achieved="5")
    assert c.alt == f"Прогресс: {expected}"


# As drawn by WeasyPrint -------------------------------------------------------------------------


def test_weasyprint_draws_every_label_and_figure_inside_the_chart():
    """The chart alone on a page of its own size: pdfplumber's character boxes lie inside the
    page (a label cut at its start or a "₸" cut at the right would lie outside), and the text
    drawn is the text laid out."""
    labels = longest(reference_labels(), 3) + [NO_SPACES, "Абай облысы"]
    c = charts.hbar(
        [(label, 3_408_459_400_000 // (i + 1)) for i, label in enumerate(labels)],
        title="Тағайындалған сома",
        fmt=money_kk,
    )
    root = parse(c)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    # One viewBox unit to one CSS pixel: 0.75 pt.
    html = (
        f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} "
        "body { margin: 0 } svg { display: block; width: 100%; height: auto }</style></head>"
        f"<body>{c.svg}</body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        (page,) = doc.pages
        chars = page.chars
        # In the order drawn, without spaces (which the PDF leaves as gaps).
        text = re.sub(r"\s", "", "".join(ch["text"] for ch in chars))
    assert chars
    for ch in chars:
        assert ch["x0"] >= 0 and ch["x1"] <= page.width + 0.01, ch["text"]
        assert ch["top"] >= 0 and ch["bottom"] <= page.height + 0.01, ch["text"]
    expected = [line for _e, lines, _f in drawn_texts(root) for line in lines]
    for line in expected:
        assert re.sub(r"\s", "", line) in text
    # The measured width is never narrower than the drawn one (so a fit measured is a fit drawn).
    money_line = [c for c in chars if c["x1"] > page.width - 60]
    assert money_line and max(c["x1"] for c in money_line) <= (width - charts.PAD) * 0.75 + 0.5
    assert min(c["x0"] for c in chars) >= charts.PAD * 0.75 - 0.5


# The portfolio page -----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_the_portfolio_page_draws_labels_that_fit(login, officer, locale):
    """An officer's live portfolio, whose indicators carry the demo's longest names, a 200-letter
    one and one without spaces, in projects of the regions with the longest names: every chart's
    labels are its table's first column, whole or shortened at the end, inside the chart."""
    officer.locale = locale
    names = longest(indicator_names(), 2) + ["Ж" + "ы" * 199, NO_SPACES]
    regions = [factories.region(code) for code in ("KZ-27", "KZ-59", "KZ-63")]
    for i, name in enumerate(names):
        standard = factories.StandardIndicatorFactory(
            code=f"FIT-{i}", name_kk=name, name_ru=name, name_en=name
        )
        for j, region in enumerate(regions):
            project = factories.ProjectFactory(
                area=factories.area(("healthcare", "social_protection")[j % 2]),
                regions=[region],
                officer=officer,
            )
            indicator = factories.ProjectIndicatorFactory(
                project=project, standard=standard, target=10**9, by_region=False
            )
            factories.indicator_result(
                indicator, date(2025, 1, 1), 123_456_789 * (j + 1), ResultStatus.VERIFIED
            )
    db.session.commit()
    response = login(officer).get("/outcomes/portfolio")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figures = re.findall(r"<figure class=\"chart-figure\">(.*?)</figure>", html, re.S)
    assert len(figures) >= 3
    seen = set()
    for figure in figures:
        svg = re.search(r"<svg\b.*?</svg>", figure, re.S)[0]
        body = figure.split("<tbody>", 1)[1]
        labels = [
            html_lib.unescape(cell)
            for cell in re.findall(r"<tr><th scope=\"row\"[^>]*>(.*?)</th>", body)
        ]
        assert_fits(svg, labels)
        assert_svgs_fit(svg)
        seen.update(labels)
        assert parse(svg).get("aria-label")
    assert set(names) <= seen
