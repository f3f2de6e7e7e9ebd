"""A covering index for the budget page's sums (money held, spent by line), read from the index alone

Revision ID: 0033_sums_index
Revises: 0028_care_duties
Create Date: 2026-12-03 17:40:00

"""
from alembic import op

revision = '0033_sums_index'
down_revision = '0028_care_duties'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_spending_entry_sums', 'spending_entry',
                    ['budget_id', 'status', 'paid_on', 'line_id', 'amount_pence'], unique=False)


def downgrade():
    op.drop_index('ix_spending_entry_sums', table_name='spending_entry')
