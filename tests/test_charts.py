"""The SVG charts: well-formed, escaped, no styles or fetches, and their figures as a table."""

import xml.etree.ElementTree as ET

from fundtracker.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own output


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
        assert tags <= {"svg", "title", "text", "rect", "line", "circle", "path"}
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
