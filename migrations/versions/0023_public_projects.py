"""What the fund publishes as open data (issue #20).

- `projects.agreement_signed_on` (date, null): the day the grant agreement was signed. A project
  is public (transparency page, 360Giving, IATI) once it has one, unless it is confidential.
  Existing projects are running on signed agreements, so they take their start date.
- `projects.confidential` (bool, default false): an admin keeps a project out of open data.

Plain ADD COLUMN on both databases (no batch: a batch copies `projects`, and with foreign keys on
SQLite dropping the old table would cascade). Going down drops the columns (SQLite 3.35+).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("agreement_signed_on", sa.Date(), nullable=True))
    op.add_column(
        "projects",
        sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE projects SET agreement_signed_on = start_date")


def downgrade() -> None:
    with op.batch_alter_table("projects", recreate="never") as batch:
        batch.drop_column("confidential")
        batch.drop_column("agreement_signed_on")
