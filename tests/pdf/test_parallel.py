"""Cutting a report into parts to print apart (fundtracker.pdf.parallel): nothing lost, nothing
twice, in order, every part a whole document, links kept by stand-in anchors; and the quoted CSS
strings the running margins are set with. The printing and joining themselves are checked
against a whole print in tests/pdf/test_layout.py, and read back as a screen reader would in
tests/pdf/test_tagged.py."""

from __future__ import annotations

import re

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
