"""Downloads of all a budget's data (made by the worker, kept a week), and the notification that one is ready

Revision ID: 0037_exports
Revises: 0036_documents
Create Date: 2026-12-03 18:51:59.111447

"""
import sqlalchemy as sa
from alembic import op

revision = '0037_exports'
down_revision = '0036_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('storage_key', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('files', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'ready', 'failed', 'expired')", name=op.f('ck_export_request_status')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_export_request_budget_id_budget')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_export_request_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_request'))
    )
    with op.batch_alter_table('export_request', schema=None) as batch_op:
        batch_op.create_index('ix_export_request_budget_status', ['budget_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_request_requested_by_id'), ['requested_by_id'], unique=False)

    for table in ("notification", "notification_setting"):  # a new kind of notification: export_ready
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint("kind", "kind IN ('pa_check_expiring', 'pay_below_minimum', 'plan_short_of_cost', 'review_step', 'review_recorded', 'plan_agreed', 'line_overspent', 'money_low', 'money_surplus', 'line_answered', 'return_submitted_for_account', 'export_ready', 'holder_question', 'return_queried', 'return_accepted', 'statement_not_imported', 'review_requested', 'review_coming_due', 'review_overdue', 'return_submitted', 'warning_standing')")


def downgrade():
    for table in ("notification", "notification_setting"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint("kind", "kind IN ('pa_check_expiring', 'pay_below_minimum', 'plan_short_of_cost', 'review_step', 'review_recorded', 'plan_agreed', 'line_overspent', 'money_low', 'money_surplus', 'line_answered', 'return_submitted_for_account', 'holder_question', 'return_queried', 'return_accepted', 'statement_not_imported', 'review_requested', 'review_coming_due', 'review_overdue', 'return_submitted', 'warning_standing')")
    with op.batch_alter_table('export_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_request_requested_by_id'))
        batch_op.drop_index('ix_export_request_budget_status')

    op.drop_table('export_request')
