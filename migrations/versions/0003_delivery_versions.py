"""Delivery, second step: version columns on budget lines and tranches (two officers editing one
is refused, not overwritten) and at most one draft update per milestone, shared by the grantee's
people.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 1, as new ones do.
    for table in ("budget_lines", "tranches"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version_id", sa.Integer(), nullable=False, server_default="1")
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("version_id", server_default=None)

    with op.batch_alter_table("milestone_updates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_milestone_updates_one_draft",
            ["milestone_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )


def downgrade():
    with op.batch_alter_table("milestone_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_updates_one_draft")
    for table in ("tranches", "budget_lines"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version_id")
