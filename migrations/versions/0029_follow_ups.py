"""Follow-ups after closure (issue #21).

- `programme_areas.follow_up_months` (text, default "6,12,24"): the months after closing at
  which a closed project of the area is followed up; every existing area gets the default.
- `follow_ups`: one per project and offset, scheduled when the project closes, with the
  grantee's answers and the officer's review (optimistic locking by `version_id`).
- `follow_up_cells`: the breakdowns of the people served in the last year (region, sex, age
  group), as `result_cells` keeps those of outcome results.

Projects closed before this migration get no follow-ups: none are created here (only a close
from now on schedules them).

Plain ADD COLUMN (no batch copy of `programme_areas`). Going down drops all three (SQLite 3.35+).

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0026"
branch_labels = None
depends_on = None

STATUSES = ("scheduled", "submitted", "returned", "accepted", "cancelled")
DIMENSIONS = ("region", "sex", "age")


def upgrade() -> None:
    op.add_column(
        "programme_areas",
        sa.Column(
            "follow_up_months", sa.String(length=40), nullable=False, server_default="6,12,24"
        ),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("months_after", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES, name="follow_up_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("still_running", sa.Boolean(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("stopped_why", sa.Text(), nullable=False),
        sa.Column("people_served", sa.Integer(), nullable=True),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "months_after >= 1 AND months_after <= 120", name="ck_follow_ups_months_range"
        ),
        sa.CheckConstraint("people_served >= 0", name="ck_follow_ups_people_not_negative"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_follow_ups_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name="fk_follow_ups_submitted_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name="fk_follow_ups_reviewed_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_follow_ups"),
    )
    op.create_index("ix_follow_ups_project_id", "follow_ups", ["project_id"])
    op.create_index("ix_follow_ups_due_date", "follow_ups", ["due_date"])
    op.create_index("ix_follow_ups_status", "follow_ups", ["status"])
    op.create_table(
        "follow_up_cells",
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum(
                *DIMENSIONS, name="breakdown_dimension", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint("value >= 0", name="ck_follow_up_cells_value_not_negative"),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name="fk_follow_up_cells_follow_up_id_follow_ups",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follow_up_id", "dimension", "category", name="pk_follow_up_cells"),
    )


def downgrade() -> None:
    op.drop_table("follow_up_cells")
    op.drop_index("ix_follow_ups_status", table_name="follow_ups")
    op.drop_index("ix_follow_ups_due_date", table_name="follow_ups")
    op.drop_index("ix_follow_ups_project_id", table_name="follow_ups")
    op.drop_table("follow_ups")
    with op.batch_alter_table("programme_areas", recreate="never") as batch:
        batch.drop_column("follow_up_months")
