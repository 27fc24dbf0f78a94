"""The report PDFs are tagged, archival and accessible: read back with pikepdf as a screen reader
and an archive would read them. The demo's 2025 board report (Kazakh) is built through the real
path (a board member asks for it, the builder builds it) on a database of its own; project
reports in Russian and English come from the same data.

Checked: the structure tree (headings, tables with header cells that the data cells point to,
one figure with alternative text per chart), that every piece of page content is either tagged
or an artifact and every tagged piece reaches the tree, the language and title, the bookmarks,
the PDF/A-2a and PDF/UA-1 identification (XMP with the schema PDF/A asks for pdfuaid), the
output intent, the file identifier and embedded fonts. veraPDF, where installed, validates both
standards (REQUIRE_VERAPDF=1 makes its absence a failure)."""

from __future__ import annotations

import html as html_lib
import io
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime

import pikepdf
import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.demo import seed_demo
from fundtracker.models import Project, ReportKind, ReportStatus, Role, StoredReport, User
from fundtracker.pdf import jobs, render, service
from fundtracker.pdf.params import ReportParams
from fundtracker.services import publications
from tests.dbutil import migrated_app

pytestmark = pytest.mark.no_db

SVG_TITLE = re.compile(r"<svg\b[^>]*>\s*<title>(.*?)</title>", re.S)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(app, {name: (pdf bytes, html)}): the kk board report of 2025, built by the builder, and
    the ru and en reports of the first demo project."""
    folder = tmp_path_factory.mktemp("tagged-reports")
    with migrated_app("tagged", REPORTS_FOLDER=str(folder)) as app:
        seed_demo(db.session)
        db.session.commit()
        board = db.session.scalar(select(User).where(User.role == Role.BOARD))
        publication = publications.find(db.session, "2025")
        params = ReportParams.board(publication, "kk")
        day = publication.period_end
        with app.test_request_context():
            report, ready = service.request_report(db.session, board, params, day)
            db.session.commit()
            assert not ready
            assert jobs.build_one(db.session, report.id, day)
        report = db.session.get(StoredReport, report.id)
        assert report.status == ReportStatus.DONE, report.error
        data, _ = service.current_data(db.session, params, day)
        built = {
            "board-kk": (
                service.report_path(report).read_bytes(),
                render.render_html(data, datetime.now(UTC), "FundTracker"),
            )
        }
        project = db.session.scalar(select(Project).order_by(Project.code))
        for locale in ("ru", "en"):
            params = ReportParams(
                ReportKind.PROJECT,
                locale,
                project.start_date,
                project.end_date,
                project_id=project.id,
            )
            data, _ = service.current_data(db.session, params, day)
            html = render.render_html(data, datetime.now(UTC), "FundTracker")
            built[f"project-{locale}"] = (render.html_to_pdf(html).pdf, html)
        yield app, built


REPORTS = ["board-kk", "project-ru", "project-en"]


def _open(demo, name) -> tuple[pikepdf.Pdf, str]:
    pdf, html = demo[1][name]
    return pikepdf.open(io.BytesIO(pdf)), html


def _elements(pdf: pikepdf.Pdf):
    """Every structure element, depth first in reading order, with its parent's type."""

    def walk(element, parent):
        yield element, parent
        kids = element.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                yield from walk(kid, element)

    root = pdf.Root.StructTreeRoot
    for top in root.K:
        yield from walk(top, None)


def _text(fragment: str) -> str:
    """The text of an HTML fragment, ASCII white space collapsed (no-break spaces are kept: they
    are in the PDF's text too)."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


@pytest.mark.parametrize("name", REPORTS)
def test_the_pdf_is_tagged_with_its_language_and_title(demo, name):
    pdf, html = _open(demo, name)
    locale = name.split("-")[1]
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == locale == re.search(r'<html lang="(\w+)"', html)[1]
    title = _text(re.search(r"<title>(.*?)</title>", html, re.S)[1])
    assert title and str(pdf.docinfo.Title) == title
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    # Every page takes part in the tree, its annotations in tab order of the structure.
    for page in pdf.pages:
        assert "/StructParents" in page.obj and page.obj.Tabs == "/S"


@pytest.mark.parametrize("name", REPORTS)
def test_headings_tables_and_figures_are_in_the_structure(demo, name):
    pdf, html = _open(demo, name)
    elements = list(_elements(pdf))
    kinds = Counter(str(e.S) for e, _ in elements)
    assert kinds["/Document"] == 1
    # Each heading of the HTML is one heading element of its level.
    for level in (1, 2, 3):
        assert kinds[f"/H{level}"] == len(re.findall(rf"<h{level}\b", html)), level
    assert kinds["/H1"] >= 1
    # Tables: header cells, and every data cell of a table with a header row names its headers.
    tables = [e for e, _ in elements if e.S == "/Table"]
    assert tables and kinds["/TH"] >= len(re.findall(r"<thead\b", html))
    ids = {str(e.ID) for e, _ in elements if e.S == "/TH" and "/ID" in e}
    for element, _parent in elements:
        if element.S == "/TD":
            headers = element.A.get("/Headers", pikepdf.Array())
            assert all(str(h) in ids for h in headers)
    with_headers = [e for e, _ in elements if e.S == "/TD" and len(e.A.get("/Headers", [])) > 0]
    assert with_headers
    # One figure per chart, in the same order, its alternative text the chart's <title>.
    figures = [e for e, _ in elements if e.S == "/Figure"]
    titles = [_text(t) for t in SVG_TITLE.findall(html)]
    assert len(figures) == len(re.findall(r"<svg\b", html)) == len(titles)
    assert [str(f.Alt) for f in figures] == titles
    assert all(titles)
    if name == "board-kk":
        assert len(figures) >= 3


MARKED_BEGIN = {"BDC", "BMC"}
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}


@pytest.mark.parametrize("name", REPORTS)
def test_all_content_is_tagged_or_an_artifact_and_reaches_the_tree(demo, name):
    pdf, _ = _open(demo, name)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages, start=1):
        stack, mcids = [], []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in MARKED_BEGIN:
                stack.append(operands)
                properties = operands[1] if op == "BDC" else None
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    mcids.append(int(properties.MCID))
            elif op == "EMC":
                stack.pop()
            elif op in PAINTING:
                assert stack, f"untagged content ({op}) on page {number}"
        assert not stack
        assert mcids == sorted(set(mcids)), number
        marked = parent_tree[int(page.obj.StructParents)]
        assert len(marked) == len(mcids), number
        for mcid in mcids:
            element = marked[mcid]
            assert element.Type == "/StructElem"
            assert element.Pg.objgen == page.obj.objgen


def test_the_bookmarks_are_the_section_headings_and_lead_to_pages(demo):
    pdf, html = _open(demo, "board-kk")
    h1 = {_text(t) for t in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)}
    h2 = {_text(t) for t in re.findall(r"<h2\b[^>]*>(.*?)</h2>", html, re.S)}
    pages = {page.obj.objgen for page in pdf.pages}
    with pdf.open_outline() as outline:
        assert len(outline.root) >= 3
        for item in outline.root:
            assert item.title in h1
            assert item.destination[0].objgen in pages
            for child in item.children:
                assert child.title in h2
                assert child.destination[0].objgen in pages


@pytest.mark.parametrize("name", REPORTS)
def test_the_file_declares_pdf_a_2a_and_pdf_ua_1(demo, name):
    pdf, _ = _open(demo, name)
    assert pdf.pdf_version == "1.7"
    xmp = pdf.Root.Metadata.read_bytes().decode()
    meta = pdf.open_metadata()
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "A")
    assert meta["pdfuaid:part"] == "1"
    assert meta["dc:title"] == str(pdf.docinfo.Title)
    # PDF/A-2 admits pdfuaid only with its schema described in the packet.
    schema = re.search(r"<pdfaExtension:schemas>.*</pdfaExtension:schemas>", xmp, re.S)[0]
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in schema
    assert "<pdfaSchema:prefix>pdfuaid<" in schema and "<pdfaProperty:name>part<" in schema
    [intent] = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and "/N" in intent.DestOutputProfile
    assert len(pdf.trailer.ID) == 2
    # PDF/A: every font embedded.
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            for described in font.get("/DescendantFonts", [font]):
                descriptor = described.FontDescriptor
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())


def _verapdf() -> str | None:
    found = os.environ.get("VERAPDF") or shutil.which("verapdf")
    if found is None and os.environ.get("REQUIRE_VERAPDF") == "1":
        pytest.fail("REQUIRE_VERAPDF=1 but no veraPDF (set VERAPDF or put verapdf on PATH)")
    return found


@pytest.mark.parametrize("flavour", ["ua1", "2a"])
def test_verapdf_finds_the_board_report_compliant(demo, flavour, tmp_path):
    verapdf = _verapdf()
    if verapdf is None:
        pytest.skip("veraPDF is not installed (REQUIRE_VERAPDF=1 makes this a failure)")
    path = tmp_path / "board-kk.pdf"
    path.write_bytes(demo[1]["board-kk"][0])
    result = subprocess.run(
        [verapdf, "--flavour", flavour, "--format", "text", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.stdout.startswith("PASS"), result.stdout[:4000] + result.stderr[:2000]
