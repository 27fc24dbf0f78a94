"""Core schema: regions, programme areas, organisations, users, projects, login attempts.

Regions and programme areas are reference data that every installation needs, so their rows are
inserted here. Region codes are ISO 3166-2:KZ (as in pycountry); Abai, Jetisu and Ulytau regions
exist since 8 June 2022.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REGIONS = [
    # code, kind, kk, ru, en
    ("KZ-10", "region", "Абай облысы", "Область Абай", "Abai Region"),
    ("KZ-11", "region", "Ақмола облысы", "Акмолинская область", "Akmola Region"),
    ("KZ-15", "region", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    ("KZ-19", "region", "Алматы облысы", "Алматинская область", "Almaty Region"),
    ("KZ-23", "region", "Атырау облысы", "Атырауская область", "Atyrau Region"),
    ("KZ-27", "region", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
     "West Kazakhstan Region"),
    ("KZ-31", "region", "Жамбыл облысы", "Жамбылская область", "Jambyl Region"),
    ("KZ-33", "region", "Жетісу облысы", "Область Жетісу", "Jetisu Region"),
    ("KZ-35", "region", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    ("KZ-39", "region", "Қостанай облысы", "Костанайская область", "Kostanay Region"),
    ("KZ-43", "region", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    ("KZ-47", "region", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    ("KZ-55", "region", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    ("KZ-59", "region", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
     "North Kazakhstan Region"),
    ("KZ-61", "region", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
    ("KZ-62", "region", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region"),
    ("KZ-63", "region", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
     "East Kazakhstan Region"),
    ("KZ-71", "city", "Астана қаласы", "Астана (город)", "Astana city"),
    ("KZ-75", "city", "Алматы қаласы", "Алматы (город)", "Almaty city"),
    ("KZ-79", "city", "Шымкент қаласы", "Шымкент (город)", "Shymkent city"),
]

AREAS = [
    ("healthcare", "Денсаулық сақтау", "Здравоохранение", "Healthcare"),
    ("education", "Білім беру", "Образование", "Education"),
    ("social_protection", "Әлеуметтік қорғау", "Социальная защита", "Social protection"),
]


def upgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_created_at', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempts_email_created_at', ['email', 'created_at'], unique=False)

    op.create_table('programme_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_kk', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_programme_areas_code'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.Enum('region', 'city', name='region_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name_kk', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('bin', sa.String(length=12), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(bin) = 12', name=op.f('ck_organisations_bin_length')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_organisations_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('bin', name=op.f('uq_organisations_bin'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_region_id'), ['region_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('role', sa.Enum('admin', 'officer', 'reviewer', 'board', 'grantee', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(role = 'grantee' AND organisation_id IS NOT NULL) OR (role <> 'grantee' AND organisation_id IS NULL)", name=op.f('ck_users_grantee_has_organisation')),
    sa.CheckConstraint("locale IN ('kk', 'ru', 'en')", name=op.f('ck_users_locale')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title_kk', sa.String(length=300), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('summary_kk', sa.Text(), nullable=False),
    sa.Column('summary_ru', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'at_risk', 'suspended', 'completed', 'closed', name='project_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('awarded_amount', sa.BigInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('awarded_amount >= 0', name=op.f('ck_projects_awarded_amount_not_negative')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_projects_dates_in_order')),
    sa.ForeignKeyConstraint(['area_id'], ['programme_areas.id'], name=op.f('fk_projects_area_id_programme_areas')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_projects_officer_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_projects_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_projects_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)

    op.create_table('project_regions',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_regions_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_project_regions_region_id_regions')),
    sa.PrimaryKeyConstraint('project_id', 'region_id', name=op.f('pk_project_regions'))
    )
    with op.batch_alter_table('project_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_regions_region_id'), ['region_id'], unique=False)


    regions = sa.table(
        "regions", sa.column("code"), sa.column("kind"),
        sa.column("name_kk"), sa.column("name_ru"), sa.column("name_en"),
    )
    op.bulk_insert(regions, [
        dict(zip(("code", "kind", "name_kk", "name_ru", "name_en"), row, strict=True))
        for row in REGIONS
    ])
    areas = sa.table(
        "programme_areas", sa.column("code"),
        sa.column("name_kk"), sa.column("name_ru"), sa.column("name_en"),
    )
    op.bulk_insert(areas, [
        dict(zip(("code", "name_kk", "name_ru", "name_en"), row, strict=True)) for row in AREAS
    ])


def downgrade():
    with op.batch_alter_table('project_regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_regions_region_id'))

    op.drop_table('project_regions')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index(batch_op.f('ix_projects_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_projects_officer_id'))
        batch_op.drop_index(batch_op.f('ix_projects_area_id'))

    op.drop_table('projects')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_region_id'))

    op.drop_table('organisations')
    op.drop_table('regions')
    op.drop_table('programme_areas')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_created_at')
        batch_op.drop_index('ix_login_attempts_address_created_at')

    op.drop_table('login_attempts')
