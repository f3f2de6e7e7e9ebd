"""Statutory figures complete: the 2023/24 rows (so older pay is checked, not skipped), the 21 to 22 band and
the National Living Wage age of 23 before April 2024, the apprentice rate, the accommodation offset, the lower
earnings limit, weekly and monthly thresholds for NI and automatic enrolment, Statutory Sick Pay's waiting days
and earnings share, and the basic and standard DBS fees

Revision ID: 0026_statutory_complete
Revises: 0025_nlw_age
Create Date: 2026-12-03 10:30:00

"""
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = '0026_statutory_complete'
down_revision = '0025_nlw_age'
branch_labels = None
depends_on = None

# Frozen here as first added (pbportal/employment/statutory_rates.csv holds them too); an administrator may
# have entered some already, and those are left as they are.
ROWS = [
    ('nlw_21_plus', date(2023, 4, 1), Decimal('1042'),
     'National Living Wage from 1 April 2023, then for workers aged 23 and over (NMW (Amendment) Regulations 2023; '
     'domain brief)'),
    ('nlw_age', date(2021, 4, 1), Decimal('23'),
     'The National Living Wage applied from age 23 from 1 April 2021 to 31 March 2024 (domain brief)'),
    ('nmw_21_22', date(2023, 4, 1), Decimal('1018'),
     'National Minimum Wage 21 to 22 from 1 April 2023 (domain brief); a band only while the National Living Wage age was 23'),
    ('nmw_18_20', date(2023, 4, 1), Decimal('749'),
     'National Minimum Wage 18 to 20 from 1 April 2023 (domain brief)'),
    ('nmw_under_18', date(2023, 4, 1), Decimal('528'),
     'National Minimum Wage under 18 from 1 April 2023 (domain brief)'),
    ('nmw_apprentice', date(2023, 4, 1), Decimal('528'),
     'Apprentice rate from 1 April 2023 (apprentices under 19, or in the first year of their apprenticeship)'),
    ('nmw_apprentice', date(2024, 4, 1), Decimal('640'),
     'Apprentice rate from 1 April 2024 (GOV.UK rates)'),
    ('nmw_apprentice', date(2025, 4, 1), Decimal('755'),
     'Apprentice rate from 1 April 2025 (GOV.UK rates)'),
    ('nmw_apprentice', date(2026, 4, 1), Decimal('800'),
     'Apprentice rate from 1 April 2026 (GOV.UK rates; check)'),
    ('accommodation_offset', date(2023, 4, 1), Decimal('910'),
     'Accommodation offset a day from 1 April 2023 (GOV.UK rates)'),
    ('accommodation_offset', date(2024, 4, 1), Decimal('999'),
     'Accommodation offset a day from 1 April 2024 (GOV.UK rates)'),
    ('accommodation_offset', date(2025, 4, 1), Decimal('1066'),
     'Accommodation offset a day from 1 April 2025 (GOV.UK rates)'),
    ('accommodation_offset', date(2026, 4, 1), Decimal('1110'),
     'Accommodation offset a day from 1 April 2026 (GOV.UK rates; check)'),
    ('employer_ni_rate', date(2023, 4, 6), Decimal('13.8'),
     'Employer (secondary) Class 1 NI rate 2023/24 (HMRC rates and thresholds)'),
    ('employer_ni_threshold', date(2023, 4, 6), Decimal('910000'),
     'Secondary threshold £9100 a year 2023/24 (HMRC rates and thresholds)'),
    ('employer_ni_threshold_weekly', date(2023, 4, 6), Decimal('17500'),
     'Secondary threshold £175 a week 2023/24 and 2024/25 (HMRC rates and thresholds)'),
    ('employer_ni_threshold_weekly', date(2025, 4, 6), Decimal('9600'),
     'Secondary threshold £96 a week from 2025/26 (domain brief)'),
    ('employer_ni_threshold_monthly', date(2023, 4, 6), Decimal('75800'),
     'Secondary threshold £758 a month 2023/24 and 2024/25 (HMRC rates and thresholds)'),
    ('employer_ni_threshold_monthly', date(2025, 4, 6), Decimal('41700'),
     'Secondary threshold £417 a month from 2025/26 (domain brief)'),
    ('employer_ni_under21_upper', date(2023, 4, 6), Decimal('5027000'),
     'Upper secondary threshold for employees under 21: £50270 a year (HMRC rates and thresholds)'),
    ('employer_ni_under21_upper_weekly', date(2023, 4, 6), Decimal('96700'),
     'Upper secondary threshold for employees under 21: £967 a week (HMRC rates and thresholds)'),
    ('employer_ni_under21_upper_monthly', date(2023, 4, 6), Decimal('418900'),
     'Upper secondary threshold for employees under 21: £4189 a month (HMRC rates and thresholds)'),
    ('lel_weekly', date(2023, 4, 6), Decimal('12300'),
     'National Insurance lower earnings limit £123 a week 2023/24 and 2024/25 (HMRC rates and thresholds)'),
    ('lel_weekly', date(2025, 4, 6), Decimal('12500'),
     'National Insurance lower earnings limit £125 a week 2025/26 (HMRC rates and thresholds)'),
    ('lel_weekly', date(2026, 4, 6), Decimal('12900'),
     'National Insurance lower earnings limit £129 a week 2026/27 (Autumn Budget 2025)'),
    ('lel_monthly', date(2023, 4, 6), Decimal('53300'),
     'National Insurance lower earnings limit £533 a month 2023/24 and 2024/25 (HMRC rates and thresholds)'),
    ('lel_monthly', date(2025, 4, 6), Decimal('54200'),
     'National Insurance lower earnings limit £542 a month 2025/26 (HMRC rates and thresholds)'),
    ('lel_monthly', date(2026, 4, 6), Decimal('55900'),
     'National Insurance lower earnings limit £559 a month 2026/27 (Autumn Budget 2025)'),
    ('employment_allowance', date(2023, 4, 6), Decimal('500000'),
     'Employment Allowance 2023/24 (HMRC rates and thresholds)'),
    ('pension_trigger', date(2023, 4, 6), Decimal('1000000'),
     'Auto-enrolment earnings trigger £10000 a year from 2014/15 (The Pensions Regulator)'),
    ('pension_trigger_weekly', date(2023, 4, 6), Decimal('19200'),
     'Auto-enrolment earnings trigger £192 a week (The Pensions Regulator; domain brief)'),
    ('pension_trigger_monthly', date(2023, 4, 6), Decimal('83300'),
     'Auto-enrolment earnings trigger £833 a month (The Pensions Regulator; domain brief)'),
    ('pension_lower', date(2023, 4, 6), Decimal('624000'),
     'Qualifying earnings lower limit £6240 a year (The Pensions Regulator)'),
    ('pension_lower_weekly', date(2023, 4, 6), Decimal('12000'),
     'Qualifying earnings lower limit £120 a week (The Pensions Regulator)'),
    ('pension_lower_monthly', date(2023, 4, 6), Decimal('52000'),
     'Qualifying earnings lower limit £520 a month (The Pensions Regulator)'),
    ('pension_upper', date(2023, 4, 6), Decimal('5027000'),
     'Qualifying earnings upper limit £50270 a year (The Pensions Regulator)'),
    ('pension_upper_weekly', date(2023, 4, 6), Decimal('96700'),
     'Qualifying earnings upper limit £967 a week (The Pensions Regulator)'),
    ('pension_upper_monthly', date(2023, 4, 6), Decimal('418900'),
     'Qualifying earnings upper limit £4189 a month (The Pensions Regulator)'),
    ('pension_employer_rate', date(2023, 4, 6), Decimal('3'),
     'Employer minimum contribution 3% of qualifying earnings (The Pensions Regulator)'),
    ('holiday_weeks', date(2023, 4, 1), Decimal('5.6'),
     'Statutory holiday: 5.6 weeks a year (Working Time Regulations 1998)'),
    ('ssp_weekly', date(2023, 4, 6), Decimal('10940'),
     'Statutory Sick Pay 2023/24 (GOV.UK rates)'),
    ('ssp_waiting_days', date(2023, 4, 6), Decimal('3'),
     'Statutory Sick Pay: the first 3 qualifying days of sickness are unpaid, and average weekly earnings must reach the lower earnings limit (until 5 April 2026)'),
    ('ssp_waiting_days', date(2026, 4, 6), Decimal('0'),
     'Statutory Sick Pay from the first day of sickness, with no lower earnings limit, from 6 April 2026 (Employment Rights Act 2025; domain brief)'),
    ('ssp_earnings_percent', date(2026, 4, 6), Decimal('80'),
     'Statutory Sick Pay is the lower of the weekly rate and 80% of average weekly earnings, from 6 April 2026 (domain brief)'),
    ('dbs_basic', date(2024, 12, 2), Decimal('2150'),
     'Basic DBS check fee from 2 December 2024 (domain brief)'),
    ('dbs_standard', date(2024, 12, 2), Decimal('2150'),
     'Standard DBS check fee from 2 December 2024 (domain brief)'),
]


RATES = sa.table("statutory_rate", sa.column("kind", sa.String), sa.column("valid_from", sa.Date),
                 sa.column("value", sa.Numeric(14, 4)), sa.column("source", sa.Text),
                 sa.column("changed_at", sa.DateTime(timezone=True)))


def upgrade():
    connection = op.get_bind()
    now = datetime.now(timezone.utc)
    for kind, valid_from, value, source in ROWS:
        held = connection.execute(sa.text("SELECT count(*) FROM statutory_rate WHERE kind = :kind AND valid_from = :day"),
                                  {"kind": kind, "day": valid_from}).scalar()
        if not held:
            connection.execute(RATES.insert().values(kind=kind, valid_from=valid_from, value=value, source=source,
                                                     changed_at=now))


def downgrade():
    connection = op.get_bind()
    for kind, valid_from, _value, _source in ROWS:
        connection.execute(sa.text("DELETE FROM statutory_rate WHERE kind = :kind AND valid_from = :day"),
                           {"kind": kind, "day": valid_from})
