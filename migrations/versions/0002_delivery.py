"""Delivery: budget lines, milestones, tranches, milestone updates with spending and files,
milestone comments, the project event history, and version columns for concurrent edits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('personnel', 'medicines', 'equipment', 'services', 'construction', 'training', 'travel', 'administration', 'other', name='budget_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_budget_lines_amount_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_budget_lines_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_lines_project_id'), ['project_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deliverables', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'submitted', 'revision_requested', 'accepted', name='milestone_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_status'), ['status'], unique=False)

    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_events_actor_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_events_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.create_index('ix_project_events_project_id_created_at', ['project_id', 'created_at'], unique=False)

    op.create_table('milestone_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_milestone_comments_author_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_comments_milestone_id_milestones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_comments'))
    )
    with op.batch_alter_table('milestone_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_comments_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('milestone_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'revision_requested', 'accepted', name='update_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('beneficiaries', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('beneficiaries >= 0', name=op.f('ck_milestone_updates_beneficiaries_not_negative')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_milestone_updates_progress_percent')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_milestone_updates_author_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_updates_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_milestone_updates_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_updates'))
    )
    with op.batch_alter_table('milestone_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_updates_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_updates_status'), ['status'], unique=False)

    op.create_table('tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'approved', 'paid', name='tranche_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=False),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_tranches_amount_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_tranches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_tranches_milestone_id_milestones'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_tranches_paid_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tranches_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tranches')),
    sa.UniqueConstraint('milestone_id', name=op.f('uq_tranches_milestone_id'))
    )
    with op.batch_alter_table('tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tranches_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tranches_status'), ['status'], unique=False)

    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone_update_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('document', 'evidence', name='file_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_stored_files_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['milestone_update_id'], ['milestone_updates.id'], name=op.f('fk_stored_files_milestone_update_id_milestone_updates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_stored_files_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stored_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_stored_files_storage_key'))
    )
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_milestone_update_id'), ['milestone_update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_files_project_id'), ['project_id'], unique=False)

    op.create_table('update_spending',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_update_spending_amount_not_negative')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_lines.id'], name=op.f('fk_update_spending_budget_line_id_budget_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['milestone_updates.id'], name=op.f('fk_update_spending_update_id_milestone_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', 'budget_line_id', name=op.f('pk_update_spending'))
    )
    with op.batch_alter_table('update_spending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_spending_budget_line_id'), ['budget_line_id'], unique=False)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_auto', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('version_id')
        batch_op.drop_column('status_auto')

    with op.batch_alter_table('update_spending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_spending_budget_line_id'))

    op.drop_table('update_spending')
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_project_id'))
        batch_op.drop_index(batch_op.f('ix_stored_files_milestone_update_id'))

    op.drop_table('stored_files')
    with op.batch_alter_table('tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tranches_status'))
        batch_op.drop_index(batch_op.f('ix_tranches_project_id'))

    op.drop_table('tranches')
    with op.batch_alter_table('milestone_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_updates_status'))
        batch_op.drop_index(batch_op.f('ix_milestone_updates_milestone_id'))

    op.drop_table('milestone_updates')
    with op.batch_alter_table('milestone_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_comments_milestone_id'))

    op.drop_table('milestone_comments')
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.drop_index('ix_project_events_project_id_created_at')

    op.drop_table('project_events')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_status'))
        batch_op.drop_index(batch_op.f('ix_milestones_project_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_due_date'))

    op.drop_table('milestones')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_lines_project_id'))

    op.drop_table('budget_lines')
