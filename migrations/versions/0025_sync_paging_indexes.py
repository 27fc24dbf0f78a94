"""Indexes for the API's sync paging (issue #20): `updated_since` lists are read in
(updated_at, id) order, so milestones, tranches, project indicators and applications get an
index on both; without one, a sync of the last hour reads and sorts the whole table.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TABLES = ("milestones", "tranches", "project_indicators", "applications")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_updated_at_id", table, ["updated_at", "id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_updated_at_id", table_name=table)
