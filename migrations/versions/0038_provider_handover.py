"""A managed account moving to another provider: who held it from when until when, to whom it went and why

Revision ID: 0038_provider_handover
Revises: 0037_exports
Create Date: 2026-12-03 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0038_provider_handover'
down_revision = '0037_exports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('from_provider_id', sa.Integer(), nullable=False),
        sa.Column('to_provider_id', sa.Integer(), nullable=False),
        sa.Column('moves_on', sa.Date(), nullable=False),
        sa.Column('held_from', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('moved_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('from_provider_id <> to_provider_id', name=op.f('ck_provider_handover_another_provider')),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_provider_handover_budget_id_budget')),
        sa.ForeignKeyConstraint(['from_provider_id'], ['organisation.id'],
                                name=op.f('fk_provider_handover_from_provider_id_organisation')),
        sa.ForeignKeyConstraint(['to_provider_id'], ['organisation.id'],
                                name=op.f('fk_provider_handover_to_provider_id_organisation')),
        sa.ForeignKeyConstraint(['moved_by_id'], ['user_account.id'],
                                name=op.f('fk_provider_handover_moved_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_handover')),
    )
    with op.batch_alter_table('provider_handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_handover_budget_id'), ['budget_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_handover_from_provider_id'), ['from_provider_id'], unique=False)


def downgrade():
    with op.batch_alter_table('provider_handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_handover_from_provider_id'))
        batch_op.drop_index(batch_op.f('ix_provider_handover_budget_id'))
    op.drop_table('provider_handover')
