"""In-kind support (issue #21).

- `inkind_items`: the catalogue: kind (medicine, device, equipment), name in kk/ru/en, unit and
  the value of one unit in tiyn, active.
- `inkind_deliveries`: per project, an item planned (quantity, day, receiving facility and its
  region, the unit's value when planned), delivered (quantity, day, by whom), confirmed by the
  grantee (quantity received, when, by whom) or disputed (what the grantee says, how the fund
  settled it), and its status.
- `inkind_delivery_files`: the grantee's evidence of receipt, files like any other (a link
  table, so that `stored_files` is not rebuilt on SQLite: dropping the old table would set the
  impact stories' photos to NULL through their foreign key).

Going down drops the three tables (and with them the deliveries' records; their evidence files
stay as files of their project).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def _user(table: str, column: str) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey("users.id", name=f"fk_{table}_{column}_users", ondelete="SET NULL"),
        nullable=True,
    )


def upgrade() -> None:
    op.create_table(
        "inkind_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "medicine",
                "device",
                "equipment",
                name="inkind_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name_kk", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("unit_value", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("unit_value > 0", name=op.f("ck_inkind_items_unit_value_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inkind_items")),
    )
    op.create_table(
        "inkind_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey(
                "projects.id", name="fk_inkind_deliveries_project_id_projects", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("inkind_items.id", name="fk_inkind_deliveries_item_id_inkind_items"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "delivered",
                "confirmed",
                "disputed",
                "cancelled",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("unit_value", sa.BigInteger(), nullable=False),
        sa.Column("quantity_planned", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("facility", sa.String(length=300), nullable=False),
        sa.Column(
            "region_id",
            sa.Integer(),
            sa.ForeignKey("regions.id", name="fk_inkind_deliveries_region_id_regions"),
            nullable=False,
        ),
        sa.Column("quantity_delivered", sa.Integer(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        _user("inkind_deliveries", "delivered_by_id"),
        sa.Column("quantity_received", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        _user("inkind_deliveries", "confirmed_by_id"),
        sa.Column("discrepancy", sa.Text(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "quantity_planned > 0", name=op.f("ck_inkind_deliveries_planned_positive")
        ),
        sa.CheckConstraint(
            "quantity_delivered IS NULL OR quantity_delivered >= 0",
            name=op.f("ck_inkind_deliveries_delivered_not_negative"),
        ),
        sa.CheckConstraint(
            "quantity_received IS NULL OR quantity_received >= 0",
            name=op.f("ck_inkind_deliveries_received_not_negative"),
        ),
        sa.CheckConstraint(
            "unit_value > 0", name=op.f("ck_inkind_deliveries_unit_value_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inkind_deliveries")),
    )
    for column in ("project_id", "item_id", "status"):
        op.create_index(f"ix_inkind_deliveries_{column}", "inkind_deliveries", [column])
    op.create_table(
        "inkind_delivery_files",
        sa.Column(
            "delivery_id",
            sa.Integer(),
            sa.ForeignKey(
                "inkind_deliveries.id",
                name="fk_inkind_delivery_files_delivery_id_inkind_deliveries",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "file_id",
            sa.Integer(),
            sa.ForeignKey(
                "stored_files.id",
                name="fk_inkind_delivery_files_file_id_stored_files",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("delivery_id", "file_id", name=op.f("pk_inkind_delivery_files")),
    )
    op.create_index("ix_inkind_delivery_files_file_id", "inkind_delivery_files", ["file_id"])


def downgrade() -> None:
    op.drop_index("ix_inkind_delivery_files_file_id", table_name="inkind_delivery_files")
    op.drop_table("inkind_delivery_files")
    for column in ("project_id", "item_id", "status"):
        op.drop_index(f"ix_inkind_deliveries_{column}", table_name="inkind_deliveries")
    op.drop_table("inkind_deliveries")
    op.drop_table("inkind_items")
