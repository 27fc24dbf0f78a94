"""The data version: one row whose number goes up with every committed change to the data, and
the stamp a stored report was last found current at. Rendered pages are reused, and a stored
report served again, while the number stays the same (fundtracker.core.data_version).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    data_version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": 1}])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_stamp", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_data_stamp"), ["data_stamp"], unique=False)


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_data_stamp"))
        batch_op.drop_column("data_stamp")
    op.drop_table("data_version")
