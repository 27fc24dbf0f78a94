"""Server-side sign-in sessions (issue #19).

- `user_sessions`: one row per browser signed in: the SHA-256 of the token the browser keeps,
  when it started and was last used, the client address and user agent (and the browser and
  platform read from it), "keep me signed in", and when, by whom and why it ended. A row goes
  with its user (ON DELETE CASCADE); the admin who ended it may go (SET NULL).

`users.session_token` stays (it now stamps emailed links; see models/user.py): dropping a UNIQUE
column takes a batch on SQLite, which copies `users` and drops the old table, and with foreign
keys on that deletes every row that cascades from it. Browsers signed in before this revision hold
the old token, which names no session: they sign in once more.

Going down drops the table.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_user_sessions_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=False),
        sa.Column("browser", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column(
            "ended_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", name="fk_user_sessions_ended_by_id_users", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_user_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_user_sessions_token_hash"),
    )
    op.create_index("ix_user_sessions_user_id_ended_at", "user_sessions", ["user_id", "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_user_sessions_user_id_ended_at", table_name="user_sessions")
    op.drop_table("user_sessions")
