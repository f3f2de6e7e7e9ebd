"""Migrations build the same schema as the models; the demo data loads once and works."""
from __future__ import annotations

import io

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from pbportal.demo import USERS
from pbportal.extensions import db

from .conftest import app_on

# Each test builds a database of its own (a SQLite file or a PostgreSQL schema) and commits to it for real.
pytestmark = pytest.mark.real_commits


def test_upgrade_on_an_empty_database_matches_the_models(empty_database, tmp_path):
    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"budget", "spending_entry", "audit_event", "receipt", "alembic_version"} <= tables
        # The append-only triggers come with the migration too.
        db.session.execute(text("INSERT INTO audit_event (at, action, object_type, data) "
                                "VALUES (CURRENT_TIMESTAMP, 'x', 'y', '{}')"))
        db.session.commit()
        with pytest.raises(DBAPIError):
            db.session.execute(text("DELETE FROM audit_event"))
            db.session.commit()
        db.session.rollback()
        downgrade(revision="base")
        assert "budget" not in inspect(db.engine).get_table_names()
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_demo_data_loads_once_and_every_demo_user_can_sign_in(empty_database, tmp_path):
    from pbportal.auth.models import User
    from pbportal.budget.models import Budget, BudgetLine
    from pbportal.spending.models import Receipt, SpendingEntry

    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        assert "Demo data loaded." in runner.invoke(args=["demo-data"]).output
        counts = (db.session.query(User).count(), db.session.query(SpendingEntry).count())
        assert "already present" in runner.invoke(args=["demo-data"]).output
        assert (db.session.query(User).count(), db.session.query(SpendingEntry).count()) == counts

        dp = db.session.query(Budget).join(User, Budget.holder_id == User.id).filter(
            User.email == "dp.holder@example.org").one()
        lines = db.session.query(BudgetLine).filter_by(budget_id=dp.id).count()
        assert 7 <= lines <= 9
        entries = db.session.query(SpendingEntry).filter_by(budget_id=dp.id).all()
        months = {(e.paid_on.year, e.paid_on.month) for e in entries}
        assert len(months) >= 6 and len(entries) > 50
        assert db.session.query(Receipt).filter_by(budget_id=dp.id).count() >= 2
        managed = db.session.query(Budget).filter_by(held_as="managed_account").all()
        assert len(managed) == 5 and {b.provider.name for b in managed} == {"Demo Managed Accounts"}
        ma = next(b for b in managed if b.holder.email == "ma.holder@example.org")
        from pbportal.employment.models import PayRecordEntry
        from pbportal.reviews.models import Review
        # Alex's PAs' pay and the payments to them are one story: every wage payment comes from a pay record.
        to_pas = [e for e in entries if e.payee in ("Maria Santos", "Tom Price")]
        from_pay = {r.entry_id for r in db.session.query(PayRecordEntry)}
        assert len(to_pas) >= 50 and all(e.id in from_pay for e in to_pas)
        for review in db.session.query(Review).all():  # the money as it stood on the day of each review
            assert 0 < review.spent_pence < review.plan_pence and 0 < review.expected_pence < review.plan_pence, (
                review.budget_id)
            assert review.received_pence > 0, review.budget_id

        homes = {
            "dp.holder@example.org": f"/budgets/{dp.id}", "rep@example.org": f"/budgets/{dp.id}",
            "ma.holder@example.org": f"/budgets/{ma.id}", "second.holder@example.org": None,
            "provider@example.org": "/accounts", "case.manager@example.org": "/caseload",
            "council.admin@example.org": "/organisation/staff", "provider.admin@example.org": "/organisation/staff",
        }
        homes |= {b.holder.email: f"/budgets/{b.id}" for b in managed}
        assert len(homes) == len(USERS) - 1  # everyone but the administrator
        for email, home in homes.items():
            client = app.test_client()
            r = client.post("/sign-in", data={"email": email, "password": "demo-password"})
            assert r.status_code == 303, email
            landing = client.get("/").location
            if home:
                assert landing == home, email
            assert client.get(landing).status_code == 200
        client = app.test_client()
        client.post("/sign-in", data={"email": "case.manager@example.org", "password": "demo-password"})
        page = client.get("/caseload").get_data(as_text=True)
        assert "5 people" in page and all(name in page for name in (
            "Alex Morgan", "Sam Okafor", "Priya Shah", "Margaret Ellis", "Hannah Whitfield"))
        assert "Daniel Osei" not in page  # funded by the NHS, not on Dana's caseload
        client = app.test_client()
        client.post("/sign-in", data={"email": "provider@example.org", "password": "demo-password"})
        page = client.get("/accounts").get_data(as_text=True)
        assert "5 people" in page and all(b.person_name in page for b in managed)
        client = app.test_client()
        client.post("/sign-in", data={"email": "second.holder@example.org", "password": "demo-password"})
        assert client.get(f"/budgets/{dp.id}").status_code == 404
        client = app.test_client()
        client.post("/sign-in", data={"email": "council.admin@example.org", "password": "demo-password"})
        page = client.get("/organisation/staff").get_data(as_text=True)
        assert "Demo Council" in page and "Dana Hughes" in page and "Rowan Clarke" in page
        assert "Chris Lee" not in page  # the provider's staff are the provider admin's
        db.session.remove()
        db.engine.dispose()


def test_demo_managed_account_is_matched_reconciled_and_has_a_statement_to_import(empty_database, tmp_path):
    """Priya's first statement is matched and its period closed, agreeing with the bank, with a return
    submitted; the provider can download the next statement, which imports and whose lines the rules learned
    from the first one suggest. Nobody else gets a sample, and the fixed example in demo_files reads too."""
    from pathlib import Path

    from pbportal.banking.matching import suggestions
    from pbportal.banking.models import LineComment, MatchRule, Statement, StatementLine
    from pbportal.banking.services import preview
    from pbportal.budget.models import Budget
    from pbportal.reconciliation.models import MonitoringReturn, ReconciliationPeriod
    from pbportal.reconciliation.periods import reconcile

    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        assert "Demo data loaded." in app.test_cli_runner().invoke(args=["demo-data"]).output
        ma = db.session.query(Budget).filter_by(person_name="Priya Shah").one()
        lines = db.session.query(StatementLine).filter_by(budget_id=ma.id).all()
        assert len(lines) > 40 and {ln.status for ln in lines} == {"matched"}
        assert db.session.query(Statement).filter_by(budget_id=ma.id).count() == 1
        rules = {r.pattern: r for r in db.session.query(MatchRule).filter_by(budget_id=ma.id)}
        assert rules["HOMECARE PARTNERS LTD REF INV"].uses > 10 and rules["OAKWOOD DAY CENTRE REF OAK"].uses > 10
        period = db.session.query(ReconciliationPeriod).filter_by(budget_id=ma.id).one()
        assert period.status == "closed" and period.starts_on == ma.plan_year_start
        assert reconcile(period).agrees and period.difference_pence == 0
        ret = db.session.query(MonitoringReturn).filter_by(budget_id=ma.id).one()
        assert ret.status == "submitted" and (ret.starts_on, ret.ends_on) == (period.starts_on, period.ends_on)
        assert ret.figures["closing_pence"] == period.statement_balance_pence
        assert db.session.query(LineComment).filter_by(budget_id=ma.id, status="answered").count() == 1
        others = db.session.query(Budget).filter(Budget.held_as == "managed_account", Budget.id != ma.id).all()
        ma_id, other_ids = ma.id, [b.id for b in others]

        client = app.test_client()
        client.post("/sign-in", data={"email": "provider@example.org", "password": "demo-password"})
        assert "Download a sample statement" in client.get(f"/budgets/{ma_id}/statements/import").get_data(
            as_text=True)
        r = client.get(f"/budgets/{ma_id}/statements/sample.csv")
        assert r.status_code == 200 and r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
        content = r.get_data()
        result = preview(ma_id, content)
        assert result.can_import and not result.parsed.balance_breaks and not result.already_held
        assert min(ln.line_date for ln in result.parsed.lines) > period.ends_on
        for other in other_ids:  # no sample for the other accounts
            assert "Download a sample" not in client.get(f"/budgets/{other}/statements/import").get_data(as_text=True)
            assert client.get(f"/budgets/{other}/statements/sample.csv").status_code == 404
        for email in ("ma.holder@example.org", "case.manager@example.org"):  # the provider's, like the import
            other = app.test_client()
            other.post("/sign-in", data={"email": email, "password": "demo-password"})
            assert other.get(f"/budgets/{ma_id}/statements/sample.csv").status_code == 404

        r = client.post(f"/budgets/{ma_id}/statements/import", data={"file": (io.BytesIO(content), "next.csv")},
                        content_type="multipart/form-data")
        assert r.status_code == 303
        assert client.post(r.location, data={}).status_code == 303
        ma = db.session.get(Budget, ma_id)
        todo = db.session.query(StatementLine).filter_by(budget_id=ma_id, status="unmatched").all()
        found = suggestions(ma, todo)
        assert {found[ln.id].kind for ln in todo if ln.id in found} >= {"line", "link"}
        unsuggested = {ln.description for ln in todo if ln.id not in found}
        assert any("ESCORT" in d for d in unsuggested) and any(d.startswith("TFR") for d in unsuggested)
        # Up to date now: no more sample.
        assert client.get(f"/budgets/{ma_id}/statements/sample.csv").status_code == 404
        assert "Download a sample" not in client.get(f"/budgets/{ma_id}/statements/import").get_data(as_text=True)

        fixed = (Path(__file__).resolve().parents[2] / "pbportal/demo_files/sample-statement.csv").read_bytes()
        example = preview(other_ids[0], fixed)
        assert example.can_import and not example.parsed.errors and not example.parsed.balance_breaks
        db.session.remove()
        db.engine.dispose()


def test_the_demo_sample_statement_is_up_to_date_once_imported_whatever_day_it_is(empty_database, tmp_path,
                                                                                   monkeypatch):
    """Days pass after the demo is loaded: on each, the next sample (if anything has gone through the account)
    imports whole, and then no sample is left until something new happens. (A CI run on a day with no
    transaction once found the sample still offered after import.)"""
    from datetime import timedelta

    from pbportal.auth.models import User
    from pbportal.banking.services import import_statement, preview
    from pbportal.budget.models import Budget
    from pbportal.demo import statements
    from pbportal.timeutil import today

    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo-data"])
        ma = db.session.query(Budget).filter_by(person_name="Priya Shah").one()
        provider = db.session.query(User).filter_by(email="provider@example.org").one()
        start, imported = today(), 0
        for days in range(10):
            monkeypatch.setattr(statements, "today", lambda d=start + timedelta(days=days): d)
            made = statements.sample_statement(ma)
            if made is None:
                continue
            filename, content = made
            checked = preview(ma.id, content)
            assert checked.can_import and not checked.already_held and not checked.parsed.balance_breaks, filename
            import_statement(ma.id, filename, content, provider, checked)
            db.session.commit()
            imported += 1
            assert statements.sample_statement(ma) is None, filename
        assert imported >= 2  # a week and more brings new transactions
        db.session.remove()
        db.engine.dispose()


def test_upgrade_from_the_foundation_release_keeps_data_and_seeds_rates(empty_database, tmp_path):
    from datetime import date

    from pbportal.employment.rates import StatutoryRate, seed_rows

    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0001_foundation")
        db.session.execute(text("INSERT INTO organisation (name, kind) VALUES ('Old Council', 'council')"))
        db.session.execute(text(
            "INSERT INTO user_account (email, name, password_hash, role, session_token, is_active_account, "
            "created_at) VALUES ('old@example.org', 'Old Holder', 'x', 'holder', 'tok', true, CURRENT_TIMESTAMP)"))
        db.session.execute(text(
            "INSERT INTO budget (person_name, holder_id, funder_id, held_as, plan_year_start, created_at) "
            "VALUES ('Old Holder', 1, 1, 'direct_payment', :start, CURRENT_TIMESTAMP)"), {"start": date(2026, 4, 1)})
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT person_name FROM budget")).scalar() == "Old Holder"
        seeded = {(r.kind, r.valid_from, r.value) for r in db.session.query(StatutoryRate)}
        assert seeded == {(r["kind"], r["valid_from"], r["value"]) for r in seed_rows()}
        db.session.remove()
        db.engine.dispose()
