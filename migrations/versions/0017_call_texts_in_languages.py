"""A call's eligibility, required documents and criteria's names in kk, ru and en.

- `calls.eligibility_kk/_ru/_en` and `calls.required_documents_kk/_ru/_en` (Text) replace
  `calls.eligibility` and `calls.required_documents`; `call_criteria.name_kk/_ru/_en`
  (String(300)) replace `call_criteria.name`. All not null, '' by default.
- Each existing text moves to the language its letters say: Kazakh-only letters
  (әғқңөұүһі, either case) -> kk; other Cyrillic -> ru; Latin only -> en; Cyrillic and Latin
  mixed (the demo's "Relevance / Қор басымдықтары...") or no letters at all -> kk. The others
  stay '' and the call's page tells the officer they are missing.
- Going down puts one text back: the first non-empty of kk, ru, en.

Columns are added and dropped in place (ALTER TABLE ... ADD/DROP COLUMN; SQLite has DROP COLUMN
since 3.35): a batch that copies `calls` would drop the old table, and with foreign keys on
SQLite would then delete every criterion (ON DELETE CASCADE) or refuse for the applications. The
batches say so with recreate="never".

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-11
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LANGUAGES = ("kk", "ru", "en")
# table -> ((old column, its type), ...)
TEXTS = {
    "calls": (("eligibility", sa.Text()), ("required_documents", sa.Text())),
    "call_criteria": (("name", sa.String(length=300)),),
}

_KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")


def language_of(text: str) -> str:
    """The language a text written before this revision is taken to be in."""
    if _KAZAKH.search(text):
        return "kk"
    cyrillic, latin = bool(_CYRILLIC.search(text)), bool(_LATIN.search(text))
    if cyrillic and not latin:
        return "ru"
    if latin and not cyrillic:
        return "en"
    return "kk"


def _table(name: str, columns: list[str]) -> sa.Table:
    return sa.table(name, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in columns))


def upgrade():
    for table, texts in TEXTS.items():
        with op.batch_alter_table(table, recreate="never") as batch_op:
            for column, type_ in texts:
                for code in LANGUAGES:
                    batch_op.add_column(
                        sa.Column(f"{column}_{code}", type_, server_default="", nullable=False)
                    )
        _move_into_languages(table, [column for column, _type in texts])
        with op.batch_alter_table(table, recreate="never") as batch_op:
            for column, _type in texts:
                batch_op.drop_column(column)


def _move_into_languages(table: str, columns: list[str]) -> None:
    new = [f"{column}_{code}" for column in columns for code in LANGUAGES]
    rows = _table(table, columns + new)
    bind = op.get_bind()
    for row in bind.execute(sa.select(rows.c.id, *(rows.c[c] for c in columns))).all():
        values = {}
        for column in columns:
            text = getattr(row, column) or ""
            if text.strip():
                values[f"{column}_{language_of(text)}"] = text
        if values:
            bind.execute(rows.update().where(rows.c.id == row.id).values(**values))


def downgrade():
    for table, texts in TEXTS.items():
        with op.batch_alter_table(table, recreate="never") as batch_op:
            for column, type_ in texts:
                batch_op.add_column(sa.Column(column, type_, server_default="", nullable=False))
        _put_back_one_text(table, [column for column, _type in texts])
        with op.batch_alter_table(table, recreate="never") as batch_op:
            for column, _type in texts:
                for code in LANGUAGES:
                    batch_op.drop_column(f"{column}_{code}")


def _put_back_one_text(table: str, columns: list[str]) -> None:
    new = [f"{column}_{code}" for column in columns for code in LANGUAGES]
    rows = _table(table, columns + new)
    bind = op.get_bind()
    for row in bind.execute(sa.select(rows.c.id, *(rows.c[c] for c in new))).all():
        values = {}
        for column in columns:
            texts = [getattr(row, f"{column}_{code}") or "" for code in LANGUAGES]
            text = next((t for t in texts if t.strip()), "")
            if text:
                values[column] = text
        if values:
            bind.execute(rows.update().where(rows.c.id == row.id).values(**values))
