"""Outcomes: the standard indicator library, project indicators, results per period with their
breakdowns (region, sex, age group) and the history of corrections, and impact stories.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standard_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('definition_kk', sa.Text(), nullable=False),
    sa.Column('definition_ru', sa.Text(), nullable=False),
    sa.Column('definition_en', sa.Text(), nullable=False),
    sa.Column('unit_kk', sa.String(length=60), nullable=False),
    sa.Column('unit_ru', sa.String(length=60), nullable=False),
    sa.Column('unit_en', sa.String(length=60), nullable=False),
    sa.Column('type', sa.Enum('count', 'percentage', 'yes_no', name='indicator_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['programme_areas.id'], name=op.f('fk_standard_indicators_area_id_programme_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_standard_indicators_code'))
    )
    with op.batch_alter_table('standard_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_indicators_area_id'), ['area_id'], unique=False)

    op.create_table('project_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('type', sa.Enum('count', 'percentage', 'yes_no', name='indicator_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('baseline', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('higher', 'lower', name='indicator_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cumulative', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', 'half_yearly', 'yearly', name='indicator_frequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('by_region', sa.Boolean(), nullable=False),
    sa.Column('by_sex', sa.Boolean(), nullable=False),
    sa.Column('by_age', sa.Boolean(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('baseline >= 0', name=op.f('ck_project_indicators_baseline_not_negative')),
    sa.CheckConstraint('target >= 0', name=op.f('ck_project_indicators_target_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_indicators_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standard_indicators.id'], name=op.f('fk_project_indicators_standard_id_standard_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_indicators'))
    )
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_indicators_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_indicators_standard_id'), ['standard_id'], unique=False)

    op.create_table('indicator_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'reported', 'queried', 'verified', name='result_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('milestone_update_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('query_comment', sa.Text(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_indicator_results_period_in_order')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_indicator_results_value_not_negative')),
    sa.ForeignKeyConstraint(['indicator_id'], ['project_indicators.id'], name=op.f('fk_indicator_results_indicator_id_project_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_update_id'], ['milestone_updates.id'], name=op.f('fk_indicator_results_milestone_update_id_milestone_updates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_indicator_results_reported_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_indicator_results_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_results')),
    sa.UniqueConstraint('indicator_id', 'period_start', name=op.f('uq_indicator_results_indicator_id_period_start'))
    )
    with op.batch_alter_table('indicator_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_results_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_results_milestone_update_id'), ['milestone_update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_results_period_end'), ['period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_results_status'), ['status'], unique=False)

    op.create_table('impact_stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_impact_stories_author_id_users')),
    sa.ForeignKeyConstraint(['photo_id'], ['stored_files.id'], name=op.f('fk_impact_stories_photo_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_impact_stories_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_stories'))
    )
    with op.batch_alter_table('impact_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_impact_stories_project_id'), ['project_id'], unique=False)

    op.create_table('result_cells',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.Enum('region', 'sex', 'age', name='breakdown_dimension', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_result_cells_value_not_negative')),
    sa.ForeignKeyConstraint(['result_id'], ['indicator_results.id'], name=op.f('fk_result_cells_result_id_indicator_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'dimension', 'category', name=op.f('pk_result_cells'))
    )
    op.create_table('result_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'reported', 'queried', 'verified', name='result_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_result_revisions_changed_by_id_users')),
    sa.ForeignKeyConstraint(['result_id'], ['indicator_results.id'], name=op.f('fk_result_revisions_result_id_indicator_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_revisions'))
    )
    with op.batch_alter_table('result_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_revisions_result_id'), ['result_id'], unique=False)



def downgrade():
    with op.batch_alter_table('result_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_revisions_result_id'))

    op.drop_table('result_revisions')
    op.drop_table('result_cells')
    with op.batch_alter_table('impact_stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_stories_project_id'))

    op.drop_table('impact_stories')
    with op.batch_alter_table('indicator_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_results_status'))
        batch_op.drop_index(batch_op.f('ix_indicator_results_period_end'))
        batch_op.drop_index(batch_op.f('ix_indicator_results_milestone_update_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_results_indicator_id'))

    op.drop_table('indicator_results')
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_indicators_standard_id'))
        batch_op.drop_index(batch_op.f('ix_project_indicators_project_id'))

    op.drop_table('project_indicators')
    with op.batch_alter_table('standard_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_indicators_area_id'))

    op.drop_table('standard_indicators')
