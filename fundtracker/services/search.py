"""Case-insensitive text matching that works for Cyrillic on both databases.

PostgreSQL's lower() folds Cyrillic in a UTF-8 database; SQLite's lower() and LIKE fold ASCII only,
so on SQLite we register a Python casefold function (see db_events) and compile to it.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class fold(GenericFunction):  # noqa: N801 - SQL function naming
    type = String()
    inherit_cache = True


@compiles(fold)
def _fold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element, compiler, **kw):
    return f"ft_casefold({compiler.process(element.clauses, **kw)})"


def like_pattern(text: str) -> str:
    """A LIKE pattern that matches `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_folded(column, text: str):
    return fold(column).like(like_pattern(text), escape="\\")
