"""How people reach an organisation: a phone number, an email address and opening hours, shown to the people it
funds or whose accounts it holds

Revision ID: 0035_org_contact
Revises: 0034_match_job
Create Date: 2026-12-03 18:25:39.557565

"""
import sqlalchemy as sa
from alembic import op

revision = '0035_org_contact'
down_revision = '0034_match_job'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_hours', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('contact_hours')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_phone')

