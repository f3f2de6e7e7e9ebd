"""Documents kept on a budget: the support plan, PA certificates and evidence, insurance, files attached to
reviews, review requests and questions about statement lines

Revision ID: 0036_documents
Revises: 0035_org_contact
Create Date: 2026-12-03 18:36:03.623612

"""
import sqlalchemy as sa
from alembic import op

revision = '0036_documents'
down_revision = '0035_org_contact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('about', sa.String(length=20), nullable=False),
    sa.Column('about_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_reason', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("about IN ('budget', 'pa', 'check', 'review', 'review_request', 'line_comment', 'return_event')", name=op.f('ck_document_about')),
    sa.CheckConstraint("kind IN ('support_plan', 'dbs', 'right_to_work', 'contract', 'training', 'insurance', 'other')", name=op.f('ck_document_kind')),
    sa.CheckConstraint("removed_at IS NULL OR removed_reason <> ''", name=op.f('ck_document_reason_when_removed')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_document_budget_id_budget')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['user_account.id'], name=op.f('fk_document_removed_by_id_user_account')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_document_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_document_storage_key'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_budget_about', ['budget_id', 'about', 'about_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_budget_id'), ['budget_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_budget_id'))
        batch_op.drop_index('ix_document_budget_about')

    op.drop_table('document')
