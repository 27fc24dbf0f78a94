"""The board of trustees' register (issue #21).

- `board_meetings`: a meeting's number, day, place, status (planned, held), the board's size and
  who attended (the quorum is more than half).
- `board_agenda_items`: what is put to a meeting, each linked to what it decides (an
  application, a project's amendment or report, a tranche, or nothing for "other"), with the
  amount and end date proposed.
- `board_decisions`: one per item: its number, outcome (approved, rejected, deferred), text in
  kk/ru/en, the amount approved, and when an amendment was made on it.
- `fund_settings`: one row, the thresholds above which an award or a tranche needs the board.
  Both start empty (no threshold), so nothing that worked before is refused until an admin sets
  them.

Amendments recorded before this revision keep their free-text board decision in the project's
history; new ones name a decision of the register.

Going down drops the four tables.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def _user(table: str, column: str) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey("users.id", name=f"fk_{table}_{column}_users", ondelete="SET NULL"),
        nullable=True,
    )


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "board_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("status", _enum("meeting_status", "planned", "held"), nullable=False),
        sa.Column("members_total", sa.Integer(), nullable=True),
        sa.Column("members_present", sa.Integer(), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=False),
        _user("board_meetings", "created_by_id"),
        sa.Column("version_id", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "members_present IS NULL"
            " OR (members_present >= 0 AND members_present <= members_total)",
            name=op.f("ck_board_meetings_present_within_members"),
        ),
        sa.CheckConstraint(
            "members_total IS NULL OR members_total > 0",
            name=op.f("ck_board_meetings_members_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_meetings")),
        sa.UniqueConstraint("number", name=op.f("uq_board_meetings_number")),
    )
    op.create_index("ix_board_meetings_held_on", "board_meetings", ["held_on"])

    op.create_table(
        "board_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey(
                "board_meetings.id",
                name="fk_board_agenda_items_meeting_id_board_meetings",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("agenda_kind", "application", "amendment", "tranche", "report", "other"),
            nullable=False,
        ),
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey(
                "applications.id",
                name="fk_board_agenda_items_application_id_applications",
                ondelete="CASCADE",
            ),
            nullable=True,
        ),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey(
                "projects.id", name="fk_board_agenda_items_project_id_projects", ondelete="CASCADE"
            ),
            nullable=True,
        ),
        sa.Column(
            "tranche_id",
            sa.Integer(),
            sa.ForeignKey(
                "tranches.id", name="fk_board_agenda_items_tranche_id_tranches", ondelete="CASCADE"
            ),
            nullable=True,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "(kind = 'application' AND application_id IS NOT NULL)"
            " OR (kind IN ('amendment', 'report') AND project_id IS NOT NULL)"
            " OR (kind = 'tranche' AND tranche_id IS NOT NULL)"
            " OR kind = 'other'",
            name=op.f("ck_board_agenda_items_links_what_it_decides"),
        ),
        sa.CheckConstraint(
            "amount IS NULL OR amount > 0", name=op.f("ck_board_agenda_items_amount_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_agenda_items")),
        sa.UniqueConstraint(
            "meeting_id", "position", name=op.f("uq_board_agenda_items_meeting_id_position")
        ),
    )
    for column in ("meeting_id", "application_id", "project_id", "tranche_id"):
        op.create_index(f"ix_board_agenda_items_{column}", "board_agenda_items", [column])

    op.create_table(
        "board_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey(
                "board_agenda_items.id",
                name="fk_board_decisions_item_id_board_agenda_items",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column(
            "outcome", _enum("decision_outcome", "approved", "rejected", "deferred"), nullable=False
        ),
        sa.Column("text_kk", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        _user("board_decisions", "recorded_by_id"),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "amount IS NULL OR amount > 0", name=op.f("ck_board_decisions_amount_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_decisions")),
        sa.UniqueConstraint("item_id", name=op.f("uq_board_decisions_item_id")),
        sa.UniqueConstraint("number", name=op.f("uq_board_decisions_number")),
    )

    settings = op.create_table(
        "fund_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("board_award_threshold", sa.BigInteger(), nullable=True),
        sa.Column("board_tranche_threshold", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        _user("fund_settings", "updated_by_id"),
        sa.CheckConstraint("id = 1", name=op.f("ck_fund_settings_single_row")),
        sa.CheckConstraint(
            "board_award_threshold IS NULL OR board_award_threshold > 0",
            name=op.f("ck_fund_settings_award_positive"),
        ),
        sa.CheckConstraint(
            "board_tranche_threshold IS NULL OR board_tranche_threshold > 0",
            name=op.f("ck_fund_settings_tranche_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_settings")),
    )
    op.bulk_insert(settings, [{"id": 1}])


def downgrade() -> None:
    op.drop_table("fund_settings")
    op.drop_table("board_decisions")
    for column in ("meeting_id", "application_id", "project_id", "tranche_id"):
        op.drop_index(f"ix_board_agenda_items_{column}", table_name="board_agenda_items")
    op.drop_table("board_agenda_items")
    op.drop_index("ix_board_meetings_held_on", table_name="board_meetings")
    op.drop_table("board_meetings")
