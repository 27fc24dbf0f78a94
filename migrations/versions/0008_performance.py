"""Performance at scale: milestones are found by status and then a range of due dates (the
dashboard's overdue, due-soon and waiting-for-review lists, the grantee's home, reminders), so
the single-column status and due-date indexes give way to one on (status, due_date). With an index
on the date alone, planners preferred it for its order and read most of the table to find the
few open milestones.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index("ix_milestones_status_due_date", ["status", "due_date"], unique=False)
        batch_op.drop_index("ix_milestones_status")
        batch_op.drop_index("ix_milestones_due_date")


def downgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index("ix_milestones_due_date", ["due_date"], unique=False)
        batch_op.create_index("ix_milestones_status", ["status"], unique=False)
        batch_op.drop_index("ix_milestones_status_due_date")
