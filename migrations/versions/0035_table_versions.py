"""A version per table (issue #22): every committed transaction that wrote a table moves that
table's number, as it moves the global data version; a kept page is reused while the tables it
read are unchanged (fundtracker.core.page_cache), so a grantee saving a draft no longer empties
the officers' pages. A row is made the first time its table is written; the name "*" stands
for writes whose table is not known (a data-modifying WITH, TRUNCATE, COPY), which every page
depends on. Ignored by the data version itself.

Going down drops the table.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "table_versions",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_table_versions")),
    )


def downgrade() -> None:
    op.drop_table("table_versions")
