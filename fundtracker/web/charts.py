"""SVG charts drawn on the server, for the pages and the PDF reports alike.

Each chart is returned with its figures as a table, so that what a chart shows can also be read
(screen readers, printing in black and white, copying figures). Only SVG presentation attributes
are used, never `style`: the pages' Content-Security-Policy forbids inline styles, and WeasyPrint
draws presentation attributes as browsers do. Labels are escaped; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

FONT = "DejaVu Sans, sans-serif"
# Colour-blind-safe palette (Okabe-Ito), distinguishable in greyscale by order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"


@dataclass
class Chart:
    """An SVG drawing and the same figures as a table (headers, then rows of display strings)."""

    svg: Markup
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    title: str = ""

    def __html__(self) -> str:
        return str(self.svg)


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 11,
    anchor: str = "start",
    fill: str = TEXT,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    # Every piece of `body` was built from escaped text and numbers.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


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
    shown = list(display) if display is not None else [fmt(v) for _, v in rows]
    label_w, value_w, bar_h, gap, top = 210, 110, 18, 8, 8
    plot_w = width - label_w - value_w
    top_value = max((v for _, v in rows), default=0) or 1
    height = top + len(rows) * (bar_h + gap) + 4
    body = []
    for i, ((label, value), text) in enumerate(zip(rows, shown, strict=True)):
        y = top + i * (bar_h + gap)
        body.append(_text(label_w - 8, y + bar_h - 5, _clip(label, 32), anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#f1f3f5"/>'
        )
        if display is None or text == fmt(value):
            w = plot_w * max(value, 0) / top_value
            body.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[0]}"/>'
            )
        body.append(_text(label_w + plot_w + 6, y + bar_h - 5, text, weight="bold"))
    return Chart(
        svg=_svg(width, max(height, 30), body, title),
        headers=[label_header, value_header],
        rows=[[label, text] for (label, _), text in zip(rows, shown, strict=True)],
        title=title,
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
    label_w, value_w, bar_h, gap, top = 210, 150, 16, 12, 8
    plot_w = width - label_w - value_w
    height = top + len(rows) * (bar_h + gap) + 4
    body, table = [], []
    for i, (label, achieved, target) in enumerate(rows):
        a_text, t_text = (
            display[i] if display is not None else (fmt(achieved), fmt(target) if target else "—")
        )
        share = f"{achieved / target:.0%}" if target else "—"
        y = top + i * (bar_h + gap)
        scale = max(achieved, target or 0) or 1
        body.append(_text(label_w - 8, y + bar_h - 4, _clip(label, 32), anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#f1f3f5"/>'
        )
        suppressed = display is not None and a_text != fmt(achieved)
        if not suppressed:
            w = plot_w * max(achieved, 0) / scale
            body.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[2]}"/>'
            )
        if target:
            x = label_w + plot_w * target / scale
            body.append(
                f'<rect x="{x - 1.5:.1f}" y="{y - 3}" width="3" height="{bar_h + 6}" '
                f'fill="{TEXT}"/>'
            )
        body.append(_text(label_w + plot_w + 6, y + bar_h - 4, f"{a_text} / {t_text}"))
        table.append([label, a_text, t_text, share if not suppressed else "—"])
    return Chart(
        svg=_svg(width, max(height, 30), body, title),
        headers=list(headers),
        rows=table,
        title=title,
    )


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
    """One line per (name, values by period); None leaves a gap. A legend sits under the plot."""
    left, right, top, bottom = 60, 16, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = max(values, default=0) or 1
    n = max(len(periods), 1)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    body = []
    for k in range(5):
        v = top_value * k / 4
        y = y_at(v)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, fmt(v), size=10, anchor="end", fill=MUTED))
    step = max(1, n // 8)
    for i, p in enumerate(periods):
        if i % step == 0 or i == n - 1:
            body.append(_text(x_at(i), top + plot_h + 14, p, size=10, anchor="middle", fill=MUTED))
    for s, (name, vs) in enumerate(series):
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
        lx = left + s * 160
        body.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(_text(lx + 14, height - 5, _clip(name, 22), size=10))
    headers = [period_header] + [name for name, _ in series]
    rows = [
        [p] + [fmt(vs[i]) if i < len(vs) and vs[i] is not None else "—" for _, vs in series]
        for i, p in enumerate(periods)
    ]
    return Chart(svg=_svg(width, height, body, title), headers=headers, rows=rows, title=title)
