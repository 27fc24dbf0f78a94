"""Importing an existing portfolio (issue #24).

- `import_batches`: one row per uploaded workbook or bank statement: the file (base64, encrypted
  at rest like other personal data: text), what its check
  found (problems and changes as message codes), and, once confirmed, the background run's lease
  and progress. The users who uploaded and confirmed it stay (no cascade: an import is a record).
- `indicator_results.imported` (bool, default false): a result brought in by an import rather
  than reported through a milestone update.

Plain ADD COLUMN (no batch copy of `indicator_results`). Going down drops both (SQLite 3.35+).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KINDS = ("workbook", "bank")
STATUSES = ("checked", "queued", "running", "done", "failed", "discarded")


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="import_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="import_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_import_batches_created_by_id_users"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column(
            "confirmed_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_import_batches_confirmed_by_id_users"),
            nullable=True,
        ),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_batches"),
    )
    op.create_index("ix_import_batches_status", "import_batches", ["status"])
    op.create_index("ix_import_batches_created_by_id", "import_batches", ["created_by_id"])
    op.add_column(
        "indicator_results",
        sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("indicator_results", recreate="never") as batch:
        batch.drop_column("imported")
    op.drop_index("ix_import_batches_created_by_id", table_name="import_batches")
    op.drop_index("ix_import_batches_status", table_name="import_batches")
    op.drop_table("import_batches")
