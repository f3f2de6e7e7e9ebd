"""Money brought forward: each budget keeps the money its account held when pbportal's books began, so money
held is one figure everywhere (brought forward, plus money in, less money out)

Revision ID: 0021_brought_forward
Revises: 0020_payment_keys
Create Date: 2026-12-03 06:29:14.550395

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_brought_forward'
down_revision = '0020_payment_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brought_forward_pence', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('books_from', sa.Date(), nullable=True))
    # A managed account's books began with its first reconciliation period, opening on the balance then.
    op.execute("""
        UPDATE budget SET
          books_from = (SELECT MIN(p.starts_on) FROM reconciliation_period p WHERE p.budget_id = budget.id),
          brought_forward_pence = COALESCE((
            SELECT p.opening_balance_pence FROM reconciliation_period p WHERE p.budget_id = budget.id
            ORDER BY p.starts_on LIMIT 1), 0)
        WHERE EXISTS (SELECT 1 FROM reconciliation_period p WHERE p.budget_id = budget.id)
    """)


def downgrade():
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_column('books_from')
        batch_op.drop_column('brought_forward_pence')
