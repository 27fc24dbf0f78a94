"""The map of the regions a portfolio reaches, with projects and amounts awarded: one builder for
the staff portfolio page and the public transparency page, so both read and link alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from fundtracker.core.i18n import current_locale, format_compact_money, format_money
from fundtracker.web import charts


def region_map(shares: Iterable[Any], href: Callable[[Any], str]) -> charts.Chart:
    """`shares`: objects with code, name, count and amount (tiyn); `href(share)`: the address a
    region's tile links to (the list filtered by it)."""
    tiles = [
        charts.Tile(
            code=r.code,
            name=r.name,
            value=r.amount,
            said=ngettext(
                "%(num)d project, %(amount)s",
                "%(num)d projects, %(amount)s",
                r.count,
                amount=format_money(r.amount),
            )
            if r.count
            else _("no projects"),
            cells=[str(r.count), format_money(r.amount)],
            href=href(r),
        )
        for r in shares
    ]
    return charts.tilemap(
        tiles,
        locale=current_locale(),
        title=_("Projects and amounts awarded by region"),
        headers=[_("Region"), _("Projects"), _("Awarded")],
        scale_fmt=format_compact_money,
        none_label=_("No projects"),
    )
