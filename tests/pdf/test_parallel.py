"""Cutting a report into parts to print apart (fundtracker.pdf.parallel): nothing lost, nothing
twice, in order, every part a whole document, links kept by stand-in anchors; and the quoted CSS
strings the running margins are set with. The printing and joining themselves are checked
against a whole print in tests/pdf/test_layout.py, and read back as a screen reader would in
tests/pdf/test_tagged.py."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from fundtracker.core.text import css_string
from fundtracker.pdf import parallel

HEAD = '<!doctype html><html lang="kk"><head><style>body { margin: 0 }</style></head><body>'


def _report(projects: int) -> str:
    entries = "".join(f'<a href="#project-{n}">P{n}</a>' for n in range(projects))
    pages = "".join(
        f'<!--ft:part project-->\n<section class="project" id="project-{n}">{"x" * (10 + n)}'
        "</section>"
        for n in range(projects)
    )
    return (
        HEAD
        + '<!--ft:part cover-->\n<section class="cover">cover</section>'
        + f'<nav class="toc"><a href="#key-figures">K</a>{entries}<a href="#appendix">A</a></nav>'
        + '<!--ft:part front-->\n<section class="section" id="key-figures">figures</section>'
        + pages
        + '<!--ft:part appendix-->\n<section class="section appendix" id="appendix">all</section>'
        + "</body></html>"
    )


def _body(part: parallel.Part) -> str:
    body = part.html[len(HEAD) : part.html.rindex("</body>")]
    return re.sub(r'<div class="ft-stubs"[^>]*>.*?</div>', "", body)


@pytest.mark.parametrize(("projects", "groups"), [(7, 3), (2, 4), (1, 1), (0, 2), (30, 2)])
def test_the_parts_hold_the_report_in_order_once(projects, groups):
    html = _report(projects)
    parts = parallel.split(html, groups)
    kinds = [p.kind for p in parts]
    expected = min(groups, projects)
    assert kinds == ["cover", "front"] + ["projects"] * expected + ["appendix"]
    for part in parts:
        assert part.html.startswith(HEAD) and part.html.endswith("</body></html>")
    body = html[len(HEAD) : html.rindex("</body>")]
    assert "".join(_body(p) for p in parts) == parallel.PART_MARK.sub("", body)
    if expected > 1:
        sizes = [len(p.html) for p in parts if p.kind == "projects"]
        assert max(sizes) < 2 * min(sizes)


def test_links_to_other_parts_get_stand_in_anchors_in_their_part_only():
    parts = parallel.split(_report(5), 2)
    cover = parts[0]
    wanted = {"key-figures", "appendix"} | {f"project-{n}" for n in range(5)}
    assert cover.stubs == wanted
    stubs = re.search(r'<div class="ft-stubs"[^>]*>(.*?)</div>', cover.html)
    assert set(re.findall(r'<span id="([^"]+)"></span>', stubs[1])) == wanted
    # Inside the contents (its last element), not after it: no page of their own.
    assert cover.html.index("ft-stubs") < cover.html.index("</nav>")
    assert all(not p.stubs and "ft-stubs" not in p.html for p in parts[1:])


def test_contents_placeholders_are_as_wide_as_any_page_number():
    placeholders = parallel.Placeholders()
    assert placeholders and placeholders["project-1"] == "888"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Әсер туралы есеп", '"Әсер туралы есеп"'),
        ("/", '"\\2f "'),
        ('a"b\\c', '"a\\22 b\\5c c"'),
        ("</style><script>", '"\\3c \\2f style\\3e \\3c script\\3e "'),
        ("Fund & Co.\u202e\n", '"Fund \\26  Co\\2e \\a "'),
    ],
)
def test_a_css_string_cannot_end_itself_or_the_style_element(text, quoted):
    assert css_string(text) == quoted


def _printed_parts() -> tuple[list[tuple[bytes, frozenset[str]]], list[tuple]]:
    """A small report cut into parts and each printed as a worker prints it (tagged PDF/A +
    PDF/UA, uncompressed): the parts' PDFs with their stand-in anchors, and every page's
    (height, bookmarks) in order."""
    from weasyprint import HTML

    from fundtracker.pdf import render

    html = re.sub(r'(<section class="[^"]*" id="[^"]+">)', r"\1<h1>Heading</h1>", _report(4))
    pdfs, outline = [], []
    for part in parallel.split(html, 2):
        document = HTML(string=part.html).render(**render.PDF_OPTIONS)
        pdf = document.write_pdf(
            finisher=render.declare_pdfua, uncompressed_pdf=True, **render.PDF_OPTIONS
        )
        pdfs.append((pdf, part.stubs))
        outline.extend((page.height, page.bookmarks) for page in document.pages)
    return pdfs, outline


def test_parts_joined_as_they_arrive_give_the_file_joined_in_order():
    """The parent joins each part as it is printed, in whatever order they finish: the file is
    the one the parts joined in order give (pages, words, bookmarks, destinations, links, the
    structure tree and its parent tree)."""
    from tests.pdf.test_layout import _struct_faults, read_pages, read_structure

    pdfs, outline = _printed_parts()
    assert len(pdfs) == 5 and pdfs[0][1]  # cover (with stand-ins), front, 2 groups, appendix
    in_order = parallel.join(pdfs, outline)
    joiner = parallel.Joiner(len(pdfs))
    for index in (3, 1, 4, 0, 2):  # the first part's file arrives after others
        joiner.add(index, *pdfs[index])
    arrived = joiner.finish(outline)

    def elements(pdf: bytes) -> list[str]:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            found = []

            def walk(element):
                found.append(str(element.S))
                kids = element.get("/K")
                for kid in kids if isinstance(kids, pikepdf.Array) else []:
                    if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                        walk(kid)

            walk(doc.Root.StructTreeRoot.K[0])
            return found

    assert [p.text() for p in read_pages(arrived)] == [p.text() for p in read_pages(in_order)]
    assert read_structure(arrived) == read_structure(in_order)
    bookmarks, anchors, links = read_structure(arrived)
    assert len(bookmarks) == 6 and anchors["appendix"] == len(read_pages(arrived))
    assert links and anchors["project-3"] > anchors["project-0"] > 1
    assert elements(arrived) == elements(in_order)
    assert _struct_faults(arrived) == [] and _struct_faults(in_order) == []


def test_a_join_without_every_part_is_refused():
    pdfs, outline = _printed_parts()
    joiner = parallel.Joiner(len(pdfs))
    for index in (0, 1, 2, 4):
        joiner.add(index, *pdfs[index])
    with pytest.raises(parallel.JoinRefused):
        joiner.finish(outline)
