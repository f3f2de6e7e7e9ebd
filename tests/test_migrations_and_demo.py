"""Migrations build the same schema as the models; the demo data loads once and works."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from pbportal import create_app
from pbportal.config import TestConfig
from pbportal.extensions import db

from .conftest import IsolatedClient


@pytest.fixture
def empty_database(request, database, tmp_path, worker_id):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if "PG_SCHEMA" not in database:
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.sqlite'}"}
        return
    schema = f"pbmigrate_{worker_id}"
    url = database["SQLALCHEMY_DATABASE_URI"]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield {"SQLALCHEMY_DATABASE_URI": url,
           "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _app(config, tmp_path):
    app = create_app(type("Config", (TestConfig,), dict(config, UPLOAD_DIR=str(tmp_path / "up"))))
    app.test_client_class = IsolatedClient
    return app


def test_upgrade_on_an_empty_database_matches_the_models(empty_database, tmp_path):
    app = _app(empty_database, tmp_path)
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

    app = _app(empty_database, tmp_path)
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
        ma = db.session.query(Budget).filter_by(held_as="managed_account").one()
        assert ma.provider.name == "Demo Managed Accounts"

        homes = {
            "dp.holder@example.org": f"/budgets/{dp.id}", "rep@example.org": f"/budgets/{dp.id}",
            "ma.holder@example.org": f"/budgets/{ma.id}", "second.holder@example.org": None,
            "provider@example.org": "/accounts", "case.manager@example.org": "/caseload",
        }
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
        assert "3 people" in page and "Alex Morgan" in page and "Sam Okafor" in page and "Priya Shah" in page
        client = app.test_client()
        client.post("/sign-in", data={"email": "second.holder@example.org", "password": "demo-password"})
        assert client.get(f"/budgets/{dp.id}").status_code == 404
        db.session.remove()
        db.engine.dispose()


def test_upgrade_from_the_foundation_release_keeps_data_and_seeds_rates(empty_database, tmp_path):
    from datetime import date

    from pbportal.employment.rates import StatutoryRate, seed_rows

    app = _app(empty_database, tmp_path)
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
