"""Each payment keeps the key of the form that recorded it, so a form sent twice records one payment

Revision ID: 0020_payment_keys
Revises: 0019_caseload
Create Date: 2026-12-02 21:05:14.169375

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_payment_keys'
down_revision = '0019_caseload'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('spending_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_spending_entry_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('spending_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_spending_entry_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
