"""Child well-being domains (issue #21).

- `wellbeing_domains`: the domains of Kazakhstan's Child Well-Being Index that the fund's
  standard indicators inform, kept by an admin: a code, a name in kk/ru/en, a place in the list
  and whether it is offered for new links. Eight are added, after the index's areas (the child's
  physical and psychological health and skills; family and society; public policy in education,
  health care and social protection; the country's welfare and living environment).
- `standard_indicator_domains`: which domains each standard indicator informs (a link table,
  so that `standard_indicators`, which other tables point to, is not rebuilt on SQLite).

No indicator is linked by the migration: the fund's officers decide which indicator informs
what. Going down drops both tables.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

DOMAINS = [
    ("HEALTH", "Денсаулық", "Здоровье", "Health"),
    (
        "MENTAL",
        "Психологиялық әл-ауқат",
        "Психологическое благополучие",
        "Psychological well-being",
    ),
    ("EDUCATION", "Білім және дағдылар", "Образование и навыки", "Education and skills"),
    ("PROTECTION", "Қорғау және қауіпсіздік", "Защита и безопасность", "Protection and safety"),
    ("MATERIAL", "Материалдық әл-ауқат", "Материальное благополучие", "Material well-being"),
    (
        "FAMILY",
        "Отбасы және әлеуметтік орта",
        "Семья и социальное окружение",
        "Family and social environment",
    ),
    (
        "LIVING",
        "Тұрғылықты орта және инфрақұрылым",
        "Среда проживания и инфраструктура",
        "Living environment and infrastructure",
    ),
    ("PARTICIPATION", "Бос уақыт және қатысу", "Досуг и участие", "Leisure and participation"),
]


def upgrade() -> None:
    domains = op.create_table(
        "wellbeing_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_domains")),
        sa.UniqueConstraint("code", name=op.f("uq_wellbeing_domains_code")),
    )
    op.create_table(
        "standard_indicator_domains",
        sa.Column(
            "standard_id",
            sa.Integer(),
            sa.ForeignKey(
                "standard_indicators.id",
                name="fk_standard_indicator_domains_standard_id_standard_indicators",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "domain_id",
            sa.Integer(),
            sa.ForeignKey(
                "wellbeing_domains.id",
                name="fk_standard_indicator_domains_domain_id_wellbeing_domains",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "standard_id", "domain_id", name=op.f("pk_standard_indicator_domains")
        ),
    )
    op.create_index(
        op.f("ix_standard_indicator_domains_domain_id"),
        "standard_indicator_domains",
        ["domain_id"],
        unique=False,
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        domains,
        [
            {
                "code": code,
                "name_kk": kk,
                "name_ru": ru,
                "name_en": en,
                "position": (i + 1) * 10,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i, (code, kk, ru, en) in enumerate(DOMAINS)
        ],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_standard_indicator_domains_domain_id"), table_name="standard_indicator_domains"
    )
    op.drop_table("standard_indicator_domains")
    op.drop_table("wellbeing_domains")
