"""Upgrading a database of the previous release (statements imported, nothing matched) to matching,
reconciliation and returns keeps every row and gives the new columns their defaults."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from pbportal.banking.models import StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry

from .conftest import app_on

# The test builds a database of its own (a SQLite file or a PostgreSQL schema) and commits to it for real.
pytestmark = pytest.mark.real_commits


def test_upgrade_from_the_statements_release(empty_database, tmp_path):
    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0004_statements")
        run = lambda sql, **kw: db.session.execute(text(sql), kw)  # noqa: E731
        run("INSERT INTO organisation (name, kind) VALUES ('Old Council', 'council'), ('Old Provider', 'provider')")
        run("INSERT INTO user_account (email, name, password_hash, role, session_token, is_active_account, "
            "created_at, organisation_id) VALUES ('h@example.org', 'Old Holder', 'x', 'holder', 't1', true, "
            "CURRENT_TIMESTAMP, NULL), ('s@example.org', 'Old Staff', 'x', 'provider_staff', 't2', true, "
            "CURRENT_TIMESTAMP, 2)")
        run("INSERT INTO budget (person_name, holder_id, funder_id, held_as, provider_id, plan_year_start, "
            "created_at) VALUES ('Old Holder', 1, 1, 'managed_account', 2, :d, CURRENT_TIMESTAMP)", d=date(2026, 4, 1))
        run("INSERT INTO plan (budget_id, version, status, starts_on, created_at) "
            "VALUES (1, 1, 'draft', :d, CURRENT_TIMESTAMP)", d=date(2026, 4, 1))
        run("INSERT INTO budget_line (budget_id, plan_id, item, outcome, category, unit, quantity, unit_cost_pence, "
            "frequency, annual_pence, position, created_at, updated_at) VALUES (1, 1, 'Agency care', '', "
            "'agency_care', 'hour', 10, 2000, 'weekly', 1040000, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        run("INSERT INTO spending_entry (budget_id, line_id, paid_on, amount_pence, payee, category, note, status, "
            "change_reason, created_by_id, created_at) VALUES (1, 1, :d, 34300, 'Agency', 'agency_care', '', "
            "'active', '', 2, CURRENT_TIMESTAMP)", d=date(2026, 5, 3))
        run("INSERT INTO money_in (budget_id, received_on, amount_pence, source, note, status, change_reason, "
            "created_at) VALUES (1, :d, 100000, 'funder', '', 'active', '', CURRENT_TIMESTAMP)", d=date(2026, 5, 1))
        run("INSERT INTO statement (budget_id, filename, sha256, first_date, last_date, lines_imported, "
            "lines_already_held, closing_balance_pence, imported_by_id, imported_at) VALUES (1, 'old.csv', 'x', "
            ":a, :b, 1, 0, 65700, 2, CURRENT_TIMESTAMP)", a=date(2026, 5, 1), b=date(2026, 5, 3))
        run("INSERT INTO statement_line (budget_id, statement_id, line_date, description, amount_pence, "
            "balance_pence, fingerprint, status) VALUES (1, 1, :d, 'AGENCY LTD', -34300, 65700, 'f1', 'unmatched')",
            d=date(2026, 5, 3))
        db.session.commit()
        upgrade()
        line = db.session.query(StatementLine).one()
        assert (line.version, line.note, line.status, line.changed_by_id) == (1, "", "unmatched", None)
        entry = db.session.query(SpendingEntry).one()
        assert (entry.amount_pence, entry.statement_line_id, entry.from_statement) == (34300, None, False)
        assert db.session.query(MoneyIn).one().from_statement is False
        assert db.session.execute(text("SELECT surplus_weeks FROM organisation WHERE id = 1")).scalar() is None
        # The old line can now be linked to the payment recorded before.
        entry.statement_line_id, line.status = line.id, "matched"
        db.session.commit()
        assert db.session.query(StatementLine).one().version == 2
        db.session.remove()
        db.engine.dispose()
