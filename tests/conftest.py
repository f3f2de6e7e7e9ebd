"""Fixtures: one app per xdist worker, on SQLite in memory or on PostgreSQL (--db=postgresql, a schema per worker).

A test's data goes away in one of two ways.

1. Rolled back (every test that uses `app`, unless marked). The test runs inside one transaction on one
   connection, rolled back at the end. `db.session` is swapped for a scoped session whose sessions are all bound
   to that connection with join_transaction_mode="create_savepoint": the test body's own session and the session
   of each request made through the test client (each request runs in its own app context, see IsolatedClient,
   so it gets its own session) work on savepoints inside the test's transaction. The app's commit() releases a
   savepoint and its rollback() rolls back to one, so the app behaves as it does in production, but nothing it
   commits outlives the test. Ids are not reset between tests (PostgreSQL sequences keep counting): use the ids
   of the rows a test made, never literal ones. On SQLite, pysqlite's own transaction handling is turned off
   for the test engine and BEGIN emitted on the engine's begin event (SQLAlchemy's recipe for SAVEPOINT on
   pysqlite), so savepoints roll back what they should.

2. Really committed (`@pytest.mark.real_commits`): for tests whose data must be seen from other connections or
   threads (tests/core/test_concurrency.py), or that build apps and databases of their own (tests/migrations,
   the Redis rate-limit test in tests/auth). `app` then runs on the plain engine with no outer transaction, and
   every shared table is emptied after the test, as before (SQLite: drop and create; PostgreSQL: TRUNCATE ...
   RESTART IDENTITY CASCADE), whether or not the test used `app`.

Either way, `app` resets the Flask-Limiter's counts before the test and puts `app.config` back after it. The
browser journeys (tests/e2e) run a live server on a database of their own; neither path applies to them.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, text

from pbportal import create_app
from pbportal.auth.models import Organisation, User
from pbportal.budget.models import Budget, BudgetLine, Plan, Representative
from pbportal.budget.services import annual_pence
from pbportal.config import TestConfig
from pbportal.extensions import db, limiter
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today, utcnow

from .mailserver import MailServer

PASSWORD = "correct horse battery"


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgresql"],
                     help="database to run the suite on (postgresql needs TEST_DATABASE_URL)")


def _pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("--db=postgresql needs TEST_DATABASE_URL", returncode=2)
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture(scope="session")
def database(request, worker_id):
    """Where tests' data lives. PostgreSQL: one schema per xdist worker, its tables made once."""
    if request.config.getoption("--db") == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
        return
    url = _pg_url()
    schema = f"pbtest_{worker_id}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    yield {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        "PG_SCHEMA": schema,
    }
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own `g` (so Flask-Login's cached
    user cannot leak between requests) and its own database session, not the test's."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _pysqlite_without_its_own_transactions(engine) -> None:
    """SQLAlchemy's recipe for SAVEPOINT on pysqlite ("Serializable isolation / Savepoints / Transactional DDL"):
    pysqlite's own BEGIN handling is turned off and BEGIN emitted when SQLAlchemy begins a transaction. For the
    test engines only. SQLite in memory is one connection, so two transactions begun on it at once fail loudly
    ("cannot start a transaction within a transaction") instead of one silently committing the other's work."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def make_app(database, upload_dir, **overrides):
    config = dict(database)
    config.update(UPLOAD_DIR=str(upload_dir), **overrides)
    app = create_app(type("Config", (TestConfig,), config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _pysqlite_without_its_own_transactions(db.engine)
        db.create_all()
    return app


def reset_database(app):
    """Empty every table (the audit log's triggers refuse DELETE, so truncate or recreate)."""
    with app.app_context():
        db.session.remove()
        if app.config.get("PG_SCHEMA"):
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.drop_all()
            db.create_all()
        db.session.remove()


class JoinedSession(FlaskSQLAlchemySession):
    """A session bound to the test's connection. Flask-SQLAlchemy's Session.get_bind picks an engine from the
    app's engines and ignores a `bind` given to the session itself, so honour that bind here."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def rolled_back():
    """Everything any session does in the block happens in one transaction on one connection, rolled back at
    the end (see the module's docstring). Needs an app context."""
    connection = db.engine.connect()
    transaction = connection.begin()
    app_sessions = db.session
    db.session = db._make_scoped_session(
        {"class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
    try:
        yield connection
    finally:
        db.session.remove()
        db.session = app_sessions
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def shared_app(database, tmp_path_factory):
    """One app per worker (so templates compile once)."""
    app = make_app(database, tmp_path_factory.mktemp("uploads"))
    yield app
    with app.app_context():
        db.session.remove()
        if app.config.get("PG_SCHEMA"):
            db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _real_commits(request):
    """Tests marked real_commits: the shared tables are emptied after them."""
    if request.node.get_closest_marker("real_commits") is None:
        yield
        return
    shared = request.getfixturevalue("shared_app")
    yield
    reset_database(shared)


@pytest.fixture
def app(request, shared_app, tmp_path):
    """The worker's app, in an app context, for one test: rolled back at the end, or (marked real_commits)
    committing for real."""
    config = dict(shared_app.config)
    shared_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    limiter.reset()
    try:
        with shared_app.app_context():
            if request.node.get_closest_marker("real_commits") is not None:
                yield shared_app
            else:
                with rolled_back():
                    yield shared_app
    finally:
        shared_app.config.clear()
        shared_app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, email, password=PASSWORD):
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


# ---- factories -------------------------------------------------------------------------------

def make_org(name, kind):
    org = Organisation(name=name, kind=kind)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(email, role, name=None, organisation=None, exempt=True):
    """A person who has joined. Staff are exempt from two-factor sign-in unless `exempt=False` (the two-factor
    tests), so that every other test signs in with a password alone."""
    user = User(email=email, name=name or email.split("@")[0].replace(".", " ").title(), role=role,
                organisation=organisation, two_factor_exempt=exempt)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def plan_start(day: date | None = None) -> date:
    """A plan year that started on the 1st of the month about four months ago."""
    day = day or today()
    month = day.month - 4
    year = day.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def make_budget(holder, funder, *, held_as="direct_payment", provider=None, case_manager=None, start=None,
                name=None):
    start = start or plan_start()
    budget = Budget(person_name=name or holder.name, holder=holder, funder=funder, held_as=held_as,
                    provider=provider, case_manager=case_manager, plan_year_start=start,
                    provider_accepted_at=utcnow() if provider is not None else None)
    db.session.add(budget)
    db.session.flush()
    plan = Plan(budget_id=budget.id, version=1, status="draft", starts_on=start)
    db.session.add(plan)
    db.session.flush()
    return budget


def make_line(budget, item="Personal assistant wages", *, category="pa_wages", unit="hour", quantity="10",
              unit_cost_pence=1271, frequency="weekly"):
    plan = db.session.query(Plan).filter_by(budget_id=budget.id).one()
    line = BudgetLine(budget_id=budget.id, plan_id=plan.id, item=item, outcome="", category=category, unit=unit,
                      quantity=Decimal(quantity), unit_cost_pence=unit_cost_pence, frequency=frequency,
                      annual_pence=annual_pence(unit_cost_pence, Decimal(quantity), frequency))
    db.session.add(line)
    db.session.flush()
    return line


def make_entry(budget, line, amount_pence=5000, *, paid_on=None, payee="Maria Santos", by=None, status="active"):
    entry = SpendingEntry(budget_id=budget.id, line_id=line.id, paid_on=paid_on or budget.plan_year_start,
                          amount_pence=amount_pence, payee=payee, category=line.category,
                          created_by_id=(by or budget.holder).id, status=status,
                          change_reason="" if status == "active" else "test")
    db.session.add(entry)
    db.session.flush()
    return entry


# The World's people by role, for tests that walk every route for every role.
ROLES = ["holder", "rep", "case_manager", "other_holder", "ma_holder", "staff", "other_staff",
         "other_case_manager", "admin"]
EMAIL = {
    "holder": "holder@example.org", "rep": "rep@example.org", "case_manager": "cm@example.org",
    "other_holder": "other@example.org", "ma_holder": "ma@example.org", "staff": "staff@example.org",
    "other_staff": "otherstaff@example.org", "other_case_manager": "othercm@example.org",
    "admin": "admin@example.org",
}
DP_READERS = {"holder", "rep", "case_manager"}
DP_WRITERS = {"holder", "rep"}
MA_READERS = {"ma_holder", "staff", "case_manager"}
MA_WRITERS = {"staff"}


@dataclass
class World:
    """Two direct-payment holders, a managed-account holder, and everyone around them."""

    council: Organisation
    provider_org: Organisation
    other_provider: Organisation
    holder: User
    other_holder: User
    ma_holder: User
    rep: User
    staff: User
    other_staff: User
    case_manager: User
    other_case_manager: User
    admin: User
    dp: Budget
    other_dp: Budget
    ma: Budget
    lines: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)


@pytest.fixture
def world(app):
    council = make_org("Test Council", "council")
    provider_org = make_org("Test Managed Accounts", "provider")
    other_provider = make_org("Other Managed Accounts", "provider")
    holder = make_user("holder@example.org", "holder", "Alex Holder")
    other_holder = make_user("other@example.org", "holder", "Olive Other")
    ma_holder = make_user("ma@example.org", "holder", "Mo Managed")
    rep = make_user("rep@example.org", "representative", "Rita Rep")
    staff = make_user("staff@example.org", "provider_staff", "Stan Staff", provider_org)
    other_staff = make_user("otherstaff@example.org", "provider_staff", "Oscar Staff", other_provider)
    cm = make_user("cm@example.org", "case_manager", "Cara Case", council)
    other_cm = make_user("othercm@example.org", "case_manager", "Otto Case", council)
    admin = make_user("admin@example.org", "admin", "Ada Admin")
    dp = make_budget(holder, council, case_manager=cm)
    other_dp = make_budget(other_holder, council, case_manager=other_cm)
    ma = make_budget(ma_holder, council, held_as="managed_account", provider=provider_org, case_manager=cm)
    db.session.add(Representative(budget_id=dp.id, user_id=rep.id, kind="nominated"))
    w = World(council, provider_org, other_provider, holder, other_holder, ma_holder, rep, staff, other_staff,
              cm, other_cm, admin, dp, other_dp, ma)
    w.lines["wages"] = make_line(dp)
    w.lines["gym"] = make_line(dp, "Gym", category="day_activities", unit="month", quantity="1",
                               unit_cost_pence=3000, frequency="monthly")
    w.lines["other"] = make_line(other_dp, "Other person's wages")
    w.lines["ma"] = make_line(ma, "Agency care", category="agency_care")
    w.entries["dp"] = make_entry(dp, w.lines["wages"], 12000)
    w.entries["other"] = make_entry(other_dp, w.lines["other"], 9900, payee="Somebody Else")
    w.entries["ma"] = make_entry(ma, w.lines["ma"], 7000, payee="Agency Ltd", by=staff)
    db.session.commit()
    return w


@pytest.fixture
def staff(client, world):
    """The client, signed in as the provider's staff member (Stan Staff)."""
    login(client, EMAIL["staff"])
    return client


@pytest.fixture
def holder(client, world):
    """The client, signed in as the direct-payment holder (Alex Holder)."""
    login(client, EMAIL["holder"])
    return client


@pytest.fixture
def acct(world):
    """world.ma with a statement imported: the lines the matching tests work on (see tests/banking/helpers.py)."""
    from .banking.helpers import make_account  # here, not at the top: banking.helpers imports this module

    return make_account(world)


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


# ---- email ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail(app, mail_server):
    """The app sending to the test's SMTP server."""
    mail_server.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port)
    yield mail_server
    mail_server.clear()
    app.config.update(MAIL_SERVER="", MAIL_PORT=25)
