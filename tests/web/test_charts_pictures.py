"""The portfolio's pictures as drawn: grouped columns (money planned against paid by quarter)
and the tile map of Kazakhstan's regions, with their shading steps, links and readable labels."""

import re
from itertools import pairwise

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Region
from fundtracker.web import charts, textwidth
from tests.test_charts import assert_fits, assert_svgs_fit, parse

SVG = "{http://www.w3.org/2000/svg}"


def _regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def _tiles(values: dict[str, float] | None = None) -> list[charts.Tile]:
    values = values or {}
    return [
        charts.Tile(
            code=r.code,
            name=r.name("ru"),
            value=values.get(r.code, 0),
            said=f"{values.get(r.code, 0):.0f}",
            cells=[f"{values.get(r.code, 0):.0f}"],
            href=f"/projects/?region={r.id}",
        )
        for r in _regions()
    ]


def test_every_region_and_city_has_one_tile_of_its_own(app):
    codes = {r.code for r in _regions()}
    assert len(codes) == 20  # 17 regions and 3 cities of national significance
    assert set(charts.KZ_TILES) == codes == set(charts.KZ_SHORT)
    places = list(charts.KZ_TILES.values())
    assert len(set(places)) == len(places)  # no two on one square


def test_the_map_draws_each_place_once_as_a_link_to_its_projects(app):
    with app.test_request_context():
        c = charts.tilemap(_tiles(), locale="ru", title="Карта", headers=["Регион", "Проекты"])
    root = parse(c)
    assert root.get("role") == "group"  # its tiles are links, not part of one image
    links = list(root.iter(f"{SVG}a"))
    assert sorted(a.get("href") for a in links) == sorted(
        f"/projects/?region={r.id}" for r in _regions()
    )
    for a, r in zip(
        sorted(links, key=lambda a: a.get("href")),
        sorted(_regions(), key=lambda r: f"/projects/?region={r.id}"),
        strict=True,
    ):
        name = a.get("aria-label")
        assert r.name("ru") in name
        # What a screen reader says holds the label the tile shows (WCAG 2.5.3).
        shown = " ".join(" ".join(" ".join(t.itertext()) for t in a.iter(f"{SVG}text")).split())
        assert re.search(rf"(?<!\w){re.escape(shown)}(?!\w)", name), (name, shown)
        assert a.find(f"{SVG}title").text == name
    # The table: one row per place, its name a link.
    assert len(c.rows) == 20
    assert all(str(row[0]).startswith('<a href="/projects/?region=') for row in c.rows)


def test_tiles_sit_on_their_grid_without_overlapping(app):
    with app.test_request_context():
        root = parse(charts.tilemap(_tiles(), locale="en"))
    squares = [a.find(f"{SVG}rect") for a in root.iter(f"{SVG}a")]
    boxes = [
        (float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
        for r in squares
    ]
    assert all(w == h for _x, _y, w, h in boxes)  # square
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, _w, _h in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w <= x or y + h <= y2 or y2 + h <= y


@pytest.mark.parametrize(
    ("values", "bounds"),
    [
        ([0, 0], []),
        ([420, 300, 0], [150, 300, 450, 600]),
        ([7, 1], [2, 4, 6, 8]),
        ([1000], [250, 500, 750, 1000]),
    ],
)
def test_the_shading_steps_are_round_quarters_of_the_top(values, bounds):
    assert charts.shading_steps(values) == bounds


def test_each_value_falls_in_its_step():
    bounds = [150, 300, 450, 600]
    assert [charts.shade_of(v, bounds) for v in (0, 1, 150, 151, 300, 449, 450, 600)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
    ]


def test_tiles_are_shaded_by_step_with_a_legend_of_the_steps(app):
    values = {"KZ-75": 600, "KZ-71": 450, "KZ-10": 200, "KZ-11": 100}
    with app.test_request_context(), force_locale("en"):
        c = charts.tilemap(
            _tiles(values), locale="en", scale_fmt=lambda v: f"{v:.0f}", none_label="None"
        )
    root = parse(c)
    fill = {a.get("href"): a.find(f"{SVG}rect").get("fill") for a in root.iter(f"{SVG}a")}
    hrefs = {r.code: f"/projects/?region={r.id}" for r in _regions()}
    names = {r.code: r.name("ru") for r in _regions()}
    assert fill[hrefs["KZ-75"]] == charts.SHADES[3]
    assert fill[hrefs["KZ-71"]] == charts.SHADES[2]
    assert fill[hrefs["KZ-10"]] == charts.SHADES[1]
    assert fill[hrefs["KZ-11"]] == charts.SHADES[0]
    assert fill[hrefs["KZ-62"]] == charts.NONE_SHADE
    # The legend: a swatch of each step beside its range, after the one of "none".
    swatches = [r.get("fill") for r in root.findall(f"{SVG}rect") if r.get("width") == "10"]
    assert swatches == [charts.NONE_SHADE, *charts.SHADES]
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert texts == ["None", "up to 150", "150 to 300", "300 to 450", "450 to 600"]
    # The alternative text: each place with figures, then those without.
    shown = [f"{names[k]}: {values[k]}" for k in ("KZ-10", "KZ-11", "KZ-71", "KZ-75")]
    rest = ", ".join(names[k] for k in sorted(names) if k not in values)
    assert c.alt == "; ".join([*shown, f"None: {rest}"])


@pytest.mark.parametrize("shade", [charts.NONE_SHADE, *charts.SHADES])
def test_a_tile_label_contrasts_with_its_shade(shade):
    assert charts.contrast(charts.ink(shade), shade) >= 4.5


def test_contrast_is_computed_as_wcag_says():
    assert round(charts.contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(charts.contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_every_tile_label_fits_its_tile_whole(app, locale):
    """The short names are drawn whole (on at most two lines), inside their squares."""
    with app.test_request_context():
        root = parse(charts.tilemap(_tiles(), locale=locale))
    short = {"kk": 0, "ru": 1, "en": 2}[locale]
    for a in root.iter(f"{SVG}a"):
        rect, text = a.find(f"{SVG}rect"), a.find(f"{SVG}text")
        lines = [s.text for s in text.findall(f"{SVG}tspan")] or [text.text]
        x0, side = float(rect.get("x")), float(rect.get("width"))
        code = next(r.code for r in _regions() if a.get("href") == f"/projects/?region={r.id}")
        assert " ".join(lines) == charts.KZ_SHORT[code][short]
        for line in lines:
            w = textwidth.width(line, charts.TILE_SIZE)
            centre = float(text.get("x"))
            assert x0 < centre - w / 2 and centre + w / 2 < x0 + side, (line, w, side)
    assert_svgs_fit(str(charts.tilemap(_tiles(), locale=locale).svg))


def test_columns_draw_each_series_side_by_side_with_a_table_and_alt(app):
    with app.test_request_context(), force_locale("en"):
        c = charts.columns(
            ["2025 Q1", "2025 Q2", "2025 Q3"],
            [("Planned", [100, 0, 300]), ("Paid", [50, 80, 0])],
            title="Money",
            period_header="Quarter",
            ticks=[("Q1", "2025"), ("Q2", ""), ("Q3", "")],
        )
    root = parse(c)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("width") != "10"]
    assert [b.get("fill") for b in bars] == [charts.PALETTE[0]] * 2 + [charts.PALETTE[1]] * 2
    heights = [float(b.get("height")) for b in bars]
    assert abs(heights[1] - 3 * heights[0]) < 0.2  # 300 against 100
    assert c.headers == ["Quarter", "Planned", "Paid"]
    assert c.rows == [["2025 Q1", "100", "50"], ["2025 Q2", "0", "80"], ["2025 Q3", "300", "0"]]
    assert c.alt == (
        "Money: Planned: 2025 Q1 100, 2025 Q2 0, 2025 Q3 300; Paid: 2025 Q1 50, 2025 Q2 80, "
        "2025 Q3 0"
    )
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert_fits(c, [])


def test_columns_name_their_periods_without_overlap_when_crowded(app):
    periods = [f"{2020 + i // 4} Q{i % 4 + 1}" for i in range(40)]
    ticks = [(f"Q{i % 4 + 1}", str(2020 + i // 4) if i % 4 == 0 else "") for i in range(40)]
    with app.test_request_context():
        c = charts.columns(periods, [("A", list(range(40)))], ticks=ticks, width=400)
    assert_fits(c, [])
    root = parse(c)
    rows = {}
    for t in root.iter(f"{SVG}text"):
        if t.get("text-anchor") == "middle":
            w = textwidth.width(t.text, charts.SMALL)
            rows.setdefault(t.get("y"), []).append(
                (float(t.get("x")) - w / 2, float(t.get("x")) + w / 2)
            )
    for spans in rows.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_the_new_pictures_are_escaped_and_fetch_nothing(app):
    hostile = '<script>x</script><image href="file:///etc/passwd"/>'
    with app.test_request_context():
        tiles = _tiles()
        tiles[0].name, tiles[0].said, tiles[0].href = hostile, hostile, '"><script>'
        drawn = [
            charts.columns([hostile], [(hostile, [1])], title=hostile, ticks=[(hostile, hostile)]),
            charts.tilemap(tiles, locale="en", title=hostile, none_label=hostile),
        ]
    for c in drawn:
        elements = list(parse(c).iter())  # well-formed
        tags = {e.tag.removeprefix(SVG) for e in elements}
        assert tags <= {"svg", "title", "text", "tspan", "rect", "line", "a", "g"}
        assert not any(a == "style" for e in elements for a in e.attrib)
        assert all(
            e.get("href", "").startswith("/projects/") or e.get("href") == '"><script>'
            for e in elements
            if e.tag == f"{SVG}a"
        )
        assert hostile not in str(c.svg) and "<script>" not in str(c.svg)


def test_a_nice_top_makes_round_quarters():
    assert [charts.nice_ceiling(v) for v in (0, 0.7, 1, 3, 4.2, 5, 7, 9, 11)] == [
        0,
        0.8,
        1,
        4,
        6,
        6,
        8,
        10,
        20,
    ]
