"""Accounts: organisation administrators, invitations and email changes (links), who joined when

Revision ID: 0008_accounts
Revises: 0007_account_tokens
Create Date: 2026-12-02 19:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008_accounts'
down_revision = '0007_account_tokens'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('holder', 'representative', 'provider_staff', 'case_manager', 'admin')"
NEW_ROLES = "role IN ('holder', 'representative', 'provider_staff', 'case_manager', 'org_admin', 'admin')"
OLD_PURPOSES = "purpose IN ('password_reset')"
NEW_PURPOSES = "purpose IN ('password_reset', 'invitation', 'email_change')"


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_invited_by_id_user_account'), 'user_account',
                                    ['invited_by_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint('role', NEW_ROLES)
    # Everyone made before invitations existed has a password already: they joined when they were made.
    op.execute("UPDATE user_account SET joined_at = created_at")
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('joining', sa.String(length=300), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_account_token_purpose'), type_='check')
        batch_op.create_check_constraint('purpose', NEW_PURPOSES)


def downgrade():
    op.execute("DELETE FROM account_token WHERE purpose <> 'password_reset'")
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_account_token_purpose'), type_='check')
        batch_op.create_check_constraint('purpose', OLD_PURPOSES)
        batch_op.drop_column('joining')
        batch_op.drop_column('new_email')
    op.execute("UPDATE user_account SET role = 'case_manager' WHERE role = 'org_admin'")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint('role', OLD_ROLES)
        batch_op.drop_constraint(batch_op.f('fk_user_account_invited_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('joined_at')
