"""The scheduler's heartbeat (issue #22): one row, written by every run of the scheduler's jobs
with the time, host and process id, so that /readyz can tell whether scheduled work is running.
The data version ignores it (fundtracker.core.data_version), so it empties no cache.

Going down drops the table.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_scheduler_heartbeat_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_heartbeat")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_heartbeat")
