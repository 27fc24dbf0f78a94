"""Payment requests from grantees (issue #21).

- `organisations.iban`, `bic`, `kbe`: the bank account the fund pays to, set by staff (empty
  until then: a grantee cannot request a payment before the fund has the account).
- `payment_requests`: a grantee's request for a tranche: invoice number and date, the account
  they asked to be paid to, a note, status (submitted, returned, approved, paid, withdrawn), who
  decided when, why it was returned. At most one open request (submitted, returned or approved)
  per tranche: a partial unique index, on both databases.
- `payment_request_files`: the invoices, files like any other (a link table: `stored_files` is
  not rebuilt on SQLite, see 0031).

Going down drops the two tables and the three organisation columns.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'returned', 'approved')"


def upgrade() -> None:
    for name, length in (("iban", 34), ("bic", 11), ("kbe", 2)):
        op.add_column(
            "organisations",
            sa.Column(name, sa.String(length=length), server_default="", nullable=False),
        )
    op.create_table(
        "payment_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "tranche_id",
            sa.Integer(),
            sa.ForeignKey(
                "tranches.id", name="fk_payment_requests_tranche_id_tranches", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "returned",
                "approved",
                "paid",
                "withdrawn",
                name="request_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "requested_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", name="fk_payment_requests_requested_by_id_users", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("invoice_number", sa.String(length=100), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("kbe", sa.String(length=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "decided_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", name="fk_payment_requests_decided_by_id_users", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_requests")),
    )
    op.create_index("ix_payment_requests_tranche_id", "payment_requests", ["tranche_id"])
    op.create_index("ix_payment_requests_status", "payment_requests", ["status"])
    op.create_index(
        "ix_payment_requests_open_tranche",
        "payment_requests",
        ["tranche_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_table(
        "payment_request_files",
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey(
                "payment_requests.id",
                name="fk_payment_request_files_request_id_payment_requests",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "file_id",
            sa.Integer(),
            sa.ForeignKey(
                "stored_files.id",
                name="fk_payment_request_files_file_id_stored_files",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("request_id", "file_id", name=op.f("pk_payment_request_files")),
    )
    op.create_index("ix_payment_request_files_file_id", "payment_request_files", ["file_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_request_files_file_id", table_name="payment_request_files")
    op.drop_table("payment_request_files")
    op.drop_index("ix_payment_requests_open_tranche", table_name="payment_requests")
    op.drop_index("ix_payment_requests_status", table_name="payment_requests")
    op.drop_index("ix_payment_requests_tranche_id", table_name="payment_requests")
    op.drop_table("payment_requests")
    # ALTER TABLE ... DROP COLUMN, not a batch: on SQLite a batch copies `organisations` and
    # drops the old one, which its many children's foreign keys refuse (SQLite >= 3.35 drops a
    # plain column in place).
    for name in ("kbe", "bic", "iban"):
        op.drop_column("organisations", name)
