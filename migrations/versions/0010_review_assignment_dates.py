"""The unscored-review reminder finds assignments by when they were made: an index on
review_assignments.assigned_at saves it reading all of them (68,760 at the L benchmark scale) for
each window of days.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignments_assigned_at"), ["assigned_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignments_assigned_at"))
