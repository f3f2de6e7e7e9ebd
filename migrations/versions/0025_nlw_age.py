"""The age the National Living Wage starts at is a statutory figure (21 since 1 April 2024), kept with the
others so the minimum wage check reads it as data

Revision ID: 0025_nlw_age
Revises: 0024_return_interval
Create Date: 2026-12-03 07:50:00

"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0025_nlw_age'
down_revision = '0024_return_interval'
branch_labels = None
depends_on = None

ROW = {"kind": "nlw_age", "valid_from": date(2024, 4, 1), "value": 21,
       "source": "The National Living Wage applies from age 21 since 1 April 2024 (National Minimum Wage "
                 "(Amendment) Regulations 2024; domain brief)"}


def upgrade():
    connection = op.get_bind()
    held = connection.execute(sa.text("SELECT count(*) FROM statutory_rate WHERE kind = :kind AND valid_from = :day"),
                              {"kind": ROW["kind"], "day": ROW["valid_from"]}).scalar()
    if not held:
        connection.execute(sa.text(
            "INSERT INTO statutory_rate (kind, valid_from, value, source, changed_at) "
            "VALUES (:kind, :valid_from, :value, :source, :now)"), dict(ROW, now=datetime.now(timezone.utc)))


def downgrade():
    op.execute("DELETE FROM statutory_rate WHERE kind = 'nlw_age'")
