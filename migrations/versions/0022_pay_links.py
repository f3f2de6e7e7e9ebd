"""Pay and payments are one story: a pay record can hold a payment of the net pay recorded before it (linked),
which voiding the pay lets go of rather than voids

Revision ID: 0022_pay_links
Revises: 0021_brought_forward
Create Date: 2026-12-03 06:58:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_pay_links'
down_revision = '0021_brought_forward'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pay_record_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('pay_record_entry', schema=None) as batch_op:
        batch_op.drop_column('linked')
