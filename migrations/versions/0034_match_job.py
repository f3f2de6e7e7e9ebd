"""Accepting every suggestion on a statement in the worker: match jobs, with their progress

Revision ID: 0034_match_job
Revises: 0033_sums_index
Create Date: 2026-12-03 17:47:04.329480

"""
import sqlalchemy as sa
from alembic import op

revision = '0034_match_job'
down_revision = '0033_sums_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('passed_over', sa.Integer(), nullable=False),
    sa.Column('last_line_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_match_job_status')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_match_job_budget_id_budget')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_match_job_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_job'))
    )
    with op.batch_alter_table('match_job', schema=None) as batch_op:
        batch_op.create_index('ix_match_job_budget_status', ['budget_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('match_job', schema=None) as batch_op:
        batch_op.drop_index('ix_match_job_budget_status')

    op.drop_table('match_job')
