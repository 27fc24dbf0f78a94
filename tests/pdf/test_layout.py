"""The layout of the board report of all 67 demo projects (2021–2028), in Kazakh, Russian and
English, read back from the PDF as a trustee would read it: every page number in the contents is
the page its heading is on, whatever the number of contents pages; no glyph lies outside the
page or its margins (the appendix's amounts among them, on landscape pages); and a project whose
stored title holds U+202E, emoji and a 200-letter word prints it in reading order, whole.

The PDFs are built once per language (WeasyPrint: the slow part), as the builder builds them:
printed in parts in parallel and joined (fundtracker.pdf.parallel); a smaller report is also
printed whole, and the two files compared page by page. Their text is read with
poppler's `pdftotext -bbox`, fast enough for 450 pages; poppler drops characters that lie wholly
outside a page, so each page's boxes are first widened (pikepdf) and positions are taken
against the page's own box.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pikepdf
import pytest
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.core.text import clean_line, clean_text
from fundtracker.demo import seed_demo
from fundtracker.models import Project, ReportKind
from fundtracker.pdf import context, render
from fundtracker.pdf.params import ReportParams
from tests.dbutil import fresh_database, is_postgres
from tests.test_charts import assert_svgs_fit

pytestmark = [
    pytest.mark.no_db,
    # Layout only (three 150-page reports, minutes of WeasyPrint): the data they print are read
    # by the same code on both databases, which test_board_report_demo and test_reports check on
    # PostgreSQL too; printing them again there would test WeasyPrint twice.
    pytest.mark.skipif(is_postgres(), reason="the layout is the same on both databases"),
]

LOCALES = ("kk", "ru", "en")
START, END = date(2021, 1, 1), date(2028, 12, 31)
TODAY = date(2026, 6, 1)
MM = 72 / 25.4
# print.css: @page { margin: 22mm 18mm 20mm 18mm }; the cover has none.
SIDE_MARGIN = 18 * MM
# Glyph boxes are the font's, a little wider than the ink.
TOLERANCE = 0.5
WIDENED = 1000  # points added on every side of a page before reading its text
WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>'
)

# 200 letters without a break, in each language's script.
LONG_WORDS = {
    "kk": ("Қазақстанреспубликасыныңбалаларыүшін" * 6)[:200],
    "ru": ("Реабилитационныйцентрдлядетейсинвалидностью" * 5)[:200],
    "en": ("Supercalifragilisticexpialidociousrehabilitation" * 5)[:200],
}
# Stored as it was typed before input was cleaned: a right-to-left override (U+202E, closed by
# U+202C), emoji, and the long word.
HOSTILE_TITLES = {
    "kk": "Оңалту \u202eорталығын\u202c ашу 🎉😀 {word}",
    "ru": "Открытие \u202eреабилитационного\u202c центра 🎉😀 {word}",
    "en": "Opening a \u202erehabilitation\u202c centre 🎉😀 {word}",
}
HOSTILE_SUMMARY = "\u202eБірінші\u202c жол 👍🏽 {word} соңы"


def _hostile_title(locale: str) -> str:
    return HOSTILE_TITLES[locale].format(word=LONG_WORDS[locale])


@dataclass
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)

    def text(self, within=None) -> str:
        """The page's words in reading order, those inside `within` (x0, top, x1, bottom) only
        when given (by their centre)."""
        words = self.words
        if within is not None:
            x0, top, x1, bottom = within
            words = [
                w
                for w in words
                if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom
            ]
        return " ".join(w.text for w in words)


def read_pages(pdf: bytes) -> list[Page]:
    """Every page's words with their boxes in points from the page's top left corner."""
    with tempfile.TemporaryDirectory(prefix="ft-layout-") as tmp:
        widened = Path(tmp) / "widened.pdf"
        sizes = []
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            for page in doc.pages:
                x0, y0, x1, y1 = (float(v) for v in page.mediabox)
                sizes.append((x0, y0, x1, y1))
                box = pikepdf.Array([x0 - WIDENED, y0 - WIDENED, x1 + WIDENED, y1 + WIDENED])
                page.obj.MediaBox = box
                page.obj.CropBox = box
            doc.save(widened)
        out = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", str(widened), "-"],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
    pages = []
    # One <page> element per page, one <word xMin= yMin= xMax= yMax=>text</word> per word.
    chunks = out.decode().split("<page ")[1:]
    for number, (chunk, (x0, y0, x1, y1)) in enumerate(zip(chunks, sizes, strict=True), 1):
        page = Page(number, x1 - x0, y1 - y0)
        for match in WORD.finditer(chunk):
            left, top, right, bottom = (float(v) - WIDENED for v in match.groups()[:4])
            page.words.append(Word(unescape(match[5]), left, top, right, bottom))
        pages.append(page)
    return pages


def _flat(text: str) -> str:
    """Without any whitespace: words wrap and break differently in the PDF."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's app and database, with the first project's texts stored unclean (as if typed
    before cleaning at input existed)."""
    with fresh_database("layout") as url:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            REPORTS_FOLDER=str(tmp_path_factory.mktemp("layout-reports")),
        )
        with app.app_context(), pytest.MonkeyPatch.context() as patch:
            upgrade()
            # The report's dates are no published period, so it prints no published figure:
            # the demo's publishing (the protection's solver: half of seeding) is skipped.
            patch.setattr("fundtracker.demo.seed.seed_publications", lambda session, today: [])
            seed_demo(db.session)
            project = db.session.scalar(select(Project).order_by(Project.code))
            for locale in LOCALES:
                setattr(project, f"title_{locale}", _hostile_title(locale))
                setattr(project, f"summary_{locale}", HOSTILE_SUMMARY.format(word=LONG_WORDS["kk"]))
            project.organisation.name = f"ОФ «{LONG_WORDS['ru']}»"
            db.session.commit()
            hostile = {"id": project.id, "code": project.code}
            db.session.remove()
        try:
            yield app, hostile
        finally:
            with app.app_context():
                db.engine.dispose()


@dataclass
class Built:
    locale: str
    data: dict
    html: str
    pages: list[Page]
    # (title, page number) of every bookmark, in document order.
    outline: list[tuple[str, int]]
    # The page of each named destination (the anchors links go to).
    anchors: dict[str, int]
    # (page number, anchor, rectangle) of every internal link.
    links: list[tuple[int, str, list[float]]]

    @classmethod
    def read(cls, locale: str, data: dict, html: str, pdf: bytes) -> Built:
        return cls(locale, data, html, read_pages(pdf), *read_structure(pdf))


def read_structure(pdf: bytes) -> tuple[list, dict, list]:
    """The bookmarks, named destinations and internal links of a PDF (pikepdf: pypdf takes
    seconds to parse the object streams of 150 pages)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        number = {page.objgen: n for n, page in enumerate(doc.pages, 1)}

        def walk(items):
            for item in items:
                yield str(item.title), number[item.destination[0].objgen]
                yield from walk(item.children)

        with doc.open_outline() as outline:
            bookmarks = list(walk(outline.root))
        anchors = {
            str(name): number[dest[0].objgen]
            for name, dest in pikepdf.NameTree(doc.Root.Names.Dests).items()
        }
        links = [
            (n, str(annot.Dest), [float(v) for v in annot.Rect])
            for n, page in enumerate(doc.pages, 1)
            for annot in page.obj.get("/Annots", [])
            if "/Dest" in annot
        ]
    return bookmarks, anchors, links


@pytest.fixture(scope="module", params=LOCALES)
def built(request, demo) -> Built:
    app, _ = demo
    locale = request.param
    with app.app_context():
        params = ReportParams(ReportKind.BOARD, locale, START, END)
        with force_locale(locale):
            data = context.board_context(db.session, params, TODAY)
        at = datetime(2026, 6, 1, 9, tzinfo=UTC)
        html = render.render_html(data, at, "FundTracker")
        # As the builder prints it: in parts, on every core, joined.
        rendered = render.report_to_pdf(data, at, "FundTracker")
        assert rendered.parts >= 4
        db.session.remove()
    return Built.read(locale, data, html, rendered.pdf)


def _contents(built: Built) -> list[tuple[str, str, str]]:
    """(anchor, text, printed page number) of every entry of the contents, in order: the text
    inside the entry's link (each box of an entry has a link; their union is the entry)."""
    first_section = built.outline[0][1]
    entries: dict[str, tuple[Page, list[float]]] = {}
    for number, anchor, (x0, y0, x1, y1) in built.links:
        if number >= first_section:
            continue
        page = built.pages[number - 1]
        box = [min(x0, x1), page.height - max(y0, y1), max(x0, x1), page.height - min(y0, y1)]
        _, union = entries.setdefault(anchor, (page, box))
        union[:] = [min(union[0], box[0]), min(union[1], box[1])] + [
            max(union[2], box[2]),
            max(union[3], box[3]),
        ]
    result = []
    for anchor, (page, box) in entries.items():
        text = page.text(box)
        match = re.fullmatch(r"(.*?)[.\s]*?(\d+)", text.strip())
        assert match, (anchor, text)
        result.append((anchor, match[1].rstrip(" ."), match[2]))
    return result


def assert_contents_right(built: Built) -> None:
    """Every entry of the contents prints the page its heading is on: the page of its bookmark,
    of the anchor it links to, and the page whose text holds the heading in full."""
    outline = built.outline
    contents = _contents(built)
    assert len(contents) == len(outline)
    for (anchor, text, printed), (title, page) in zip(contents, outline, strict=True):
        assert _flat(text).startswith(_flat(title)[:60]), (text, title)
        assert int(printed) == page == built.anchors[anchor], (title, printed, page)
        assert _flat(title) in _flat(built.pages[page - 1].text()), (title, page)


def assert_glyphs_inside(built: Built) -> None:
    """No word lies outside its page, nor, but on the cover, in its left and right margins; the
    running footer ("Page n of N") is on every page but the cover."""
    for page in built.pages:
        if page.number == 1:  # the cover: no margins, its text within the page
            left, right = 0, page.width
        else:
            left, right = SIDE_MARGIN, page.width - SIDE_MARGIN
        for w in page.words:
            assert w.x0 >= left - TOLERANCE and w.x1 <= right + TOLERANCE, (page.number, w)
            assert w.top >= -TOLERANCE and w.bottom <= page.height + TOLERANCE, (page.number, w)
    assert all(
        re.search(rf"\b{page.number}\b.*\b{len(built.pages)}\s*$", page.text())
        for page in built.pages[1:]
    )


def test_contents_page_numbers_are_the_pages_of_their_headings(built):
    data = built.data
    assert len(data["projects"]) == 67
    # One entry per section (Sustainability always, issue #21) and per project.
    assert len(built.outline) == 5 + len(data["projects"]) + bool(data["stories"])
    # Contents of more than one page (three in Kazakh and Russian: the case that went wrong).
    assert built.outline[0][1] - 2 >= 2
    assert_contents_right(built)


def test_no_glyph_lies_outside_the_page_or_its_margins(built):
    assert_glyphs_inside(built)


def test_every_chart_label_is_whole_or_shortened_at_its_end_and_inside_its_chart(built):
    assert assert_svgs_fit(built.html) >= 3


def test_the_appendix_is_landscape_and_prints_its_amounts_whole(built):
    _, first = built.outline[-1]  # the appendix is the last section
    appendix = built.pages[first - 1 :]
    assert all(page.width > page.height for page in appendix)
    assert all(page.width < page.height for page in built.pages[1 : first - 1])
    projects = built.data["projects"]
    text = _flat(" ".join(page.text() for page in appendix))
    for p in projects:
        assert _flat(f"{p['code']}") in text
        assert _flat(format_money(p["paid"], built.locale)) in text, p["code"]
    last = _flat(appendix[-1].text())
    total_paid = format_money(sum(p["paid"] for p in projects), built.locale)
    assert _flat(total_paid) in last
    assert _flat(format_money(built.data["key_figures"]["awarded"], built.locale)) in last
    if built.locale != "en":
        assert _flat(total_paid) == "34084594000₸"


def test_a_hostile_title_prints_in_reading_order_whole_and_without_boxes(built, demo):
    _, hostile = demo
    title = clean_line(_hostile_title(built.locale))
    assert "\u202e" not in title and "🎉" not in title and LONG_WORDS[built.locale] in title
    outline = built.outline
    (page,) = [n for t, n in outline if t.startswith(hostile["code"])]
    project_page = built.pages[page - 1]
    flat = _flat(project_page.text())
    assert _flat(f"{hostile['code']} · {title}") in flat
    summary = clean_text(HOSTILE_SUMMARY.format(word=LONG_WORDS["kk"]))
    assert _flat(summary) in flat
    assert _flat(LONG_WORDS["ru"]) in flat  # the organisation's name
    # Also in the contents and the appendix, and the bookmark.
    everything = _flat(" ".join(p.text() for p in built.pages))
    assert everything.count(_flat(title)) >= 3
    assert any(t == f"{hostile['code']} · {title}" for t, _ in outline)
    for char in ("\u202e", "\u202c", "🎉", "😀", "👍", "\ufffd"):
        assert char not in everything
        assert char not in built.html


def test_contents_given_their_page_numbers_print_the_same_pages(built, demo):
    """A report joined from parts rendered apart gives the contents their page numbers as text
    (`toc_pages`): the contents print word for word where the counted ones do."""
    if built.locale != "kk":
        pytest.skip("the same markup in every language: Kazakh, the longest titles, suffices")
    app, _ = demo
    outline = built.outline
    toc_pages = {anchor: int(page) for anchor, _, page in _contents(built)}
    data = built.data
    with app.app_context(), force_locale(built.locale):
        html = app.jinja_env.get_template("pdf/board.html").render(
            r=data,
            charts=render.board_charts(data),
            project_charts={
                p["id"]: render.project_charts(p, built.locale) for p in data["projects"]
            },
            generated_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
            author="FundTracker",
            asset_origin=render.ASSET_ORIGIN,
            toc_pages=toc_pages,
        )
        # The cover and the contents only.
        html = html[: html.index('<section class="section" id="key-figures">')] + "</body></html>"
        alone = read_pages(render.html_to_pdf(html).pdf)
    counted = built.pages[: outline[0][1] - 1]
    assert len(alone) == len(counted)

    def body(page: Page) -> str:
        return page.text((0, 22 * MM, page.width, page.height - 20 * MM))

    assert [body(p) for p in alone] == [body(p) for p in counted]


def _struct_faults(pdf: bytes) -> list[str]:
    """What is wrong in a PDF's structure tree as a screen reader walks it: a page's marked
    content (MCIDs) or a link whose parent-tree entry is an element of another page; an
    element whose /P is not the element it hangs under; a page without its parent-tree entry."""
    faults = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.StructTreeRoot
        nums = list(tree.ParentTree.Nums)
        entries = dict(zip((int(k) for k in nums[::2]), nums[1::2], strict=True))
        for number, page in enumerate(doc.pages, 1):
            key = int(page.obj.get("/StructParents", -1))
            if key not in entries:
                faults.append(f"page {number}: no parent tree entry")
                continue
            for mcid, element in enumerate(entries[key]):
                if element.Pg.objgen != page.obj.objgen:
                    faults.append(f"page {number}: MCID {mcid} of another page's element")
            for annot in page.obj.get("/Annots", []):
                element = entries.get(int(annot.get("/StructParent", -1)))
                if element is None or element.Pg.objgen != page.obj.objgen:
                    faults.append(f"page {number}: a link outside the tree")

        def walk(element, parent):
            if element.P.objgen != parent.objgen:
                faults.append(f"{element.S} under the wrong parent")
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else []:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    walk(kid, element)

        (document,) = tree.K
        walk(document, tree)
        if int(tree.get("/ParentTreeNextKey", max(entries) + 1)) <= max(entries):
            faults.append("ParentTreeNextKey taken")
    return faults


def test_a_report_printed_in_parts_is_the_report_printed_whole(demo):
    """One programme area's report (fewer projects: a whole print is slow), printed whole in
    this process and in parts (three groups of projects): every page reads the same, margins
    ("Page n of N", running headers) included; the bookmarks, destinations and links are the
    same; the joined structure tree is whole and consistent."""
    app, _ = demo
    at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with app.app_context():
        area = db.session.scalar(select(Project.area_id).order_by(Project.code))
        params = ReportParams(ReportKind.BOARD, "kk", START, END, area_id=area)
        with force_locale("kk"):
            data = context.board_context(db.session, params, TODAY)
        assert len(data["projects"]) >= 6
        whole = render.html_to_pdf(render.render_html(data, at, "FundTracker")).pdf
        app.config["REPORT_PRINT_GROUPS"] = 3
        try:
            pages_told = []
            parted = render.report_to_pdf(data, at, "FundTracker", pages_told.append)
        finally:
            del app.config["REPORT_PRINT_GROUPS"]
        db.session.remove()
    assert parted.parts == 6  # cover and contents, front sections, 3 groups, appendix
    one, other = read_pages(whole), read_pages(parted.pdf)
    assert len(other) == len(one)
    for a, b in zip(one, other, strict=True):
        assert (b.width, b.height, b.text()) == (a.width, a.height, a.text()), a.number
    assert read_structure(parted.pdf) == read_structure(whole)
    assert _struct_faults(parted.pdf) == []
    assert _struct_faults(whole) == []
    assert pages_told == sorted(pages_told) and pages_told[-1] <= len(other)


def test_parts_that_cannot_be_joined_are_printed_whole(demo, monkeypatch, caplog):
    """A join refused (here: the contents would print on more pages once numbered) or a part's
    process that fails: the report is printed whole, and the log says why."""
    from fundtracker.pdf import parallel

    app, _ = demo
    at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with app.app_context():
        # A day's report: few pages, each print quick.
        params = ReportParams(ReportKind.BOARD, "en", date(2025, 3, 1), date(2025, 3, 1))
        with force_locale("en"):
            data = context.board_context(db.session, params, TODAY)
        original = parallel.split

        def longer_contents(html, groups):
            parts = original(html, groups)
            if "toc-fixed" in html and "888" not in html:  # the contents, numbered
                cover = parts[0]
                cover.html = cover.html.replace("</nav>", "<p>x</p>" * 200 + "</nav>")
            return parts

        monkeypatch.setattr(parallel, "split", longer_contents)
        rendered = render.report_to_pdf(data, at, "FundTracker")
        assert rendered.parts == 0 and rendered.pages >= 3
        assert "parts not joined" in caplog.text and "contents:" in caplog.text

        def broken(*args):
            raise BrokenPipeError("the fork server is gone")

        caplog.clear()
        monkeypatch.setattr(parallel, "print_parts", broken)
        rendered = render.report_to_pdf(data, at, "FundTracker")
        assert rendered.parts == 0 and "the fork server is gone" in caplog.text
        db.session.remove()
