"""Accounts that confirm their email, and limits that cannot be turned against a user.

- `users.email_confirmed`: a self-registered account is unconfirmed until it opens the emailed
  link; every existing account counts as confirmed (the server default fills them in).
- `login_attempts.throttled`: an attempt refused by a limit without its password being looked
  at, which does not count towards the account-wide limit.
- `account_mail_requests`: password resets, registrations and confirmation links asked for, and
  notices of paused sign-ins, counted per email and per client address.

New columns with server defaults and a new table: going down drops them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TABLE ... ADD COLUMN, not a batch: on SQLite a batch copies `users` and drops the old
    # table, and with foreign keys on that deletes every row that cascades from it (a filled
    # database lost its notifications). A constant default is allowed on SQLite's ADD COLUMN.
    op.add_column(
        "users",
        sa.Column("email_confirmed", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "login_attempts",
        sa.Column("throttled", sa.Boolean(), server_default=sa.false(), nullable=False),
    )

    op.create_table(
        "account_mail_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_mail_requests")),
    )
    with op.batch_alter_table("account_mail_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_mail_requests_email_created_at", ["email", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_account_mail_requests_address_created_at", ["address", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("account_mail_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_account_mail_requests_address_created_at")
        batch_op.drop_index("ix_account_mail_requests_email_created_at")
    op.drop_table("account_mail_requests")

    # ALTER TABLE ... DROP COLUMN, not a batch: on SQLite a batch copies the table and drops the
    # old one, and dropping `users` with foreign keys on deletes every row that cascades from it
    # (notifications, reminders). SQLite drops a plain column in place since 3.35.
    op.drop_column("login_attempts", "throttled")
    op.drop_column("users", "email_confirmed")
