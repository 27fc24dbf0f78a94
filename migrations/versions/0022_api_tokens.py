"""Personal access tokens for the API (issue #20).

- `api_tokens`: one row per token a user made: its name, the SHA-256 of the token (never the
  token), its first characters, its scopes, expiry, last use, revocation, and the rate limit's
  current window. A token goes with its user (ON DELETE CASCADE); the admin who revoked it may
  go (SET NULL).

Going down drops the table.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_api_tokens_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_address", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column(
            "revoked_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", name="fk_api_tokens_revoked_by_id_users", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("window_start", sa.DateTime(), nullable=True),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id_revoked_at", "api_tokens", ["user_id", "revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_user_id_revoked_at", table_name="api_tokens")
    op.drop_table("api_tokens")
