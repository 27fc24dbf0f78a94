"""Reminders and notifications: reminder rules (with the fund's usual ones), one row per sent or
skipped reminder, in-app notifications, the outbox of emails, and each user's choice of immediate
emails or a daily digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('send_time', sa.Time(), nullable=False),
    sa.Column('to_grantee', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('to_officer', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('days >= 0 AND days <= 365', name=op.f('ck_reminder_rules_days_range')),
    sa.CheckConstraint('grace_days >= 0 AND grace_days <= 30', name=op.f('ck_reminder_rules_grace_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_rules'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('digest_pending', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_digest_pending'), ['digest_pending'], unique=False)
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('outbox_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='email_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_outbox_emails_recipient_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_emails'))
    )
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_emails_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_outbox_emails_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'skipped', name='reminder_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_reminders_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['reminder_rules.id'], name=op.f('fk_reminders_rule_id_reminder_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('rule_id', 'object_id', 'recipient_id', 'occurrence', name=op.f('uq_reminders_rule_id_object_id_recipient_id_occurrence'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_recipient_id'), ['recipient_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_delivery', sa.String(length=10), server_default='immediate', nullable=False))

    # The fund's usual reminders; admins change them on the reminders page.
    rules = sa.table(
        'reminder_rules',
        sa.column('kind', sa.String), sa.column('days', sa.Integer), sa.column('send_time', sa.Time),
        sa.column('to_grantee', sa.Boolean), sa.column('to_officer', sa.Boolean),
        sa.column('grace_days', sa.Integer), sa.column('active', sa.Boolean),
        sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    defaults = [
        ('milestone_due', 14, True, False), ('milestone_due', 3, True, False),
        ('milestone_due', 0, True, False), ('milestone_overdue', 1, True, True),
        ('milestone_overdue', 7, True, True), ('officer_digest', 0, False, True),
    ]
    op.bulk_insert(rules, [
        {'kind': kind, 'days': days, 'send_time': time(9, 0), 'to_grantee': grantee,
         'to_officer': officer, 'grace_days': 2, 'active': True, 'created_at': now, 'updated_at': now}
        for kind, days, grantee, officer in defaults
    ])



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_delivery')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_created_at'))

    op.drop_table('reminders')
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_emails_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_emails_recipient_id'))

    op.drop_table('outbox_emails')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')
        batch_op.drop_index(batch_op.f('ix_notifications_digest_pending'))

    op.drop_table('notifications')
    op.drop_table('reminder_rules')
