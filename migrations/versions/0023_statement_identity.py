"""Statements: a line's fingerprint no longer depends on whether its file carried a running balance, so the
same transactions from a CSV and an OFX file are recognised (existing lines' fingerprints are worked out again
the new way); and an account's remembered layout can name a CR/DR column

Revision ID: 0023_statement_identity
Revises: 0022_pay_links
Create Date: 2026-12-03 07:20:00

"""
import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = '0023_statement_identity'
down_revision = '0022_pay_links'
branch_labels = None
depends_on = None


def _identity(description: str) -> str:  # as banking.statement_csv._identity on the day this was written
    return re.sub(r"[^a-z]", "", description.lower())[:16]


def upgrade():
    with op.batch_alter_table('statement_layout', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_column', sa.String(length=100), server_default='', nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, budget_id, line_date, amount_pence, description FROM statement_line "
        "ORDER BY budget_id, line_date, id")).all()
    seen, new = {}, []
    for line_id, budget_id, line_date, pence, description in rows:
        day = line_date if isinstance(line_date, str) else line_date.isoformat()
        key = (budget_id, day[:10], pence, _identity(description or ""))
        seen[key] = seen.get(key, 0) + 1
        text = f"{budget_id}|{day[:10]}|{pence}|{key[3]}|{seen[key]}"
        new.append({"id": line_id, "fp": hashlib.sha256(text.encode()).hexdigest()})
    # Two passes, so no line ever holds a fingerprint another still has (the pair is unique per budget).
    if new:
        connection.execute(sa.text("UPDATE statement_line SET fingerprint = 'migrating-' || CAST(id AS VARCHAR(20))"))
        connection.execute(sa.text("UPDATE statement_line SET fingerprint = :fp WHERE id = :id"), new)


def downgrade():
    # The fingerprints stay in the new form: a downgraded app reads them as it reads any other.
    with op.batch_alter_table('statement_layout', schema=None) as batch_op:
        batch_op.drop_column('indicator_column')
