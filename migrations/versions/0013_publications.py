"""Published outcome figures (`publications`, `published_cells`).

A publication is one period of the fixed grid (quarter, half-year, year) whose outcome tables
were protected together and stored; the board's pages, PDFs and exports read these rows and
nothing recomputes them. New tables only: going down drops them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("audit", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_publications_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("period", name=op.f("uq_publications_period")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_period_end"), ["period_end"], unique=False
        )

    op.create_table(
        "published_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=True),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("table", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "shown",
                "primary",
                "secondary",
                name="published_cell_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("low", sa.Integer(), nullable=True),
        sa.Column("high", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["programme_areas.id"],
            name=op.f("fk_published_cells_area_id_programme_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["project_indicators.id"],
            name=op.f("fk_published_cells_indicator_id_project_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_published_cells_project_id_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_published_cells_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard_indicators.id"],
            name=op.f("fk_published_cells_standard_id_standard_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_cells")),
    )
    with op.batch_alter_table("published_cells", schema=None) as batch_op:
        batch_op.create_index(
            "ix_published_cells_lookup", ["publication_id", "table"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_published_cells_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_published_cells_project_id"), ["project_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("published_cells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_cells_project_id"))
        batch_op.drop_index(batch_op.f("ix_published_cells_indicator_id"))
        batch_op.drop_index("ix_published_cells_lookup")
    op.drop_table("published_cells")

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_period_end"))
    op.drop_table("publications")
