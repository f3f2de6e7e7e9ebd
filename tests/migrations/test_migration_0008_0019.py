"""Upgrading a database of the previous release (stop 17: outbox and reset links, one session token per person)
to accounts, notifications, 64-bit money, device sessions, new budgets, two-factor sign-in, caseloads and money
brought forward keeps
every row and gives each new column the value the rows mean."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from pbportal.auth.models import User
from pbportal.banking.models import StatementLine
from pbportal.banking.statement_csv import fingerprint_of
from pbportal.budget.models import Budget, Representative
from pbportal.extensions import db

from .conftest import app_on

pytestmark = pytest.mark.real_commits


def test_upgrade_from_the_previous_release_keeps_people_budgets_and_money(empty_database, tmp_path):
    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0007_account_tokens")
        run = lambda sql, **kw: db.session.execute(text(sql), kw)  # noqa: E731
        run("INSERT INTO organisation (name, kind) VALUES ('Old Council', 'council'), ('Old Provider', 'provider')")
        run("INSERT INTO user_account (email, name, password_hash, role, session_token, is_active_account, "
            "created_at, organisation_id) VALUES "
            "('h@example.org', 'Old Holder', 'x', 'holder', 't1', true, '2026-01-02 03:04:05+00', NULL), "
            "('cm@example.org', 'Old Case', 'x', 'case_manager', 't2', true, '2026-01-02 03:04:05+00', 1), "
            "('r@example.org', 'Old Rep', 'x', 'representative', 't3', true, '2026-01-02 03:04:05+00', NULL), "
            "('s@example.org', 'Old Staff', 'x', 'provider_staff', 't4', true, '2026-01-02 03:04:05+00', 2)")
        run("INSERT INTO budget (person_name, holder_id, funder_id, held_as, provider_id, case_manager_id, "
            "plan_year_start, created_at) VALUES ('Old Holder', 1, 1, 'managed_account', 2, 2, :d, "
            "'2026-01-03 00:00:00+00')", d=date(2026, 4, 1))
        run("INSERT INTO representative (budget_id, user_id, kind, evidence) VALUES (1, 3, 'nominated', '')")
        run("INSERT INTO statement (budget_id, filename, sha256, first_date, last_date, lines_imported, "
            "lines_already_held, closing_balance_pence, imported_by_id, imported_at) VALUES (1, 'old.csv', 'x', "
            ":a, :b, 1, 0, 65700, 4, CURRENT_TIMESTAMP)", a=date(2026, 5, 1), b=date(2026, 5, 3))
        run("INSERT INTO statement_line (budget_id, statement_id, line_date, description, amount_pence, "
            "balance_pence, fingerprint, status, version, note) VALUES (1, 1, :d, 'AGENCY LTD', -34300, 65700, "
            "'f1', 'unmatched', 1, '')", d=date(2026, 5, 3))
        for starts, ends, opening in ((date(2026, 5, 1), date(2026, 5, 31), 100000),
                                      (date(2026, 6, 1), date(2026, 6, 30), 65700)):
            run("INSERT INTO reconciliation_period (budget_id, starts_on, ends_on, opening_balance_pence, "
                "statement_balance_pence, status, money_in_pence, money_out_pence, difference_pence, explanation, "
                "version, created_by_id, created_at) VALUES (1, :s, :e, :o, 65700, 'open', 0, 0, 0, '', 1, 4, "
                "CURRENT_TIMESTAMP)", s=starts, e=ends, o=opening)
        run("INSERT INTO account_token (purpose, user_id, token_hash, created_at, expires_at) VALUES "
            "('password_reset', 1, 'abc', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        db.session.commit()

        upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert "session_token" not in columns  # one session per device now: everyone signs in again
        people = {u.email: u for u in db.session.query(User)}
        assert all(u.joined_at is not None for u in people.values())  # they had passwords: they have joined
        assert people["cm@example.org"].must_set_up_two_factor  # staff set up two-factor at their next sign-in
        assert not people["h@example.org"].must_set_up_two_factor
        budget = db.session.query(Budget).one()
        assert budget.provider_accepted_at is not None and budget.ended_on is None  # the provider holds it already
        assert db.session.query(Representative).one().may_record_spending is True
        # Money held counts from the first period, on its opening balance.
        assert (budget.brought_forward_pence, budget.books_from) == (100000, date(2026, 5, 1))
        line = db.session.query(StatementLine).one()
        # Its fingerprint worked out again without the balance, as a CSV or OFX of it would give now.
        assert line.fingerprint == fingerprint_of(1, "2026-05-03", -34300, "agencyltd", 1)
        line.amount_pence = -9_999_999_900  # £99,999,999: the money columns are 64-bit
        db.session.commit()
        assert db.session.query(StatementLine).one().amount_pence == -9_999_999_900
        assert {"notification", "notification_setting", "standing_condition", "daily_run", "user_session",
                "recovery_code"} <= set(inspect(db.engine).get_table_names())

        line.amount_pence = -34300
        db.session.commit()
        db.session.remove()
        downgrade(revision="0007_account_tokens")  # and back, keeping the rows
        assert db.session.execute(text("SELECT count(*) FROM budget")).scalar() == 1
        assert db.session.execute(text("SELECT count(*) FROM user_account")).scalar() == 4
        db.session.remove()
        db.engine.dispose()
