"""Organisation members: a grantee account either manages its organisation's people or is a member.

- `users.org_manager`: true for a grantee account that invites colleagues, removes them and hands
  the manager role over (services/members.py). Until now every grantee could do everything for
  the organisation, so every existing active grantee account becomes a manager: nobody loses a
  power they had. Colleagues invited from now on are members.

A new column with a server default: going down drops it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TABLE ... ADD COLUMN, not a batch: on SQLite a batch copies `users` and drops the old
    # table, which with foreign keys on deletes every row that cascades from it (see 0014).
    op.add_column(
        "users",
        sa.Column("org_manager", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    users = sa.table(
        "users",
        sa.column("org_manager", sa.Boolean()),
        sa.column("role", sa.String()),
        sa.column("active", sa.Boolean()),
    )
    op.execute(
        users.update()
        .where(users.c.role == "grantee", users.c.active == sa.true())
        .values(org_manager=sa.true())
    )


def downgrade():
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35 and later), not a batch: see upgrade.
    op.drop_column("users", "org_manager")
