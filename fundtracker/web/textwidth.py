"""How wide a line of text is in DejaVu Sans, from the font file's own advance widths (fontTools),
so that charts can lay out their labels before anything draws them: the PDFs draw them with the
same files (fontconfig), and the pages ask for DejaVu Sans first.

Kerning and ligatures are left out: in DejaVu they only ever bring letters closer, so a measured
width is never narrower than the drawn one. A character the font lacks (drawn by a fallback font,
an emoji say) counts as one em, wider than nearly any glyph.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

from fontTools.ttLib import TTFont

ELLIPSIS = "…"
# Where Debian, Fedora and Alpine put the files, when fontconfig cannot be asked.
_KNOWN = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    ),
}
# Without the font file at all: an em share wider than DejaVu's widest common letters' average.
_UNKNOWN_FONT_EM = 0.75
_MISSING_GLYPH_EM = 1.0


def _font_file(bold: bool) -> str | None:
    """The file fontconfig would draw "DejaVu Sans" (bold) with, as WeasyPrint draws it."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", pattern],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        # fontconfig answers with some other family when DejaVu is missing.
        if found.endswith(".ttf") and "DejaVuSans" in os.path.basename(found):
            return found
    return next((path for path in _KNOWN[bold] if os.path.exists(path)), None)


@lru_cache(maxsize=2)  # once per process and weight: reading the tables takes about 0.1 s
def _advances(bold: bool) -> dict[int, float] | None:
    """Advance widths in ems by code point, or None without the font."""
    path = _font_file(bold)
    if path is None:
        return None
    with TTFont(path, lazy=True) as font:
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {cp: metrics[glyph][0] / units for cp, glyph in font.getBestCmap().items()}


def _ems(text: str, bold: bool) -> list[float]:
    advances = _advances(bold)
    if advances is None:
        return [_UNKNOWN_FONT_EM] * len(text)
    return [advances.get(ord(ch), _MISSING_GLYPH_EM) for ch in text]


@lru_cache(maxsize=8192)  # the same region, area and indicator names come back in every chart
def _em_width(text: str, bold: bool) -> float:
    return sum(_ems(text, bold))


def width(text: str, size: float, *, bold: bool = False) -> float:
    """The advance width of `text` on one line at font size `size` (in the same units)."""
    return size * _em_width(text, bold)


def shorten(text: str, limit: float, size: float, *, bold: bool = False) -> str:
    """`text` if it fits in `limit`, else its longest start that fits with "…" after it (the
    start, never the end, is what a reader recognises). Trailing spaces and punctuation before
    the ellipsis go."""
    if width(text, size, bold=bold) <= limit:
        return text
    room = limit - width(ELLIPSIS, size, bold=bold)
    used, cut = 0.0, 0
    for em in _ems(text, bold):
        used += size * em
        if used > room:
            break
        cut += 1
    return text[:cut].rstrip(" \u00a0\u202f,;:–—-") + ELLIPSIS


def wrap(text: str, limit: float, size: float, *, lines: int = 2, bold: bool = False) -> list[str]:
    """`text` broken at spaces into at most `lines` lines no wider than `limit`; the last line
    ends in "…" when the rest does not fit, and so does a line whose first word alone is too
    wide (a word is never split)."""
    words = text.split()
    widths = [width(w, size, bold=bold) for w in words]
    space = width(" ", size, bold=bold)
    out: list[str] = []
    start = 0
    while start < len(words) and len(out) < lines:
        rest = " ".join(words[start:])
        # The last line takes the rest, and so does a first word too wide for a line of its
        # own (cut there rather than push the ellipsis a line further): shortened if need be.
        if len(out) == lines - 1 or widths[start] > limit:
            out.append(shorten(rest, limit, size, bold=bold))
            break
        end, used = start + 1, widths[start]
        while end < len(words) and used + space + widths[end] <= limit:
            used += space + widths[end]
            end += 1
        out.append(" ".join(words[start:end]))
        start = end
    return out
