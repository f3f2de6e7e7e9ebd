"""Each funder says how often a monitoring return is due (direct payments and managed accounts alike)

Revision ID: 0024_return_interval
Revises: 0023_statement_identity
Create Date: 2026-12-03 07:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_return_interval'
down_revision = '0023_statement_identity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_interval_months', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('return_interval_months')
