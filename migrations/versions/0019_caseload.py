"""Providers accept or decline the managed accounts a council names them for; budgets can be ended (read-only)

Revision ID: 0019_caseload
Revises: 0018_two_factor
Create Date: 2026-12-02 20:16:13.084579

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_caseload'
down_revision = '0018_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('provider_declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('provider_decline_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('end_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_budget_ended_on'), ['ended_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_budget_ended_by_id_user_account'), 'user_account', ['ended_by_id'], ['id'])


    op.execute("UPDATE budget SET provider_accepted_at = created_at WHERE held_as = 'managed_account'")


def downgrade():
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_budget_ended_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_budget_ended_on'))
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('end_note')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('provider_decline_reason')
        batch_op.drop_column('provider_declined_at')
        batch_op.drop_column('provider_accepted_at')

