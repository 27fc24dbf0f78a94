"""What each milestone update says of its indicator results (`update_results`).

A submitted update keeps the results as it carried them, so that a resubmitted update can be
compared with the one sent back even though the results themselves moved on to it; a draft made
after a revision request keeps the changes the grantee types to those results until it is
submitted (the per-period result stays one row, as before, and the fund sees the submitted value
meanwhile).

Existing submitted updates get a row for each result that points at them, with its current value,
breakdowns and explanation: the best record there is of what they carried. Going down drops the
table; nothing else depends on it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    update_results = op.create_table(
        "update_results",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_update_results_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["indicator_results.id"],
            name=op.f("fk_update_results_result_id_indicator_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["milestone_updates.id"],
            name=op.f("fk_update_results_update_id_milestone_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("update_id", "result_id", name=op.f("pk_update_results")),
    )
    with op.batch_alter_table("update_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_update_results_result_id"), ["result_id"], unique=False
        )
    _record_what_submitted_updates_carry(update_results)


def _record_what_submitted_updates_carry(update_results) -> None:
    results = sa.table(
        "indicator_results",
        sa.column("id", sa.Integer),
        sa.column("value", sa.Integer),
        sa.column("explanation", sa.Text),
        sa.column("status", sa.String),
        sa.column("milestone_update_id", sa.Integer),
    )
    updates = sa.table("milestone_updates", sa.column("id", sa.Integer), sa.column("status"))
    cells = sa.table(
        "result_cells",
        sa.column("result_id", sa.Integer),
        sa.column("dimension", sa.String),
        sa.column("category", sa.String),
        sa.column("value", sa.Integer),
    )
    bind = op.get_bind()
    submitted = sa.and_(results.c.status != "draft", updates.c.status != "draft")
    carried = bind.execute(
        sa.select(
            results.c.id, results.c.value, results.c.explanation, results.c.milestone_update_id
        )
        .join(updates, updates.c.id == results.c.milestone_update_id)
        .where(submitted)
        .order_by(results.c.id)
    ).all()
    if not carried:
        return
    breakdowns: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for result_id, dimension, category, value in bind.execute(
        sa.select(cells.c.result_id, cells.c.dimension, cells.c.category, cells.c.value)
        .join(results, results.c.id == cells.c.result_id)
        .join(updates, updates.c.id == results.c.milestone_update_id)
        .where(submitted)
    ):
        breakdowns[result_id].setdefault(dimension, {})[category] = value
    op.bulk_insert(
        update_results,
        [
            {
                "update_id": row.milestone_update_id,
                "result_id": row.id,
                "value": row.value,
                "cells": breakdowns.get(row.id, {}),
                "explanation": row.explanation or "",
            }
            for row in carried
        ],
    )


def downgrade():
    with op.batch_alter_table("update_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_results_result_id"))

    op.drop_table("update_results")
