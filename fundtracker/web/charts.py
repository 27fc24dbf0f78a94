"""SVG charts drawn on the server, for the pages and the PDF reports alike.

Each chart is returned with its figures as a table, so that what a chart shows can also be read
(screen readers, printing in black and white, copying figures), and with an alternative text that
states its figures (`alt`: the svg's <title> and aria-label, which WeasyPrint makes the tagged
figure's /Alt). Only SVG presentation attributes are used, never `style`: the pages'
Content-Security-Policy forbids inline styles, and WeasyPrint draws presentation attributes as
browsers do. Labels are escaped; nothing is fetched.

Labels fit by construction: every text is measured with DejaVu Sans' own metrics (textwidth)
in the viewBox's units, which the svg keeps however wide it is drawn. A label column is as wide as
its longest label up to a share of the chart; a longer label wraps onto a second line and is then
shortened at its end ("…", the full label in a <title> of its text). Labels start at the left
edge and figures end at the right edge, so that a browser font wider than DejaVu would push them
towards the bars, never out of the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape

from fundtracker.web import textwidth

FONT = "DejaVu Sans, sans-serif"
# Colour-blind-safe palette (Okabe-Ito), distinguishable in greyscale by order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"

SIZE = 11  # labels and figures, in viewBox units
SMALL = 10  # axes and legends
PAD = 4  # kept clear at the chart's edges
GAP = 8  # between a column of text and the bars
LABEL_SHARE = 0.4  # the label column's widest share of the chart
VALUE_SHARE = 0.35  # the figures' (a figure wider than that is a display string gone wrong)
MIN_PLOT = 120  # the narrowest bar area
LINE = 12.5  # between the two lines of a wrapped label
# Bidirectional controls would reorder a label in the drawing (U+202E prints it reversed).
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HIDDEN, NOTHING = "…", "—"  # the display strings of a hidden figure and of none


@dataclass
class Chart:
    """An SVG drawing, the same figures as a table (headers, then rows of display strings), and
    an alternative text that states them."""

    svg: Markup
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    title: str = ""
    alt: str = ""

    def __html__(self) -> str:
        return str(self.svg)


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def _clean(label: str) -> str:
    return " ".join(_BIDI_CONTROLS.sub("", str(label)).split())


def _text(
    x: float,
    y: float,
    content: str | Sequence[str],
    *,
    size: int = SIZE,
    anchor: str = "start",
    fill: str = TEXT,
    weight: str = "normal",
    full: str | None = None,
) -> str:
    """A text at (x, baseline y); a list of lines is drawn as tspans LINE apart. `full` is the
    whole label of a shortened one, kept as the text's <title> (a tooltip, read by assistive
    technology, not drawn)."""
    lines = [content] if isinstance(content, str) else list(content)
    title = f"<title>{escape(full)}</title>" if full is not None else ""
    if len(lines) == 1:
        inner = escape(lines[0])
    else:
        # A space between the lines: read (and copied) as words, not "СолтүстікҚазақстан".
        inner = " ".join(
            f'<tspan x="{x:.1f}" y="{y + k * LINE:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{title}{inner}</text>'
    )


def _svg(width: int, height: float, body: list[str], alt: str, role: str = "img") -> Markup:
    """`role`: "img" for a picture; "group" for one whose parts are links (a role="img" would
    hide them from assistive technology)."""
    # Every piece of `body` was built from escaped text and numbers.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {math.ceil(height)}" '
        f'width="100%" role="{role}" aria-label="{escape(alt)}" class="chart">'
        f"<title>{escape(alt)}</title>" + "".join(body) + "</svg>"
    )


def _spoken(value: str) -> str:
    """A display string as the alternative text says it ("…" and "—" are not read well)."""
    if value == HIDDEN:
        return pgettext("chart figure", "hidden")
    if value == NOTHING:
        return pgettext("chart figure", "no figure")
    return value


def _alt(title: str, figures: list[str]) -> str:
    listed = "; ".join(figures)
    if not title:
        return listed
    return _("%(title)s: %(figures)s", title=title, figures=listed) if listed else title


@dataclass
class _Labels:
    """A column of labels laid out to fit: each label's lines, and the column's width."""

    lines: list[list[str]]
    width: float

    def text(self, i: int, label: str, x: float, y: float) -> str:
        lines = self.lines[i]
        whole = " ".join(lines) == _clean(label)
        return _text(x, y, lines, full=None if whole else _clean(label))


def _label_column(labels: Sequence[str], limit: float) -> _Labels:
    laid = []
    for label in labels:
        clean = _clean(label)
        if textwidth.width(clean, SIZE) <= limit:
            laid.append([clean])
        else:
            laid.append(textwidth.wrap(clean, limit, SIZE, lines=2))
    widest = max((textwidth.width(line, SIZE) for lines in laid for line in lines), default=0)
    return _Labels(laid, min(widest, limit))


def _values(
    texts: Sequence[str], width: int, *, bold: bool, least: float
) -> tuple[list[str], float]:
    """Figures as drawn (shortened only past VALUE_SHARE of the chart) and the width of their
    column: their widest, and at least `least` so that charts of a kind line up on a page."""
    limit = VALUE_SHARE * width
    shown = [textwidth.shorten(t, limit, SIZE, bold=bold) for t in texts]
    return shown, max([least, *(textwidth.width(t, SIZE, bold=bold) for t in shown)])


def _rows_layout(labels: _Labels, bar_h: float, gap: float, top: float) -> list[float]:
    """Each row's top: a wrapped label's row is taller so its two lines clear its neighbours."""
    ys, y = [], top
    for lines in labels.lines:
        ys.append(y)
        y += bar_h + gap + (LINE - 4 if len(lines) > 1 else 0)
    return [*ys, y]


def _baseline(y: float, bar_h: float, lines: int) -> float:
    """The first baseline of `lines` lines centred on a bar at y."""
    return y + bar_h / 2 + 0.35 * SIZE - (lines - 1) * LINE / 2


def hbar(
    rows: Sequence[tuple[str, float]],
    *,
    title: str = "",
    label_header: str = "",
    value_header: str = "",
    fmt: Callable[[float], str] = _fmt_default,
    display: Sequence[str] | None = None,
    figures: Sequence[str] | None = None,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per (label, value). `display` overrides the printed values (e.g. a
    suppressed "<5"); the bar of a suppressed value is not drawn. `figures` are drawn beside the
    bars and said instead of the values (a value with more: "₸1,000 · 5 projects"); `extra` adds
    (header, a display string per row) columns to the table, before the value."""
    shown = list(display) if display is not None else [fmt(v) for _l, v in rows]
    said = list(figures) if figures is not None else shown
    bar_h, gap, top = 18, 8, 8
    drawn, value_w = _values(said, width, bold=True, least=0.16 * width)
    limit = min(LABEL_SHARE * width, width - 2 * PAD - 2 * GAP - value_w - MIN_PLOT)
    labels = _label_column([label for label, _v in rows], limit)
    plot_x = PAD + labels.width + GAP
    plot_w = width - PAD - value_w - GAP - plot_x
    top_value = max((v for _l, v in rows), default=0) or 1
    ys = _rows_layout(labels, bar_h, gap, top)
    body = []
    for i, ((label, value), text) in enumerate(zip(rows, shown, strict=True)):
        y = ys[i]
        body.append(labels.text(i, label, PAD, _baseline(y, bar_h, len(labels.lines[i]))))
        body.append(
            f'<rect x="{plot_x:.1f}" y="{y:.1f}" width="{plot_w:.1f}" height="{bar_h}" '
            f'fill="#f1f3f5"/>'
        )
        if display is None or text == fmt(value):
            w = plot_w * max(value, 0) / top_value
            body.append(
                f'<rect x="{plot_x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[0]}"/>'
            )
        body.append(
            _text(width - PAD, _baseline(y, bar_h, 1), drawn[i], anchor="end", weight="bold")
        )
    table = [
        [label, *(cells[i] for _h, cells in extra), text]
        for i, ((label, _v), text) in enumerate(zip(rows, shown, strict=True))
    ]
    alt = _alt(
        title,
        [
            _("%(label)s %(value)s", label=_clean(label), value=_spoken(text))
            for (label, _v), text in zip(rows, said, strict=True)
        ],
    )
    return Chart(
        svg=_svg(width, max(ys[-1] - gap + top, 30), body, alt),
        headers=[label_header, *(h for h, _cells in extra), value_header],
        rows=table,
        title=title,
        alt=alt,
    )


def _progress_alt(label: str, achieved: str, target: str, share: str) -> str:
    label, achieved = _clean(label), _spoken(achieved)
    if target == NOTHING:
        return _("%(label)s: %(achieved)s, no target", label=label, achieved=achieved)
    if share == NOTHING:
        return _(
            "%(label)s: %(achieved)s of %(target)s",
            label=label,
            achieved=achieved,
            target=_spoken(target),
        )
    return _(
        "%(label)s: %(achieved)s of %(target)s (%(share)s)",
        label=label,
        achieved=achieved,
        target=_spoken(target),
        share=share,
    )


def progress(
    rows: Sequence[tuple[str, float, float | None]],
    *,
    title: str = "",
    headers: Sequence[str] = ("", "", "", ""),
    fmt: Callable[[float], str] = _fmt_default,
    display: Sequence[tuple[str, str]] | None = None,
    width: int = 640,
) -> Chart:
    """Achieved against target, one row per (label, achieved, target). The bar is the achieved
    value on a scale to the larger of the two, with the target as a dark mark. `headers` are
    (label, achieved, target, share). `display` overrides the printed (achieved, target)."""
    bar_h, gap, top = 16, 12, 8
    pairs = [
        display[i] if display is not None else (fmt(a), fmt(t) if t else NOTHING)
        for i, (_l, a, t) in enumerate(rows)
    ]
    drawn, value_w = _values(
        [f"{a} / {t}" for a, t in pairs], width, bold=False, least=0.22 * width
    )
    limit = min(LABEL_SHARE * width, width - 2 * PAD - 2 * GAP - value_w - MIN_PLOT)
    labels = _label_column([label for label, _a, _t in rows], limit)
    plot_x = PAD + labels.width + GAP
    # The target mark stands 1.5 past the end of a full bar.
    plot_w = width - PAD - value_w - GAP - plot_x - 1.5
    ys = _rows_layout(labels, bar_h, gap, top)
    body, table = [], []
    for i, (label, achieved, target) in enumerate(rows):
        a_text, t_text = pairs[i]
        share = f"{achieved / target:.0%}" if target else NOTHING
        y = ys[i]
        scale = max(achieved, target or 0) or 1
        body.append(labels.text(i, label, PAD, _baseline(y, bar_h, len(labels.lines[i]))))
        body.append(
            f'<rect x="{plot_x:.1f}" y="{y:.1f}" width="{plot_w:.1f}" height="{bar_h}" '
            f'fill="#f1f3f5"/>'
        )
        suppressed = display is not None and a_text != fmt(achieved)
        if not suppressed:
            w = plot_w * max(achieved, 0) / scale
            body.append(
                f'<rect x="{plot_x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[2]}"/>'
            )
        if target:
            x = plot_x + plot_w * target / scale
            body.append(
                f'<rect x="{x - 1.5:.1f}" y="{y - 3:.1f}" width="3" height="{bar_h + 6}" '
                f'fill="{TEXT}"/>'
            )
        body.append(_text(width - PAD, _baseline(y, bar_h, 1), drawn[i], anchor="end"))
        table.append([label, a_text, t_text, share if not suppressed else NOTHING])
    alt = _alt(title, [_progress_alt(*row) for row in table])
    return Chart(
        svg=_svg(width, max(ys[-1] - gap + top, 30), body, alt),
        headers=list(headers),
        rows=table,
        title=title,
        alt=alt,
    )


def _legend(
    body: list[str], items: Sequence[tuple[str, str]], top: float, width: int, *, stroke: str = ""
) -> float:
    """A legend of (colour, name) swatches flowing in rows from the left edge at `top`; a name
    longer than a row is shortened. Appends to `body`; returns the top of its last row."""
    legend_y, lx = top, PAD
    room = width - 2 * PAD - 14
    edge = f' stroke="{stroke}" stroke-width="0.75"' if stroke else ""
    for colour, name in items:
        clean = _clean(name)
        shown = textwidth.shorten(clean, room, SMALL)
        item = 14 + textwidth.width(shown, SMALL)
        if lx > PAD and lx + item > width - PAD:
            legend_y, lx = legend_y + 16, PAD
        body.append(
            f'<rect x="{lx:.1f}" y="{legend_y:.1f}" width="10" height="10" fill="{colour}"{edge}/>'
        )
        body.append(
            _text(
                lx + 14,
                legend_y + 9,
                shown,
                size=SMALL,
                full=None if shown == clean else clean,
            )
        )
        lx += item + 16
    return legend_y


def _period_ticks(periods: Sequence[str], plot_w: float) -> list[int]:
    """The periods named under the axis: every step-th, the step the smallest at which the
    names do not touch, and always the last (without its neighbour when they would touch)."""
    n = len(periods)
    if n <= 1:
        return list(range(n))
    widest = max(textwidth.width(p, SMALL) for p in periods) + 6
    step = 1
    while step < n - 1 and plot_w * step / (n - 1) < widest:
        step += 1
    return [i for i in range(0, n - 1, step) if n - 1 - i >= step] + [n - 1]


def lines(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str = "",
    period_header: str = "",
    fmt: Callable[[float], str] = _fmt_default,
    width: int = 640,
    height: int = 240,
) -> Chart:
    """One line per (name, values by period); None leaves a gap. A legend sits under the plot,
    on as many rows as its names need (the drawing grows by them)."""
    top, bottom = 12, 44
    values = [v for _n, vs in series for v in vs if v is not None]
    top_value = max(values, default=0) or 1
    n = max(len(periods), 1)
    axis = [fmt(top_value * k / 4) for k in range(5)]
    names = [_clean(p) for p in periods]
    first = textwidth.width(names[0], SMALL) / 2 if names else 0
    last = textwidth.width(names[-1], SMALL) / 2 if names else 0
    left = PAD + max(max(textwidth.width(a, SMALL) for a in axis) + 6, first)
    right = PAD + max(12.0, last)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    body = []
    for k, text in enumerate(axis):
        y = y_at(top_value * k / 4)
        body.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, text, size=SMALL, anchor="end", fill=MUTED))
    for i in _period_ticks(names, plot_w):
        body.append(
            _text(x_at(i), top + plot_h + 14, names[i], size=SMALL, anchor="middle", fill=MUTED)
        )
    for s, (_name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        path, pen_down = [], False
        for i, v in enumerate(vs):
            if v is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_at(i):.1f},{y_at(v):.1f}")
            pen_down = True
            body.append(f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="3" fill="{colour}"/>')
        if path:
            body.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
    return _series_chart(body, height - 14, width, title, period_header, periods, series, fmt)


def _series_chart(body, legend_top, width, title, period_header, periods, series, fmt) -> Chart:
    """A chart of series over periods (lines, columns) once drawn: the series' legend under
    `legend_top`, the table of figures (a period a row, a series a column) and the alternative
    text that reads each series' figures."""
    legend_y = _legend(
        body,
        [(PALETTE[s % len(PALETTE)], name) for s, (name, _vs) in enumerate(series)],
        legend_top,
        width,
    )
    headers = [period_header] + [name for name, _vs in series]
    rows = [
        [p] + [fmt(vs[i]) if i < len(vs) and vs[i] is not None else NOTHING for _n, vs in series]
        for i, p in enumerate(periods)
    ]
    alt = _alt(
        title,
        [
            _(
                "%(series)s: %(figures)s",
                series=_clean(name),
                figures=", ".join(
                    _("%(label)s %(value)s", label=_clean(row[0]), value=_spoken(row[1 + s]))
                    for row in rows
                ),
            )
            for s, (name, _vs) in enumerate(series)
        ],
    )
    return Chart(
        svg=_svg(width, legend_y + 14, body, alt),
        headers=headers,
        rows=rows,
        title=title,
        alt=alt,
    )


# Columns ----------------------------------------------------------------------------------------


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 4, 6, 8 and 10 times a power of ten that is at least `value` (0
    for nothing): a scale's top whose quarters are round figures (a quarter of 4 is 1, of 6
    1.5), so that a compact figure ("1,5 млрд") prints them exactly."""
    if value <= 0:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 4, 6, 8, 10) if m * power >= value)


def columns(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str = "",
    period_header: str = "",
    fmt: Callable[[float], str] = _fmt_default,
    axis_fmt: Callable[[float], str] | None = None,
    ticks: Sequence[tuple[str, str]] | None = None,
    width: int = 560,
    height: int = 180,
) -> Chart:
    """Grouped columns: in each period one column per (name, values) series, side by side in
    the palette's order, on a scale from 0 with four grid lines, and a legend under the axis.
    `ticks` names the periods under the axis on two rows, (short name, the group it opens or ""),
    a quarter and its year; without them the periods' own names. `axis_fmt` prints the scale
    (compact figures); `fmt` the table and the alternative text. `height` is the plot's."""
    axis_fmt = axis_fmt or fmt
    top = 10
    n = max(len(periods), 1)
    top_value = nice_ceiling(max((v for _n, vs in series for v in vs), default=0)) or 1
    axis = [axis_fmt(top_value * k / 4) for k in range(5)]
    left = PAD + max(textwidth.width(a, SMALL) for a in axis) + 6
    plot_w = width - left - PAD
    slot = plot_w / n
    bar_w = slot * 0.8 / max(len(series), 1)
    bottom = top + height

    body = []
    for k, text in enumerate(axis):
        y = bottom - height * k / 4
        body.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            f'stroke="{MUTED if k == 0 else GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, text, size=SMALL, anchor="end", fill=MUTED))
    for s, (_name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        for i, v in enumerate(values):
            h = height * max(v, 0) / top_value
            if h <= 0:
                continue
            x = left + i * slot + slot * 0.1 + s * bar_w
            body.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
    names = [_clean(t[0]) for t in ticks] if ticks else [_clean(p) for p in periods]
    groups = [_clean(t[1]) for t in ticks] if ticks else [""] * len(names)
    widest = max((textwidth.width(name, SMALL) for name in names), default=0) + 4
    step = 1
    while step < n and slot * step < widest:
        step += 1
    row_y, edge = bottom + 13, -math.inf  # the end of the group name drawn last
    for i, name in enumerate(names):
        centre = left + (i + 0.5) * slot
        if i % step == 0 and centre + textwidth.width(name, SMALL) / 2 <= width - PAD:
            body.append(_text(centre, row_y, name, size=SMALL, anchor="middle", fill=MUTED))
        if groups[i]:
            half = textwidth.width(groups[i], SMALL) / 2
            x = min(max(centre, PAD + half), width - PAD - half)
            if x - half > edge + 4:
                body.append(_text(x, row_y + 13, groups[i], size=SMALL, anchor="middle"))
                edge = x + half
    legend_top = row_y + (13 if any(groups) else 0) + 10
    return _series_chart(body, legend_top, width, title, period_header, periods, series, fmt)


# A tile map of Kazakhstan ------------------------------------------------------------------------

# Each region and city of national significance (ISO 3166-2:KZ) as one square of a grid of 7
# columns and 5 rows, placed roughly where it lies: the west in the first columns, the cities
# beside the regions around them.
KZ_TILES: dict[str, tuple[int, int]] = {
    "KZ-27": (0, 0),  # West Kazakhstan
    "KZ-39": (2, 0),  # Kostanay
    "KZ-59": (3, 0),  # North Kazakhstan
    "KZ-55": (4, 0),  # Pavlodar
    "KZ-23": (0, 1),  # Atyrau
    "KZ-15": (1, 1),  # Aktobe
    "KZ-11": (3, 1),  # Akmola
    "KZ-71": (4, 1),  # Astana
    "KZ-10": (5, 1),  # Abai
    "KZ-63": (6, 1),  # East Kazakhstan
    "KZ-47": (0, 2),  # Mangystau
    "KZ-43": (1, 2),  # Kyzylorda
    "KZ-62": (2, 2),  # Ulytau
    "KZ-35": (3, 2),  # Karaganda
    "KZ-33": (5, 2),  # Jetisu
    "KZ-61": (2, 3),  # Turkistan
    "KZ-31": (3, 3),  # Jambyl
    "KZ-19": (4, 3),  # Almaty Region
    "KZ-79": (2, 4),  # Shymkent
    "KZ-75": (4, 4),  # Almaty
}
# What a tile says: the place's short name as people write it, in each language (the full name
# is the tile's accessible name and its row of the table). Proper names, not messages: kept
# here beside the layout, as the regions' names are kept in the reference data.
KZ_SHORT: dict[str, tuple[str, str, str]] = {  # kk, ru, en
    "KZ-10": ("Абай", "Абай", "Abai"),
    "KZ-11": ("Ақмола", "Акмола", "Akmola"),
    "KZ-15": ("Ақтөбе", "Актобе", "Aktobe"),
    "KZ-19": ("Алматы облысы", "Алматинская обл.", "Almaty Region"),
    "KZ-23": ("Атырау", "Атырау", "Atyrau"),
    "KZ-27": ("Батыс Қазақстан", "ЗКО", "West Kazakhstan"),
    "KZ-31": ("Жамбыл", "Жамбыл", "Jambyl"),
    "KZ-33": ("Жетісу", "Жетісу", "Jetisu"),
    "KZ-35": ("Қарағанды", "Караганда", "Karaganda"),
    "KZ-39": ("Қостанай", "Костанай", "Kostanay"),
    "KZ-43": ("Қызылорда", "Кызылорда", "Kyzylorda"),
    "KZ-47": ("Маңғыстау", "Мангистау", "Mangystau"),
    "KZ-55": ("Павлодар", "Павлодар", "Pavlodar"),
    "KZ-59": ("Солтүстік Қазақстан", "СКО", "North Kazakhstan"),
    "KZ-61": ("Түркістан", "Туркестан", "Turkistan"),
    "KZ-62": ("Ұлытау", "Ұлытау", "Ulytau"),
    "KZ-63": ("Шығыс Қазақстан", "ВКО", "East Kazakhstan"),
    "KZ-71": ("Астана", "Астана", "Astana"),
    "KZ-75": ("Алматы", "Алматы", "Almaty"),
    "KZ-79": ("Шымкент", "Шымкент", "Shymkent"),
}
_SHORT_INDEX = {"kk": 0, "ru": 1, "en": 2}
# A sequential blue scale (ColorBrewer Blues), lightest to darkest; NONE for a place with none.
SHADES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
NONE_SHADE = "#f8f9fa"
WHITE = "#ffffff"
TILE_SIZE = 9  # a tile's label
TILE_GAP = 4


def _luminance(colour: str) -> float:
    """WCAG 2's relative luminance of "#rrggbb"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two "#rrggbb" colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink(fill: str) -> str:
    """The text colour for a fill: the page's dark text or white, whichever contrasts more."""
    return max((TEXT, WHITE), key=lambda colour: contrast(colour, fill))


def shading_steps(values: Sequence[float], steps: int = len(SHADES)) -> list[float]:
    """The upper bounds of the shading steps: `steps` equal parts of a round top at or above
    the largest value (none when every value is 0)."""
    top = nice_ceiling(max(values, default=0))
    return [top * k / steps for k in range(1, steps + 1)] if top else []


def shade_of(value: float, bounds: Sequence[float]) -> int:
    """The step of a value: 0 for nothing, else 1 + the index of the first bound it is within."""
    if value <= 0 or not bounds:
        return 0
    return 1 + next((k for k, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


@dataclass
class Tile:
    """A place on the tile map: its ISO 3166-2:KZ code, its full name, the value that shades
    it, its figures as said ("3 projects, ₸1,200,000"), its row of the table after its name, and
    the address it links to."""

    code: str
    name: str
    value: float
    said: str
    cells: list[str] = field(default_factory=list)
    href: str = ""


def tilemap(
    tiles: Sequence[Tile],
    *,
    locale: str,
    title: str = "",
    headers: Sequence[str] = (),
    scale_fmt: Callable[[float], str] = _fmt_default,
    none_label: str = "",
    width: int = 504,
) -> Chart:
    """Kazakhstan's regions and cities as squares placed roughly as on the map (KZ_TILES), each
    shaded by its value in SHADES' steps and naming itself (KZ_SHORT) in the colour that reads
    best on its shade, and a link (`href`) whose accessible name is the full name and figures.
    A legend under the map gives each step's range (`scale_fmt`). The svg is a group, not an
    image: its tiles are links. The table lists every tile, its name linked."""
    cols = 1 + max(c for c, _r in KZ_TILES.values())
    rows_n = 1 + max(r for _c, r in KZ_TILES.values())
    side = (width - 2 * PAD - (cols - 1) * TILE_GAP) / cols
    room = side - 4
    bounds = shading_steps([t.value for t in tiles])
    short = _SHORT_INDEX.get(locale, 2)
    body = []
    for tile in tiles:
        if tile.code not in KZ_TILES:
            continue
        col, row = KZ_TILES[tile.code]
        x, y = PAD + col * (side + TILE_GAP), PAD + row * (side + TILE_GAP)
        step = shade_of(tile.value, bounds)
        fill = SHADES[step - 1] if step else NONE_SHADE
        label = _clean(KZ_SHORT[tile.code][short] if tile.code in KZ_SHORT else tile.name)
        lines = (
            [label]
            if textwidth.width(label, TILE_SIZE) <= room
            else textwidth.wrap(label, room, TILE_SIZE, lines=2)
        )
        # The name a screen reader says holds the tile's visible label (WCAG 2.5.3), also when
        # it is an abbreviation or was shortened to fit.
        full, shown = _clean(tile.name), " ".join(lines)
        # Whole words: "Атырау" is not in "Атырауская область" for a speech-input user.
        held = re.search(rf"(?<!\w){re.escape(shown)}(?!\w)", full)
        region = full if held else f"{shown} ({full})"
        named = _("%(region)s: %(figures)s", region=region, figures=tile.said)
        baseline = y + side / 2 + 0.35 * TILE_SIZE - (len(lines) - 1) * LINE / 2
        text = _text(x + side / 2, baseline, lines, size=TILE_SIZE, anchor="middle", fill=ink(fill))
        square = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{side:.1f}" height="{side:.1f}" rx="3" '
            f'fill="{fill}" stroke="{MUTED}" stroke-width="0.75"/>'
        )
        inner = f"<title>{escape(named)}</title>{square}{text}"
        if tile.href:
            body.append(f'<a href="{escape(tile.href)}" aria-label="{escape(named)}">{inner}</a>')
        else:
            body.append(f'<g role="img" aria-label="{escape(named)}">{inner}</g>')
    legend = [(NONE_SHADE, none_label)] + [
        (
            SHADES[k],
            _("up to %(high)s", high=scale_fmt(bound))
            if k == 0
            else _("%(low)s to %(high)s", low=scale_fmt(bounds[k - 1]), high=scale_fmt(bound)),
        )
        for k, bound in enumerate(bounds)
    ]
    map_bottom = PAD + rows_n * side + (rows_n - 1) * TILE_GAP
    legend_y = _legend(body, legend, map_bottom + 10, width, stroke=MUTED)
    table = [
        [
            Markup(f'<a href="{escape(t.href)}">{escape(t.name)}</a>')  # noqa: S704 - escaped
            if t.href
            else t.name,
            *t.cells,
        ]
        for t in tiles
    ]
    alt = _alt(
        title,
        [
            _("%(region)s: %(figures)s", region=_clean(t.name), figures=t.said)
            for t in tiles
            if t.value > 0
        ]
        + (
            [
                _(
                    "%(label)s: %(regions)s",
                    label=none_label,
                    regions=", ".join(_clean(t.name) for t in tiles if t.value <= 0),
                )
            ]
            if none_label and any(t.value <= 0 for t in tiles)
            else []
        ),
    )
    return Chart(
        svg=_svg(width, legend_y + 14, body, alt, role="group"),
        headers=list(headers),
        rows=table,
        title=title,
        alt=alt,
    )
