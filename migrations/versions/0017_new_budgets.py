"""A person's date of birth on their budget; what each representative may do (see only, or record spending too)

Revision ID: 0017_new_budgets
Revises: 0016_sessions
Create Date: 2026-12-02 20:05:50.393217

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_new_budgets'
down_revision = '0016_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))

    with op.batch_alter_table('representative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_record_spending', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('representative', schema=None) as batch_op:
        batch_op.drop_column('may_record_spending')

    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_column('date_of_birth')

