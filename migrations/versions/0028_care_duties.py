"""The holder as one employer: whether all the employees' duties are for the person's care and support (asked
once, for Employment Allowance)

Revision ID: 0028_care_duties
Revises: 0027_pay_rules
Create Date: 2026-12-03 10:35:06.178534

"""
import sqlalchemy as sa
from alembic import op

revision = '0028_care_duties'
down_revision = '0027_pay_rules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_duties_only', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_column('care_duties_only')
