"""Storage every app machine shares (issue #22): with STORAGE_BACKEND=database the uploaded files
and built reports are rows of `stored_blobs`, pieces of at most 1 MiB written in the transaction
of the row that names the file. On PostgreSQL the pieces are stored out of line and not
compressed (STORAGE EXTERNAL): uploads and PDFs are compressed already.

Also the id of the request that queued an email or a report (`request_id`), so that the log lines
of the scheduler's job that sends or builds it carry the same id.

Going down drops the table and the two columns: files kept in the database are lost with it, so
copy them to the folders first (`flask storage copy --from database --to local`).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_blobs",
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("area", "key", "seq", name=op.f("pk_stored_blobs")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stored_blobs ALTER COLUMN data SET STORAGE EXTERNAL")
    with op.batch_alter_table("outbox_emails") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("request_id")
    with op.batch_alter_table("outbox_emails") as batch:
        batch.drop_column("request_id")
    op.drop_table("stored_blobs")
