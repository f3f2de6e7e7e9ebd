"""Notifications: what each person is told, how they want to hear, budgets' standing problems, and the daily
reminders' runs

Revision ID: 0014_notifications
Revises: 0008_accounts
Create Date: 2026-12-02 19:43:54.138216

"""
import sqlalchemy as sa
from alembic import op

revision = '0014_notifications'
down_revision = '0008_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_run')),
    sa.UniqueConstraint('job', 'day', name=op.f('uq_daily_run_job'))
    )
    op.create_table('notification_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'digest', 'portal')", name=op.f('ck_notification_setting_channel')),
    sa.CheckConstraint("kind IN ('pa_check_expiring', 'pay_below_minimum', 'plan_short_of_cost', 'review_step', 'review_recorded', 'plan_agreed', 'line_overspent', 'money_low', 'money_surplus', 'line_answered', 'return_submitted_for_account', 'holder_question', 'return_queried', 'return_accepted', 'statement_not_imported', 'review_requested', 'review_coming_due', 'review_overdue', 'return_submitted', 'warning_standing')", name=op.f('ck_notification_setting_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_setting_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_setting')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_setting_user_id'))
    )
    with op.batch_alter_table('notification_setting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_setting_user_id'), ['user_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occasion', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'digest', 'portal')", name=op.f('ck_notification_channel')),
    sa.CheckConstraint("kind IN ('pa_check_expiring', 'pay_below_minimum', 'plan_short_of_cost', 'review_step', 'review_recorded', 'plan_agreed', 'line_overspent', 'money_low', 'money_surplus', 'line_answered', 'return_submitted_for_account', 'holder_question', 'return_queried', 'return_accepted', 'statement_not_imported', 'review_requested', 'review_coming_due', 'review_overdue', 'return_submitted', 'warning_standing')", name=op.f('ck_notification_kind')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_notification_budget_id_budget')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'occasion', name=op.f('uq_notification_user_id'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_budget_id'), ['budget_id'], unique=False)
        batch_op.create_index('ix_notification_digest', ['channel', 'emailed_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('standing_condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('case_manager_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_standing_condition_budget_id_budget')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_condition'))
    )
    with op.batch_alter_table('standing_condition', schema=None) as batch_op:
        batch_op.create_index('uq_standing_condition_open', ['budget_id', 'key'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))



def downgrade():
    with op.batch_alter_table('standing_condition', schema=None) as batch_op:
        batch_op.drop_index('uq_standing_condition_open', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.drop_table('standing_condition')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_digest')
        batch_op.drop_index(batch_op.f('ix_notification_budget_id'))

    op.drop_table('notification')
    with op.batch_alter_table('notification_setting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_setting_user_id'))

    op.drop_table('notification_setting')
    op.drop_table('daily_run')
