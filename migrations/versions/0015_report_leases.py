"""Report builds that survive crashes: scheduled reports made unique, and builds leased.

- `reports.schedule_key`: a scheduled report's identity (kind, language, dates, area, region,
  project) while it is not failed, under a unique index, so that two schedulers starting together
  queue it once. A plain unique column, NULL for every other report: NULLs never collide, on
  SQLite as on PostgreSQL, so no partial or expression index is needed. Filled in for the
  scheduled reports already there (where the old race queued one twice, the finished one, else the
  first, keeps the key; the other stays as it is, without one).
- `reports.attempts`: builds started (1 for reports already started); a build that fails or is
  abandoned is queued again until the limit, then failed.
- `reports.lease_expires_at`: while building, when the build counts as abandoned unless its
  heartbeat renews it. NULL for reports left building before this revision: the next scheduler
  takes them over at once.

New columns (ALTER TABLE ... ADD COLUMN, no batch copy) and an index: going down drops them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _key(row) -> str:
    # The same as fundtracker.pdf.service.schedule_key_of, written out: a migration keeps the
    # format it was written with.
    def part(value):
        return "-" if value is None else str(value)

    return "/".join(
        [
            row.kind,
            row.locale,
            str(row.period_start)[:10],
            str(row.period_end)[:10],
            part(row.area_id),
            part(row.region_id),
            part(row.project_id),
        ]
    )


def upgrade():
    op.add_column("reports", sa.Column("schedule_key", sa.String(length=100), nullable=True))
    op.add_column(
        "reports", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("reports", sa.Column("lease_expires_at", sa.DateTime(), nullable=True))

    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("locale", sa.String),
        sa.column("period_start", sa.Date),
        sa.column("period_end", sa.Date),
        sa.column("area_id", sa.Integer),
        sa.column("region_id", sa.Integer),
        sa.column("project_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("scheduled", sa.Boolean),
        sa.column("started_at", sa.DateTime),
        sa.column("schedule_key", sa.String),
        sa.column("attempts", sa.Integer),
    )
    bind = op.get_bind()
    bind.execute(
        reports.update().where(reports.c.started_at.is_not(None)).values(attempts=1)
    )
    rows = bind.execute(
        sa.select(reports)
        .where(reports.c.scheduled.is_(True), reports.c.status != "failed")
        .order_by(sa.case((reports.c.status == "done", 0), else_=1), reports.c.id)
    ).all()
    taken = set()
    for row in rows:
        key = _key(row)
        if key in taken:
            continue
        taken.add(key)
        bind.execute(reports.update().where(reports.c.id == row.id).values(schedule_key=key))

    op.create_index(op.f("ix_reports_schedule_key"), "reports", ["schedule_key"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_reports_schedule_key"), table_name="reports")
    # ALTER TABLE ... DROP COLUMN (SQLite since 3.35), not a batch copy of the table.
    op.drop_column("reports", "lease_expires_at")
    op.drop_column("reports", "attempts")
    op.drop_column("reports", "schedule_key")
