"""Grant applications: calls for proposals with their criteria, organisations' registrations,
applications with beneficiaries, regions, budget lines, milestones, indicators and files, the
workflow's transitions, review assignments and scores; projects get an agreement number.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('title_kk', sa.String(length=300), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description_kk', sa.Text(), nullable=False),
    sa.Column('description_ru', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('budget_envelope', sa.BigInteger(), nullable=False),
    sa.Column('max_request', sa.BigInteger(), nullable=False),
    sa.Column('required_documents', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', 'archived', name='call_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_calls_dates_in_order')),
    sa.CheckConstraint('max_request <= budget_envelope', name=op.f('ck_calls_max_within_envelope')),
    sa.CheckConstraint('max_request > 0', name=op.f('ck_calls_max_request_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['programme_areas.id'], name=op.f('fk_calls_area_id_programme_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calls_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_status'), ['status'], unique=False)

    op.create_table('organisation_registrations',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_registrations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_organisation_registrations_verified_by_id_users')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_registrations'))
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'screened', 'under_review', 'approved', 'rejected', name='application_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('screening', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('awarded_amount', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('awarded_amount IS NULL OR awarded_amount > 0', name=op.f('ck_applications_award_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_applications_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_applications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_applications_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('project_id', name=op.f('uq_applications_project_id'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)

    op.create_table('call_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight > 0 AND weight <= 100', name=op.f('ck_call_criteria_weight_range')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_criteria_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_criteria'))
    )
    with op.batch_alter_table('call_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_criteria_call_id'), ['call_id'], unique=False)

    op.create_table('application_beneficiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('children', 'children_rare_diseases', 'children_autism', 'people_with_disabilities', 'families', 'students', 'specialists', 'other', name='beneficiary_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_application_beneficiaries_count_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_beneficiaries_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_beneficiaries')),
    sa.UniqueConstraint('application_id', 'category', name=op.f('uq_application_beneficiaries_application_id_category'))
    )
    with op.batch_alter_table('application_beneficiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_beneficiaries_application_id'), ['application_id'], unique=False)

    op.create_table('application_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('personnel', 'medicines', 'equipment', 'services', 'construction', 'training', 'travel', 'administration', 'other', name='application_budget_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_application_budget_lines_amount_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_budget_lines_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_budget_lines'))
    )
    with op.batch_alter_table('application_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_budget_lines_application_id'), ['application_id'], unique=False)

    op.create_table('application_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(length=300), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_files_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_application_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_application_files_storage_key'))
    )
    with op.batch_alter_table('application_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_files_application_id'), ['application_id'], unique=False)

    op.create_table('application_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('baseline', sa.BigInteger(), nullable=False),
    sa.Column('target', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_indicators_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_indicators'))
    )
    with op.batch_alter_table('application_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_indicators_application_id'), ['application_id'], unique=False)

    op.create_table('application_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('tranche_amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('tranche_amount >= 0', name=op.f('ck_application_milestones_tranche_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_milestones_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_milestones'))
    )
    with op.batch_alter_table('application_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_milestones_application_id'), ['application_id'], unique=False)

    op.create_table('application_regions',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_regions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_application_regions_region_id_regions')),
    sa.PrimaryKeyConstraint('application_id', 'region_id', name=op.f('pk_application_regions'))
    )
    with op.batch_alter_table('application_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_regions_region_id'), ['region_id'], unique=False)

    op.create_table('application_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'returned', 'screened', 'under_review', 'approved', 'rejected', name='application_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'returned', 'screened', 'under_review', 'approved', 'rejected', name='application_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_application_transitions_actor_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_transitions_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_transitions'))
    )
    with op.batch_alter_table('application_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_transitions_application_id'), ['application_id'], unique=False)

    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('conflict', sa.Enum('pending', 'none', 'conflict', name='conflict_declaration', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('conflict_note', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_assignments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_review_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_assignments_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name=op.f('uq_review_assignments_application_id_reviewer_id'))
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('review_scores',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_review_scores_score_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_review_scores_assignment_id_review_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['call_criteria.id'], name=op.f('fk_review_scores_criterion_id_call_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'criterion_id', name=op.f('pk_review_scores'))
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_criterion_id'), ['criterion_id'], unique=False)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_number', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_projects_agreement_number'), ['agreement_number'])



def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_projects_agreement_number'), type_='unique')
        batch_op.drop_column('agreement_number')

    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_scores_criterion_id'))

    op.drop_table('review_scores')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignments_application_id'))

    op.drop_table('review_assignments')
    with op.batch_alter_table('application_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_transitions_application_id'))

    op.drop_table('application_transitions')
    with op.batch_alter_table('application_regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_regions_region_id'))

    op.drop_table('application_regions')
    with op.batch_alter_table('application_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_milestones_application_id'))

    op.drop_table('application_milestones')
    with op.batch_alter_table('application_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_indicators_application_id'))

    op.drop_table('application_indicators')
    with op.batch_alter_table('application_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_files_application_id'))

    op.drop_table('application_files')
    with op.batch_alter_table('application_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_budget_lines_application_id'))

    op.drop_table('application_budget_lines')
    with op.batch_alter_table('application_beneficiaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_beneficiaries_application_id'))

    op.drop_table('application_beneficiaries')
    with op.batch_alter_table('call_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_criteria_call_id'))

    op.drop_table('call_criteria')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_status'))
        batch_op.drop_index(batch_op.f('ix_applications_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_applications_call_id'))

    op.drop_table('applications')
    op.drop_table('organisation_registrations')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_status'))
        batch_op.drop_index(batch_op.f('ix_calls_closes_at'))
        batch_op.drop_index(batch_op.f('ix_calls_area_id'))

    op.drop_table('calls')
