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
        inner = "".join(
            f'<tspan x="{x:.1f}" y="{y + k * LINE:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{title}{inner}</text>'
    )


def _svg(width: int, height: float, body: list[str], alt: str) -> Markup:
    # Every piece of `body` was built from escaped text and numbers.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {math.ceil(height)}" '
        f'width="100%" role="img" aria-label="{escape(alt)}" class="chart">'
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
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per (label, value). `display` overrides the printed values (e.g. a
    suppressed "<5"); the bar of a suppressed value is not drawn."""
    shown = list(display) if display is not None else [fmt(v) for _l, v in rows]
    bar_h, gap, top = 18, 8, 8
    drawn, value_w = _values(shown, width, bold=True, least=0.16 * width)
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
    table = [[label, text] for (label, _v), text in zip(rows, shown, strict=True)]
    alt = _alt(
        title,
        [_("%(label)s %(value)s", label=_clean(r[0]), value=_spoken(r[1])) for r in table],
    )
    return Chart(
        svg=_svg(width, max(ys[-1] - gap + top, 30), body, alt),
        headers=[label_header, value_header],
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
    # The legend flows in rows from the left edge; a name longer than a row is shortened.
    legend_y, lx = height - 14, PAD
    room = width - 2 * PAD - 14
    for s, (name, _vs) in enumerate(series):
        clean = _clean(name)
        shown = textwidth.shorten(clean, room, SMALL)
        item = 14 + textwidth.width(shown, SMALL)
        if lx > PAD and lx + item > width - PAD:
            legend_y, lx = legend_y + 16, PAD
        colour = PALETTE[s % len(PALETTE)]
        body.append(
            f'<rect x="{lx:.1f}" y="{legend_y:.1f}" width="10" height="10" fill="{colour}"/>'
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
