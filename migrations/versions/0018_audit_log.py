"""The append-only audit log (issue #19).

- `audit_events`: one row per security-relevant action (who, what, on what, from where), each
  holding the SHA-256 of the row before it and its own (fundtracker/services/audit.py says what
  is hashed). The actor is a plain number with a snapshot of its email and role, not a foreign
  key: deleting an account neither is blocked by its history nor takes it along.
- Triggers refuse UPDATE and DELETE on the table (and TRUNCATE on PostgreSQL), whoever asks:
  rows are only ever added (a restore adds them by INSERT or COPY, which stays allowed).
Going down drops the triggers, the function and the table.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_REFUSAL = "audit_events is append-only"

_POSTGRES_UP = (
    f"""
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()
    """,
)
_POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_update_or_delete ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_refuse_change()",
)
_SQLITE_UP = tuple(
    f"""
    CREATE TRIGGER audit_events_no_{what.lower()} BEFORE {what} ON audit_events
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: {what} refused'); END
    """
    for what in ("UPDATE", "DELETE")
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
)


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("hash", name="uq_audit_events_hash"),
        sa.UniqueConstraint("prev_hash", name="uq_audit_events_prev_hash"),
    )
    op.create_index("ix_audit_events_created_at", "audit_events", ["created_at"])
    op.create_index(
        "ix_audit_events_actor_email_created_at", "audit_events", ["actor_email", "created_at"]
    )
    op.create_index("ix_audit_events_action_created_at", "audit_events", ["action", "created_at"])
    op.create_index(
        "ix_audit_events_target_type_target_id", "audit_events", ["target_type", "target_id"]
    )
    statements = _POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = _POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_index("ix_audit_events_target_type_target_id", table_name="audit_events")
    op.drop_index("ix_audit_events_action_created_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_email_created_at", table_name="audit_events")
    op.drop_index("ix_audit_events_created_at", table_name="audit_events")
    op.drop_table("audit_events")
