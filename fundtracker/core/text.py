"""Cleaning what people type before it is stored and printed.

A title or summary is shown on pages, in CSV files and in PDF reports. Some characters change how
the text around them is drawn without being visible themselves, and some are drawn by no font the
reports use:

- bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) reorder the
  text after them: a title with U+202E prints reversed, and so does what follows it on the line;
- other format (Cf) and control (Cc) characters (zero-width spaces and joiners, the byte order
  mark, tags, NUL…) are invisible, break searching and comparing, and may print as boxes. The
  soft hyphen is kept: it is only a hint where a word may break. Tab and newline are kept in
  multi-line text; a carriage return becomes a newline;
- emoji are dropped. The reports print with DejaVu (the family that draws every Kazakh letter),
  which has no colour emoji and only some black-and-white ones, and no emoji font is installed
  with the app: a title would print with empty boxes in the PDF and with pictures on the web.
  Dropping them where they are typed keeps every output the same, and a formal title of a grant
  needs none. Symbols that are text by default (✓ ★ ☎ ₸) stay; their emoji variation selector
  goes.

`clean_text` is for multi-line text (summaries, descriptions), `clean_line` for one-line text
(titles, names): its line breaks and tabs become spaces, and runs of spaces one. Both take None
and return None, so they serve as WTForms filters. Reports clean their data again when they are
printed (`clean_data`), for text stored before it was cleaned at input.
"""

from __future__ import annotations

import re
import unicodedata

SOFT_HYPHEN = "\u00ad"

# Characters whose default presentation is emoji in the Basic Multilingual Plane (Unicode's
# emoji-data.txt, Emoji_Presentation=Yes, U+2000–U+2BFF): drawn as pictures by browsers and by
# no font of the reports.
_BMP_EMOJI = (
    "\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693"
    "\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd"
    "\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf"
    "\u2b1b\u2b1c\u2b50\u2b55"
)
_EMOJI = re.compile(
    "["
    + _BMP_EMOJI
    # Mahjong tiles to Symbols and Pictographs Extended-A: pictographs, emoticons, transport,
    # flags (regional indicators), skin-tone modifiers.
    + "\U0001f000-\U0001faff"
    # Variation selectors (text/emoji presentation) and the combining keycap of "1️⃣".
    + "\ufe0e\ufe0f\u20e3"
    + "]"
)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})
_KEPT = frozenset({"\n", "\t", SOFT_HYPHEN})
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029\x85]")


def _keep(char: str) -> bool:
    return char in _KEPT or unicodedata.category(char) not in _DROPPED_CATEGORIES


def clean_text(value: str | None) -> str | None:
    """`value` in NFC without control, format or private-use characters (tab, newline and the
    soft hyphen stay), without emoji, and without spaces at its ends."""
    if value is None:
        return None
    value = _LINE_SEPARATORS.sub("\n", unicodedata.normalize("NFC", value))
    value = _EMOJI.sub("", value)
    return "".join(char for char in value if _keep(char)).strip()


def clean_line(value: str | None) -> str | None:
    """`clean_text` for one-line text: each run of spaces, tabs and line breaks (also those left
    around a dropped emoji) becomes one space."""
    value = clean_text(value)
    if value is None:
        return None
    return re.sub(r"[ \t\n]+", " ", value)


def clean_data(value):
    """Every string inside `value` (dicts, lists and tuples of them) through `clean_text`;
    anything else as it is."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: clean_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_data(item) for item in value)
    return value


def css_string(value) -> str:
    """`value` as a quoted CSS string, safe inside an HTML <style> element: every character but
    letters, digits and spaces is a CSS escape (so no quote, backslash, "<" or "&" is left to
    end the string or the element; a control character prints as nothing)."""
    text = "".join(char for char in str(value) if _keep(char))
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
