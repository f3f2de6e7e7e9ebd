"""The rules of a pay period: a PA's pay frequency and day, working days, sleep-ins, apprenticeship, live-in
accommodation and pension enrolment; a pay record's sleep-ins, holiday pay (rolled up or not) and sick pay; the
hours of a holiday taken

Revision ID: 0027_pay_rules
Revises: 0026_statutory_complete
Create Date: 2026-12-03 10:07:37.002643

"""
import sqlalchemy as sa
from alembic import op

revision = '0027_pay_rules'
down_revision = '0026_statutory_complete'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=True))

    with op.batch_alter_table('pay_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sleep_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sleep_in_pence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('holiday_pay_pence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('holiday_rolled_up', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('ssp_pence', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_pay_record_parts_within_gross'),
            "sleep_ins >= 0 AND sleep_in_pence >= 0 AND holiday_pay_pence >= 0 AND ssp_pence >= 0 AND "
            "sleep_in_pence + holiday_pay_pence + ssp_pence <= gross_pence")

    with op.batch_alter_table('personal_assistant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pay_frequency', sa.String(length=20), server_default='weekly', nullable=False))
        batch_op.add_column(sa.Column('pay_weekday', sa.Integer(), server_default='4', nullable=False))
        batch_op.add_column(sa.Column('working_days', sa.String(length=7), server_default='01234', nullable=False))
        batch_op.add_column(sa.Column('sleep_ins_per_week', sa.Numeric(precision=4, scale=1), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sleep_in_pence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('apprentice_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lives_in', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('accommodation_charge_pence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pension_enrolled_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pension_opted_out_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pension_postponed_until', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_personal_assistant_pay_frequency'),
            "pay_frequency IN ('weekly', 'fortnightly', 'four_weekly', 'monthly')")
        batch_op.create_check_constraint(op.f('ck_personal_assistant_pay_weekday'), "pay_weekday BETWEEN 0 AND 6")
        batch_op.create_check_constraint(
            op.f('ck_personal_assistant_pa_amounts_not_negative'),
            "sleep_ins_per_week >= 0 AND sleep_in_pence >= 0 AND accommodation_charge_pence >= 0")


def downgrade():
    with op.batch_alter_table('personal_assistant', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_personal_assistant_pay_frequency'), type_='check')
        batch_op.drop_constraint(op.f('ck_personal_assistant_pay_weekday'), type_='check')
        batch_op.drop_constraint(op.f('ck_personal_assistant_pa_amounts_not_negative'), type_='check')
        batch_op.drop_column('pension_postponed_until')
        batch_op.drop_column('pension_opted_out_on')
        batch_op.drop_column('pension_enrolled_on')
        batch_op.drop_column('accommodation_charge_pence')
        batch_op.drop_column('lives_in')
        batch_op.drop_column('apprentice_since')
        batch_op.drop_column('sleep_in_pence')
        batch_op.drop_column('sleep_ins_per_week')
        batch_op.drop_column('working_days')
        batch_op.drop_column('pay_weekday')
        batch_op.drop_column('pay_frequency')

    with op.batch_alter_table('pay_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pay_record_parts_within_gross'), type_='check')
        batch_op.drop_column('ssp_pence')
        batch_op.drop_column('holiday_rolled_up')
        batch_op.drop_column('holiday_pay_pence')
        batch_op.drop_column('sleep_in_pence')
        batch_op.drop_column('sleep_ins')

    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_column('hours')
