"""Honest email delivery records: a stable Message-ID, the sender's lease, sends under way.

- `outbox_emails.message_id`: the Message-ID header, made when an email is queued and sent with
  every attempt, so that a resend is recognisable (unique). Emails not yet sent get one here; sent
  ones keep none (the header they went out with was never stored).
- `outbox_emails.claim_token`: which sender's batch holds the email (its lease is `claimed_at`).
- `outbox_emails.started_at`: set before an SMTP conversation, cleared when its outcome is
  recorded; still set when a sender takes the email over means a send may have gone out.
- `outbox_emails.resends`: sends started while an earlier one's outcome was unknown.

New columns (ALTER TABLE ... ADD COLUMN, no batch copy) and their indexes; going down drops them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_emails", sa.Column("claim_token", sa.String(length=32), nullable=True))
    op.add_column("outbox_emails", sa.Column("started_at", sa.DateTime(), nullable=True))
    op.add_column(
        "outbox_emails",
        sa.Column("resends", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("outbox_emails", sa.Column("message_id", sa.String(length=255), nullable=True))
    # Unsent emails get their Message-ID now (the id makes it unique, the random part keeps it
    # from repeating another database's); '||' concatenates on SQLite and PostgreSQL alike.
    op.execute(
        sa.text(
            "UPDATE outbox_emails SET message_id = '<outbox-' || id || '.' || :salt || "
            "'@fundtracker>' WHERE status <> 'sent'"
        ).bindparams(salt=secrets.token_hex(8))
    )
    op.create_index("ix_outbox_emails_message_id", "outbox_emails", ["message_id"], unique=True)
    # The admins' problems table finds the few resent emails among all those sent.
    op.create_index("ix_outbox_emails_resends", "outbox_emails", ["resends"])


def downgrade():
    op.drop_index("ix_outbox_emails_resends", table_name="outbox_emails")
    op.drop_index("ix_outbox_emails_message_id", table_name="outbox_emails")
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+), as 0014 does.
    op.drop_column("outbox_emails", "message_id")
    op.drop_column("outbox_emails", "resends")
    op.drop_column("outbox_emails", "started_at")
    op.drop_column("outbox_emails", "claim_token")
