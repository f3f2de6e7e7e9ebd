#!/usr/bin/env python
"""pbportal provider benchmark: a managed-account provider's round at scale.

Seeds a big provider (2,000 managed accounts, 500,000 spending entries in all, money in, unmatched statement
lines, closed reconciliation periods) and a small one (30 accounts, 10 entries each) in the same database, then,
signed in as each provider's staff, drives the app through Flask's test client:

  (1) GET  /accounts                   page 1, a later page, and the htmx partial           (timed, repeated)
  (2) POST /budgets/<id>/statements/import, GET the check page, POST it: a 10,000-line CSV statement
  (3) POST /budgets/<id>/matching/<line>/match once per payee (rules are learned), then
      GET  /budgets/<id>/matching and POST .../matching/accept?every=1, page by page, until all is matched
  (4) POST /budgets/<id>/reconciliation (a period covering the statement), GET the period page, close it

The GET pages are timed repeatedly (median, p95, SQL queries, bytes, tracemalloc peak); the import, matching and
reconciliation steps once (matching: per page, with lines per second). The query count of every repeated GET
must be the same for the big and the small provider (and for every request): if not, something runs a query per
account or per line shown (N+1) and the script exits with status 1.

    python bench/bench_provider.py                               # temporary SQLite file
    python bench/bench_provider.py --database-url postgresql://postgres@127.0.0.1:5432/test

Results go to stdout as tables and to bench-results/provider-latest.json.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench import PASSWORD, Database, QueryCounter, Route, _expect, _git_commit, _percentile, _table, measure  # noqa: E402
from pbportal import create_app  # noqa: E402
from pbportal.auth.models import Organisation, User  # noqa: E402
from pbportal.banking.models import Statement, StatementLine  # noqa: E402
from pbportal.budget.models import Budget, BudgetLine, MoneyIn, Plan  # noqa: E402
from pbportal.budget.services import annual_pence  # noqa: E402
from pbportal.config import TestConfig  # noqa: E402
from pbportal.extensions import db, limiter  # noqa: E402
from pbportal.reconciliation.models import ReconciliationPeriod  # noqa: E402
from pbportal.spending.models import SpendingEntry  # noqa: E402
from pbportal.timeutil import today as uk_today  # noqa: E402

UTC = timezone.utc
COUNCIL = "Bench Council"  # statement lines naming it ("BENCH COUNCIL ...") are suggested as the funder's money
PAGE_SIZE = TestConfig.PAGE_SIZE

# Each account's plan: item, category, unit, quantity, unit cost (pence), frequency.
LINES = [
    ("Personal assistant wages", "pa_wages", "hour", "20", 1250, "weekly"),
    ("Homecare agency", "agency_care", "hour", "6", 2450, "weekly"),
    ("Day activities and transport", "day_activities", "week", "1", 4500, "weekly"),
    ("Managed account fee", "fees", "month", "1", 3500, "monthly"),
]
SEED_PAYEES = ["Maria Santos", "Homecare Partners Ltd", "Riverside Arts Club", "A2B Taxis", "Bench Managed Accounts",
               "Tom Price", "Leisure Centre", "Bright Care Agency"]
GIVEN = ["Aisha", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Leah", "Mo",
         "Nia", "Owen", "Priya", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Vic", "Wes", "Yara", "Zac"]
FAMILY = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Fischer", "Green", "Hughes", "Iqbal", "Jones", "Khan",
          "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Shah", "Taylor", "Usman", "Vaughan",
          "Walker", "Young", "Zielinski"]

# The statement's payees: description stem, typical amount out (pence), the plan line's category it is for.
CSV_PAYEES = [
    ("MARIA SANTOS PA WAGES", 24000, "pa_wages"), ("TOM PRICE PA WAGES", 18000, "pa_wages"),
    ("KEMI ADEYEMI PA WAGES", 15000, "pa_wages"), ("HMRC PAYE NIC", 9000, "pa_wages"),
    ("NEST PENSIONS DD", 2500, "pa_wages"), ("PAYROLL PLUS LTD", 750, "pa_wages"),
    ("CARERS COVER INSURANCE", 4200, "pa_wages"), ("DBS ONLINE CHECKS", 3800, "pa_wages"),
    ("HOMECARE PARTNERS LTD", 34300, "agency_care"), ("BRIGHT CARE AGENCY", 29000, "agency_care"),
    ("SEAVIEW RESPITE HOUSE", 45000, "agency_care"), ("NIGHT SITTERS CIC", 12000, "agency_care"),
    ("RIVERSIDE ARTS CLUB", 2500, "day_activities"), ("LEISURE CENTRE SWIM", 650, "day_activities"),
    ("A2B TAXIS", 1400, "day_activities"), ("STAGECOACH BUS", 480, "day_activities"),
    ("TRAINLINE TICKETS", 2350, "day_activities"), ("ODEON CINEMA", 1100, "day_activities"),
    ("COMMUNITY GARDEN PROJECT", 900, "day_activities"), ("MENCAP SOCIAL CLUB", 1500, "day_activities"),
    ("TESCO STORES", 3200, "day_activities"), ("SAINSBURYS", 2800, "day_activities"),
    ("BOOTS PHARMACY", 850, "day_activities"), ("AMAZON MKTPLACE", 1999, "day_activities"),
    ("MOBILITY DIRECT", 6500, "day_activities"), ("POST OFFICE", 300, "day_activities"),
    ("CITY FARM DAY PASS", 700, "day_activities"), ("BENCH MANAGED ACCOUNTS FEE", 3500, "fees"),
    ("BANK CHARGES", 500, "fees"),
]


# ---- small helpers ---------------------------------------------------------------------------

def _noon(day: date, n: int = 0) -> datetime:
    return datetime.combine(day, dtime(12, 0), tzinfo=UTC) + timedelta(seconds=n)


def _pounds(pence: int) -> str:
    return f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _date_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), or the process's ru_maxrss where /proc is not there."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssPhases:
    """Peak RSS per phase: Linux lets a process reset its own high-water mark (echo 5 > /proc/self/clear_refs)."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self.overall = 0.0
        self.resettable = self._reset()

    @staticmethod
    def _reset() -> bool:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def end(self, name: str) -> float:
        peak = _peak_rss_mb()
        self.phases[name] = round(peak, 1)
        self.overall = max(self.overall, peak)
        if self.resettable:
            self._reset()
        return peak


# ---- seeding ---------------------------------------------------------------------------------

@dataclass
class Org:
    """One provider and what was seeded for it."""

    label: str
    name: str
    staff_email: str
    accounts: int
    entries_per_account: int
    statement_lines_per_account: int
    import_lines: int
    org_id: int = 0
    staff_id: int = 0
    budget_ids: list[int] = field(default_factory=list)
    import_budget_id: int = 0  # the account the CSV is imported into, matched and reconciled
    spare_budget_id: int = 0  # a second account, for the import measured with tracemalloc
    line_ids: dict[int, dict[str, int]] = field(default_factory=dict)  # budget id -> category -> line id
    money_in_rows: int = 0
    statement_line_rows: int = 0
    closed_periods: int = 0
    # Set as the run goes on.
    period_path: str = ""
    matching_last_page: int = 1
    statements_last_page: int = 1

    @property
    def budget_id(self) -> int:  # bench.measure's routes call with the "holder"; here the org
        return self.import_budget_id

    @property
    def later_page(self) -> int:
        """A page of /accounts after the first: the middle one (page 50 of 100), or the last for a small list."""
        pages = max(1, math.ceil(self.accounts / PAGE_SIZE))
        return max(2, pages // 2) if pages > 2 else pages


def _insert_returning(model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows).all())


def seed_org(org: Org, council: Organisation, case_manager: User, today: date, start: date,
             chunk: int = 100) -> None:
    """Core bulk inserts (executemany), a chunk of accounts at a time so memory stays flat."""
    provider = Organisation(name=org.name, kind="provider")
    db.session.add(provider)
    db.session.flush()
    # Exempt from two-factor sign-in, as the demo's staff are: the benchmark signs in with a password only.
    staff = User(email=org.staff_email, name=f"{org.label.title()} Provider Staff", role="provider_staff",
                 organisation_id=provider.id, two_factor_exempt=True)
    staff.set_password(PASSWORD)
    db.session.add(staff)
    db.session.flush()
    org.org_id, org.staff_id = provider.id, staff.id
    now = datetime.now(UTC)

    holder_ids = _insert_returning(User, [
        {"email": f"{org.label}.holder.{i}@example.org", "name": f"Holder {i}", "password_hash": "!",
         "role": "holder", "organisation_id": None, "session_token": secrets.token_urlsafe(24),
         "is_active_account": True, "created_at": now} for i in range(org.accounts)])
    names = [f"{GIVEN[(i * 7) % len(GIVEN)]} {FAMILY[(i * 11 + i // 25) % len(FAMILY)]}" for i in range(org.accounts)]
    org.budget_ids = _insert_returning(Budget, [
        {"person_name": names[i], "holder_id": holder_ids[i], "funder_id": council.id, "held_as": "managed_account",
         "provider_id": provider.id, "case_manager_id": case_manager.id, "plan_year_start": start,
         "next_review_due": today + timedelta(days=(i * 13) % 200 - 30), "created_at": now}
        for i in range(org.accounts)])
    org.import_budget_id, org.spare_budget_id = org.budget_ids[0], org.budget_ids[1]
    plan_ids = _insert_returning(Plan, [
        {"budget_id": bid, "version": 1, "status": "agreed", "starts_on": start, "created_at": now,
         "agreed_by_id": case_manager.id, "agreed_at": _noon(start)} for bid in org.budget_ids])
    line_rows = [
        {"budget_id": bid, "plan_id": pid, "root_line_id": None, "item": item, "outcome": "", "category": category,
         "unit": unit, "quantity": qty, "unit_cost_pence": cost, "frequency": freq,
         "annual_pence": annual_pence(cost, Decimal(qty), freq), "position": pos,
         "created_at": now, "updated_at": now}
        for bid, pid in zip(org.budget_ids, plan_ids, strict=True)
        for pos, (item, category, unit, qty, cost, freq) in enumerate(LINES, start=1)]
    line_ids = _insert_returning(BudgetLine, line_rows)
    for row, line_id in zip(line_rows, line_ids, strict=True):
        org.line_ids.setdefault(row["budget_id"], {})[row["category"]] = line_id

    span = (today - start).days - 1  # entries spread over every day since the plan began
    for first in range(0, org.accounts, chunk):
        entries, money_in, statements, st_lines, periods = [], [], [], [], []
        for i in range(first, min(first + chunk, org.accounts)):
            bid = org.budget_ids[i]
            lines = org.line_ids[bid]
            categories = list(lines)
            for k in range(org.entries_per_account):
                day = start + timedelta(days=1 + k * span // org.entries_per_account + (i + k) % 3)
                voided = k % 50 == 7
                category = categories[k % len(categories)]
                entries.append({
                    "budget_id": bid, "line_id": lines[category], "paid_on": min(day, today),
                    "amount_pence": 1000 + (k * 37 + i * 13) % 9000, "payee": SEED_PAYEES[(k + i) % len(SEED_PAYEES)],
                    "category": category, "note": "", "receipt_id": None, "statement_line_id": None,
                    "from_statement": False, "status": "voided" if voided else "active", "corrects_id": None,
                    "change_reason": "Recorded twice" if voided else "", "created_by_id": org.staff_id,
                    "created_at": _noon(day, k), "changed_by_id": org.staff_id if voided else None,
                    "changed_at": _noon(day, k + 1) if voided else None})
            day = start
            while day <= today:  # the council pays every four weeks
                money_in.append({"budget_id": bid, "received_on": day, "amount_pence": 180000 + (i % 7) * 1000,
                                 "source": "funder", "note": "4-weekly payment", "statement_line_id": None,
                                 "from_statement": False, "status": "active", "change_reason": "",
                                 "created_by_id": org.staff_id, "created_at": _noon(day), "changed_by_id": None,
                                 "changed_at": None})
                day += timedelta(weeks=4)
            if i >= 2 and org.statement_lines_per_account:  # the import and spare accounts start without any
                statements.append((i, bid))
            if i % 5 == 3:  # a fifth of the accounts: three closed monthly periods before the statement lines
                for p in range(3):
                    ends = today - timedelta(days=31 + 30 * (2 - p))
                    periods.append({
                        "budget_id": bid, "starts_on": ends - timedelta(days=29), "ends_on": ends,
                        "opening_balance_pence": 100000 + p * 5000, "statement_balance_pence": 105000 + p * 5000,
                        "status": "closed", "money_in_pence": 180000, "money_out_pence": 175000,
                        "difference_pence": 0, "explanation": "", "version": 2, "created_by_id": org.staff_id,
                        "created_at": _noon(ends), "closed_by_id": org.staff_id, "closed_at": _noon(ends, 60)})
        db.session.execute(insert(SpendingEntry.__table__), entries)
        db.session.execute(insert(MoneyIn.__table__), money_in)
        if periods:
            db.session.execute(insert(ReconciliationPeriod.__table__), periods)
        n = org.statement_lines_per_account
        if statements:
            first_day, last_day = today - timedelta(days=29), today - timedelta(days=1)
            statement_ids = _insert_returning(Statement, [
                {"budget_id": bid, "filename": "seeded.csv", "sha256": "0" * 64, "first_date": first_day,
                 "last_date": last_day, "lines_imported": n, "lines_already_held": 0,
                 "closing_balance_pence": 150000 + (i % 11) * 1234 - sum(1000 + (k * 53) % 5000 for k in range(n)),
                 "imported_by_id": org.staff_id, "imported_at": now} for i, bid in statements])
            for (i, bid), statement_id in zip(statements, statement_ids, strict=True):
                balance = 150000 + (i % 11) * 1234
                for k in range(n):
                    amount = -(1000 + (k * 53) % 5000)
                    balance += amount
                    st_lines.append({
                        "budget_id": bid, "statement_id": statement_id,
                        "line_date": first_day + timedelta(days=k * 28 // n), "description": f"{CSV_PAYEES[k % 29][0]} "
                        f"REF {1000 + k}", "amount_pence": amount, "balance_pence": balance,
                        "fingerprint": hashlib.sha256(f"{bid}|seed|{k}".encode()).hexdigest(), "status": "unmatched",
                        "version": 1, "note": "", "changed_by_id": None, "changed_at": None})
            db.session.execute(insert(StatementLine.__table__), st_lines)
        org.money_in_rows += len(money_in)
        org.statement_line_rows += len(st_lines)
        org.closed_periods += len(periods)


def seed(app, orgs: list[Org]) -> dict:
    today = uk_today()
    start = today - timedelta(days=540)  # the first plan year began 18 months ago; the current one 6 months ago
    with app.app_context():
        db.create_all()
        council = Organisation(name=COUNCIL, kind="council")
        db.session.add(council)
        db.session.flush()
        case_manager = User(email="bench.cm@example.org", name="Bench Case Manager", role="case_manager",
                            organisation_id=council.id, two_factor_exempt=True)
        case_manager.set_password(PASSWORD)
        db.session.add(case_manager)
        db.session.flush()
        for org in orgs:
            seed_org(org, council, case_manager, today, start)
        db.session.commit()
        counts = dict(db.session.execute(
            select(Budget.provider_id, func.count(SpendingEntry.id)).join(SpendingEntry, SpendingEntry.budget_id ==
                                                                         Budget.id).group_by(Budget.provider_id)).all())
        for org in orgs:
            assert counts[org.org_id] == org.accounts * org.entries_per_account, (org.label, counts)
        totals = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Budget, BudgetLine, SpendingEntry, MoneyIn, StatementLine, ReconciliationPeriod)}
    return {"today": today.isoformat(), "plan_start": start.isoformat(), "rows": totals}


# ---- the statement file -----------------------------------------------------------------------

@dataclass
class StatementFile:
    content: bytes
    lines: int
    first: date
    last: date
    opening_pence: int
    closing_pence: int
    money_in_lines: int


def make_statement(n_lines: int, first: date, last: date, rng: random.Random, opening: int = 200000) -> StatementFile:
    """Date,Description,Amount,Balance, oldest first, with a running balance: the council pays every 14 days
    enough for the fortnight; the rest are payments out to CSV_PAYEES (the first 29 cover every payee once)."""
    days = (last - first).days + 1
    paydays = list(range(0, days, 14))
    n_out = n_lines - len(paydays)
    outs = []
    for j in range(n_out):
        stem, typical, _ = CSV_PAYEES[j] if j < len(CSV_PAYEES) else rng.choice(CSV_PAYEES)
        amount = max(100, int(typical * rng.uniform(0.8, 1.2)))
        outs.append((first + timedelta(days=min(days - 1, j * days // n_out)), f"{stem} REF {10000 + j}", -amount))
    by_fortnight: dict[int, int] = {}
    for day, _, amount in outs:
        by_fortnight[(day - first).days // 14] = by_fortnight.get((day - first).days // 14, 0) - amount
    ins = [(first + timedelta(days=d), f"BENCH COUNCIL DP PAYMENT REF {5000 + n}",
            (by_fortnight.get(d // 14, 0) // 10000 + 1) * 10000) for n, d in enumerate(paydays)]
    rows = sorted(ins + outs, key=lambda r: (r[0], r[2] < 0))  # on a payday the money arrives first
    out = io.StringIO()
    out.write("Date,Description,Amount,Balance\r\n")
    balance = opening
    for day, description, amount in rows:
        balance += amount
        out.write(f"{day:%d/%m/%Y},{description},{_pounds(amount)},{_pounds(balance)}\r\n")
    return StatementFile(out.getvalue().encode("utf-8"), len(rows), rows[0][0], rows[-1][0], opening, balance,
                         len(ins))


# ---- measuring single steps --------------------------------------------------------------------

class TimedCounter(QueryCounter):
    """bench.QueryCounter that also keeps each statement's time and parameters (to name and EXPLAIN the slowest)."""

    def __init__(self, engine):
        self.timed: list[tuple[float, str, object]] = []
        self._params = None
        super().__init__(engine)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        super()._seen(conn, cursor, statement, parameters, context, executemany)
        self._params = None if executemany else parameters

    def _done(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - self._started
        self.seconds += elapsed
        self.timed.append((elapsed * 1000, statement, self._params))

    def reset(self) -> None:
        super().reset()
        self.timed = []


def slowest(app, client, org, route, counter: TimedCounter, explain: bool, top: int = 3) -> list[dict]:
    """One more request: its slowest statements, and the plan of the slowest SELECT."""
    counter.reset()
    route.call(client, org).get_data()
    ranked = sorted(counter.timed, key=lambda t: -t[0])[:top]
    found = [{"ms": round(ms, 2), "sql": " ".join(sql.split())[:1500]} for ms, sql, _ in ranked]
    if explain and ranked and ranked[0][1].lstrip().upper().startswith("SELECT"):
        _, sql, params = ranked[0]
        with app.app_context(), db.engine.connect() as conn:
            prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            try:
                rows = conn.exec_driver_sql(prefix + sql, params if params is not None else ()).all()
                found[0]["plan"] = [" | ".join(str(c) for c in row) for row in rows]
            except Exception as err:  # noqa: BLE001 - a plan is a nice-to-have
                found[0]["plan"] = [f"(no plan: {err})"]
    counter.reset()
    return found


class Steps:
    """Requests made once (import, each matching page, reconciliation): time, queries, status."""

    def __init__(self, counter: QueryCounter):
        self.counter = counter
        self.rows: list[dict] = []
        self.failures: list[str] = []

    def run(self, org: Org, step: str, call, want_status: int, *needles: str, keep: bool = True):
        self.counter.reset()
        started = time.perf_counter()
        response = call()
        ms = (time.perf_counter() - started) * 1000
        queries, sql_ms = self.counter.count, self.counter.seconds * 1000
        statements = list(self.counter.statements)
        body = response.get_data(as_text=True)
        problem = None
        if response.status_code != want_status:
            problem = f"status {response.status_code}, wanted {want_status}"
        else:
            problem = next((f"response lacks {n!r}" for n in needles if n not in body), None)
        if problem:
            self.failures.append(f"{org.label} {step}: {problem}")
            print(f"FAILED {org.label} {step}: {problem}\n{body[:1500]}", file=sys.stderr)
        top = max(getattr(self.counter, "timed", []) or [(0.0, "", None)], key=lambda t: t[0])
        row = {"org": org.label, "step": step, "ms": round(ms, 1), "queries": queries, "sql_ms": round(sql_ms, 1),
               "status": response.status_code, "bytes": len(response.get_data()),
               "slowest_sql": {"ms": round(top[0], 2), "sql": " ".join(top[1].split())[:600]},
               "sql": [" ".join(s.split())[:300] for s in statements[:60]]}
        if keep:
            self.rows.append(row)
        return response, row


def import_statement_flow(client, org: Org, steps: Steps, budget_id: int, csv: StatementFile, label: str = "") -> None:
    """Upload → check page → import, as the provider's browser does it."""
    suffix = f" {label}" if label else ""
    r, _ = steps.run(org, f"import: POST upload{suffix}", lambda: client.post(
        f"/budgets/{budget_id}/statements/import", data={"file": (io.BytesIO(csv.content), "statement.csv")},
        content_type="multipart/form-data"), 303)
    check = r.headers.get("Location", "")
    steps.run(org, f"import: GET check page{suffix}", lambda: client.get(check), 200,
              "Check the statement", "Import these lines")
    steps.run(org, f"import: POST import{suffix}", lambda: client.post(check, data={}), 303)


def traced_import(client, org: Org, csv: StatementFile) -> dict:
    """The same flow into a second account with tracemalloc on (slower, so not timed)."""
    found = {}
    r = client.post(f"/budgets/{org.spare_budget_id}/statements/import",
                    data={"file": (io.BytesIO(csv.content), "statement.csv")}, content_type="multipart/form-data")
    check = r.headers["Location"]
    for key, call in (("check_page", lambda: client.get(check)), ("import", lambda: client.post(check, data={}))):
        gc.collect()
        tracemalloc.start()
        response = call()
        response.get_data()
        found[f"{key}_alloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
        tracemalloc.stop()
        if response.status_code not in (200, 303):
            raise SystemExit(f"traced import {key}: status {response.status_code}")
    return found


def teach(app, client, org: Org, steps: Steps) -> int:
    """Match the first line of each payee to its budget line by hand: the rules learned suggest the rest."""
    budget_id = org.import_budget_id
    categories = {stem: category for stem, _, category in CSV_PAYEES}
    with app.app_context():
        rows = db.session.execute(select(StatementLine.id, StatementLine.version, StatementLine.description)
                                  .where(StatementLine.budget_id == budget_id, StatementLine.amount_pence < 0)
                                  .order_by(StatementLine.line_date, StatementLine.id)).all()
    firsts: dict[str, tuple[int, int]] = {}
    for line_id, version, description in rows:
        stem = description.rsplit(" REF ", 1)[0]
        firsts.setdefault(stem, (line_id, version))
    for stem, (line_id, version) in firsts.items():
        target = org.line_ids[budget_id][categories[stem]]
        steps.run(org, "match: POST one line by hand (teach)", lambda line_id=line_id, version=version,
                  target=target: client.post(f"/budgets/{budget_id}/matching/{line_id}/match",
                                             data={"version": str(version), "target": str(target), "payee": ""}), 303)
    return len(firsts)


EVERY = re.compile(r'name="every" value="(\d+:\d+)"')


def accept_everything(app, client, org: Org, steps: Steps, http_pages: int | None) -> dict:
    """Page 1 of the lines to match, accept every suggestion on it, again, until none is left; after http_pages
    pages the rest goes through matching.accept_all directly, 500 lines at a time."""
    budget_id = org.import_budget_id
    gets, posts, accepted, page, pages_done = [], [], 0, 1, 0
    began = time.perf_counter()
    while http_pages is None or pages_done < http_pages:
        r, get_row = steps.run(org, "match: GET page to accept", lambda page=page: client.get(
            f"/budgets/{budget_id}/matching?page={page}"), 200, 'id="match-list"', keep=False)
        body = r.get_data(as_text=True)
        values = EVERY.findall(body)
        rows_on_page = body.count('<li class="pb-match"')
        if not rows_on_page:
            break
        gets.append(get_row)
        if not values:  # nothing suggested here: look further on
            page += 1
            continue
        _, post_row = steps.run(org, "match: POST accept every suggestion on the page", lambda page=page,
                                values=values: client.post(f"/budgets/{budget_id}/matching/accept?every=1",
                                                           data={"every": values, "page": str(page)}), 303,
                                keep=False)
        post_row["lines"] = len(values)
        posts.append(post_row)
        accepted += len(values)
        pages_done += 1
        if len(values) < rows_on_page:
            page += 1  # the lines without a suggestion stay where they were
    http_seconds = time.perf_counter() - began
    direct = {"lines": 0, "seconds": 0.0, "queries": 0}
    if http_pages is not None:
        from pbportal.banking import matching

        with app.app_context():
            budget = db.session.get(Budget, budget_id)
            actor = db.session.get(User, org.staff_id)
            began = time.perf_counter()
            steps.counter.reset()
            while True:
                todo = db.session.execute(select(StatementLine.id, StatementLine.version).where(
                    StatementLine.budget_id == budget_id, StatementLine.status == "unmatched")
                    .order_by(StatementLine.line_date, StatementLine.id).limit(500)).all()
                if not todo:
                    break
                direct["lines"] += matching.accept_all(budget, [(i, v) for i, v in todo], actor)
                db.session.commit()
            direct["seconds"] = round(time.perf_counter() - began, 2)
            direct["queries"] = steps.counter.count
    with app.app_context():
        left = db.session.scalar(select(func.count()).where(StatementLine.budget_id == budget_id,
                                                            StatementLine.status == "unmatched"))
    if left:
        steps.failures.append(f"{org.label} matching: {left} lines were left without a suggestion to accept")

    def stats(rows, key):
        values = [r[key] for r in rows]
        return {"median": round(statistics.median(values), 1), "p95": round(_percentile(values, 95), 1),
                "max": max(values)} if values else None

    post_lines = sum(p["lines"] for p in posts)
    post_ms = sum(p["ms"] for p in posts)
    return {
        "http_pages": len(posts), "accepted_http": accepted, "accepted_direct": direct["lines"], "left": left,
        "http_seconds": round(http_seconds, 2),
        "lines_per_second_http": round(accepted / http_seconds, 1) if http_seconds else None,
        "lines_per_second_post_only": round(post_lines / (post_ms / 1000), 1) if post_ms else None,
        "get_ms": stats(gets, "ms"), "get_queries": stats(gets, "queries"),
        "post_ms": stats(posts, "ms"), "post_queries": stats(posts, "queries"),
        "queries_per_accepted_line": round(sum(p["queries"] for p in posts) / post_lines, 2) if post_lines else None,
        "direct": direct,
        "lines_per_second_direct": round(direct["lines"] / direct["seconds"], 1) if direct["seconds"] else None,
        "example_post_sql": posts[0]["sql"] if posts else [],
    }


def open_period(client, org: Org, steps: Steps, csv: StatementFile) -> None:
    r, _ = steps.run(org, "reconcile: POST open the period", lambda: client.post(
        f"/budgets/{org.import_budget_id}/reconciliation",
        data={"starts_on": _date_parts(csv.first), "ends_on": _date_parts(csv.last),
              "opening": _pounds(csv.opening_pence), "statement": _pounds(csv.closing_pence)}), 303)
    org.period_path = r.headers.get("Location", "").replace("http://localhost", "")


def close_period(client, org: Org, steps: Steps, csv: StatementFile) -> None:
    page = client.get(org.period_path).get_data(as_text=True)
    version = re.search(r'name="close-version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="close-version"', page)
    steps.run(org, "reconcile: POST close the period", lambda: client.post(org.period_path, data={
        "close-version": version.group(1) if version else "1", "close-statement": _pounds(csv.closing_pence),
        "close-explanation": "Payments recorded before the statement arrived are not on it (bench data)."}), 303)


# ---- the repeated GETs ------------------------------------------------------------------------------

def _get(path, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return lambda client, org: client.get(path(org), headers=headers)


ACCOUNTS = [
    Route("a1_accounts", "GET /accounts", _get(lambda o: "/accounts"),
          _expect(200, 'id="budget-table"', "<html")),
    Route("a2_accounts_later", "GET /accounts?page=<later>", _get(lambda o: f"/accounts?page={o.later_page}"),
          _expect(200, 'id="budget-table"', "<html")),
    Route("a3_accounts_htmx", "GET /accounts  HX", _get(lambda o: "/accounts", htmx=True),
          _expect(200, 'id="budget-table"')),
]
MATCHING = [
    Route("m1_matching", "GET /budgets/<id>/matching", _get(lambda o: f"/budgets/{o.import_budget_id}/matching"),
          _expect(200, 'id="match-list"', 'name="every"', "<html")),
    Route("m2_matching_htmx", "GET /budgets/<id>/matching  HX",
          _get(lambda o: f"/budgets/{o.import_budget_id}/matching", htmx=True), _expect(200, 'id="match-list"')),
]
STATEMENTS = [
    Route("s1_statement_lines", "GET /budgets/<id>/statements?page=<last>",
          _get(lambda o: f"/budgets/{o.import_budget_id}/statements?page={o.statements_last_page}"),
          _expect(200, "<html")),
]
MATCHED = [
    Route("m3_matched_last", "GET /budgets/<id>/matching?show=all&p=<last>",
          _get(lambda o: f"/budgets/{o.import_budget_id}/matching?show=all&page={o.matching_last_page}"),
          _expect(200, 'id="match-list"', "Matched to")),
]
PERIOD_OPEN = [
    Route("r1_period_open", "GET /budgets/<id>/reconciliation/<p> open", _get(lambda o: o.period_path),
          _expect(200, "The books against the bank", "Close the period")),
]
PERIOD_CLOSED = [
    Route("r2_period_closed", "GET /budgets/<id>/reconciliation/<p> closed", _get(lambda o: o.period_path),
          _expect(200, "The books against the bank", "Reopen the period")),
]
ROUTES = ACCOUNTS + MATCHING + STATEMENTS + MATCHED + PERIOD_OPEN + PERIOD_CLOSED


def sign_in(app, org: Org):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": org.staff_email, "password": PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"signing in as {org.staff_email} failed: {response.status_code}")
    return client


def _retrying_measure(clients, orgs, route, counter, iterations, warmup, attempts=3):
    """/accounts is being changed by others in parallel: a transient error is retried after a pause."""
    for attempt in range(attempts):
        try:
            return measure(clients, orgs, route, counter, iterations, warmup)
        except SystemExit as err:
            if attempt == attempts - 1 or not route.key.startswith("a"):
                raise
            print(f"  {route.label}: {str(err)[:200]} — retrying in 60 s", file=sys.stderr)
            time.sleep(60)
    raise AssertionError("unreachable")


# ---- reporting ------------------------------------------------------------------------------------

def _steps_table(rows: list[dict]) -> list[str]:
    head = f"{'step':<52}{'org':<7}{'ms':>10}{'queries':>9}{'SQL ms':>9}{'status':>8}"
    out = [head, "-" * len(head)]
    seen: dict[tuple, list] = {}
    for r in rows:
        seen.setdefault((r["step"], r["org"]), []).append(r)
    for (step, org), group in seen.items():
        if len(group) == 1:
            r = group[0]
            out.append(f"{step:<52}{org:<7}{r['ms']:>10.1f}{r['queries']:>9}{r['sql_ms']:>9.1f}{r['status']:>8}")
        else:
            ms = [g["ms"] for g in group]
            q = sorted({g["queries"] for g in group})
            out.append(f"{step + f' (x{len(group)}, median)':<52}{org:<7}{statistics.median(ms):>10.1f}"
                       f"{'/'.join(map(str, q)):>9}{statistics.median(g['sql_ms'] for g in group):>9.1f}"
                       f"{group[0]['status']:>8}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL (default: $BENCH_DATABASE_URL, else a temporary SQLite file)")
    parser.add_argument("--accounts", type=int, default=2000, help="the big provider's accounts (2000)")
    parser.add_argument("--entries", type=int, default=250, help="spending entries per big account (250)")
    parser.add_argument("--statement-lines", type=int, default=20, help="unmatched statement lines per big account")
    parser.add_argument("--import-lines", type=int, default=10000, help="lines in the big statement file (10000)")
    parser.add_argument("--small-accounts", type=int, default=30, help="the small provider's accounts (30)")
    parser.add_argument("--small-entries", type=int, default=10, help="spending entries per small account (10)")
    parser.add_argument("--small-import-lines", type=int, default=45,
                        help="lines in the small statement file (45: every payee, and under a page left to match)")
    parser.add_argument("--iterations", type=int, default=30, help="measured requests per GET route and provider")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per GET route first")
    parser.add_argument("--accept-http-pages", default="all",
                        help="pages of suggestions accepted through HTTP (GET the page, POST accept?every=1); the "
                             "rest with matching.accept_all, 500 lines at a time (default: all of them)")
    parser.add_argument("--no-explain", action="store_true", help="do not EXPLAIN each route's slowest statement")
    parser.add_argument("--no-traced-import", action="store_true", help="skip the import measured with tracemalloc")
    parser.add_argument("--no-analyze", action="store_true", help="PostgreSQL: skip ANALYZE after seeding")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one big request per GET route")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "provider-latest.json"),
                        help="where to write JSON (bench-results/provider-latest.json)")
    args = parser.parse_args(argv)
    http_pages = None if str(args.accept_http_pages).lower() == "all" else int(args.accept_http_pages)

    began = time.perf_counter()
    rng = random.Random(20260601)
    rss = RssPhases()
    big = Org("big", "Bench Managed Accounts", "big.staff@example.org", args.accounts, args.entries,
              args.statement_lines, args.import_lines)
    small = Org("small", "Small Managed Accounts", "small.staff@example.org", args.small_accounts,
                args.small_entries, max(1, args.statement_lines // 4), args.small_import_lines)
    orgs = [big, small]
    database = Database(args.database_url)
    app = None
    results: dict[str, dict[str, dict]] = {"big": {}, "small": {}}
    timings: dict[str, float] = {}
    extra: dict[str, dict] = {}
    try:
        app = create_app(type("Config", (TestConfig,), database.config()))
        limiter.reset()
        t = time.perf_counter()
        seed_info = seed(app, orgs)
        timings["seed_s"] = time.perf_counter() - t
        if database.schema and not args.no_analyze:
            t = time.perf_counter()
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(text("ANALYZE " + ", ".join(f'"{tb.name}"' for tb in db.metadata.sorted_tables)))
            timings["analyze_s"] = time.perf_counter() - t
        rss.end("seed")
        print(f"Seeded {seed_info['rows']} in {timings['seed_s']:.1f} s", file=sys.stderr)
        with app.app_context():
            engine = db.engine
            dialect = f"{engine.dialect.name} {'.'.join(map(str, engine.dialect.server_version_info or ()))}"
        counter = TimedCounter(engine)
        clients = {org.label: sign_in(app, org) for org in orgs}
        steps = Steps(counter)

        def run_routes(routes):
            for route in routes:
                for label, summary in _retrying_measure(clients, orgs, route, counter, args.iterations,
                                                        args.warmup).items():
                    results[label][route.key] = summary
                for org in orgs:
                    results[org.label][route.key]["slowest_sql"] = slowest(
                        app, clients[org.label], org, route, counter, explain=not args.no_explain)

        # (1) The provider's home.
        t = time.perf_counter()
        run_routes(ACCOUNTS)
        timings["accounts_s"] = time.perf_counter() - t
        rss.end("accounts pages")

        # (2) Import the statement.
        today = uk_today()
        files = {"big": make_statement(args.import_lines, today - timedelta(days=361), today - timedelta(days=2), rng),
                 "small": make_statement(args.small_import_lines, today - timedelta(days=61),
                                         today - timedelta(days=2), rng)}
        t = time.perf_counter()
        for org in orgs:
            import_statement_flow(clients[org.label], org, steps, org.import_budget_id, files[org.label])
        timings["import_s"] = time.perf_counter() - t
        extra["import_rss_mb"] = rss.end("import")
        if not args.no_traced_import:
            extra["traced_import"] = traced_import(clients["big"], big, files["big"])
            extra["traced_import_rss_mb"] = rss.end("import (tracemalloc, untimed)")
        for org in orgs:
            org.statements_last_page = max(1, math.ceil(files[org.label].lines / PAGE_SIZE))
        run_routes(STATEMENTS)

        # (3) Match: teach one line per payee, measure the page with suggestions, accept them all page by page.
        t = time.perf_counter()
        taught = {org.label: teach(app, clients[org.label], org, steps) for org in orgs}
        timings["teach_s"] = time.perf_counter() - t
        run_routes(MATCHING)
        accept = {}
        t = time.perf_counter()
        for org in orgs:
            accept[org.label] = accept_everything(app, clients[org.label], org, steps, http_pages)
        timings["accept_s"] = time.perf_counter() - t
        rss.end("matching")
        for org in orgs:
            org.matching_last_page = max(1, math.ceil(files[org.label].lines / PAGE_SIZE))
        run_routes(MATCHED)

        # (4) Reconcile the period the statement covers, and close it.
        t = time.perf_counter()
        for org in orgs:
            open_period(clients[org.label], org, steps, files[org.label])
        run_routes(PERIOD_OPEN)
        for org in orgs:
            close_period(clients[org.label], org, steps, files[org.label])
        run_routes(PERIOD_CLOSED)
        timings["reconcile_s"] = time.perf_counter() - t
        rss.end("reconciliation")
        # Once more at the end: one account now holds 10,000 more entries and a closed period.
        run_routes([Route("a4_accounts_after", "GET /accounts (after the round)", ACCOUNTS[0].call, ACCOUNTS[0].check)])
        rss.end("accounts again")
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        database.close()
    runtime = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = usage.ru_utime + usage.ru_stime
    load = os.getloadavg()
    peak_rss_mb = max(rss.overall, _peak_rss_mb())

    failures = list(steps.failures)
    warnings = []
    comparison = []
    keys = [r.key for r in ROUTES] + ["a4_accounts_after"]
    for key in keys:
        b, s = results["big"][key], results["small"][key]
        comparison.append({"route": b["route"], "big": b["queries"], "small": s["queries"],
                           "equal": b["queries"] == s["queries"] and b["queries_constant"] and s["queries_constant"],
                           "median_ratio": round(b["median_ms"] / s["median_ms"], 2) if s["median_ms"] else None})
        if b["queries"] != s["queries"]:
            failures.append(f"{b['route']}: {b['queries']} queries for the big provider, {s['queries']} for the small "
                            "one; the query count grows with the data (N+1?)")
        for label, r in (("big", b), ("small", s)):
            if not r["queries_constant"]:
                failures.append(f"{r['route']} ({label}): query count not constant: {r['queries_seen']}")
            failures += [f"{r['route']} ({label}): {p}" for p in r["problems"]]
        if s["median_ms"] and b["median_ms"] > 2 * s["median_ms"] and b["median_ms"] - s["median_ms"] > 10:
            warnings.append(f"{b['route']}: median {b['median_ms']:.1f} ms for the big provider against "
                            f"{s['median_ms']:.1f} ms for the small one: time grows with the data")
    steps_by = {}
    for r in steps.rows:
        steps_by.setdefault((r["step"], r["org"]), []).append(r)

    def one(step, org):
        rows = steps_by.get((step, org), [])
        return rows[0] if rows else {}

    imp = {org.label: {k: one(f"import: {k}", org.label) for k in ("POST upload", "GET check page", "POST import")}
           for org in orgs}
    imp_total = {label: round(sum(v.get("ms", 0) for v in d.values()), 1) for label, d in imp.items()}

    out = [
        "",
        f"pbportal provider benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_git_commit()}, "
        f"Python {platform.python_version()}",
        f"Database: {database.label}, {dialect}"
        + (", ANALYZEd after seeding" if database.schema and not args.no_analyze else ""),
        f"Big provider: {big.accounts:,} managed accounts, {big.accounts * big.entries_per_account:,} spending "
        f"entries, {big.money_in_rows:,} money in, {big.statement_line_rows:,} unmatched statement lines, "
        f"{big.closed_periods:,} closed periods. Small: {small.accounts} accounts, "
        f"{small.accounts * small.entries_per_account} entries, "
        f"{small.statement_line_rows} statement lines, {small.closed_periods} closed periods.",
        f"Seeded in {timings['seed_s']:.1f} s (rows in all: " + ", ".join(f"{k} {v:,}" for k, v in
                                                                        seed_info["rows"].items()) + ").",
        f"{args.iterations} measured requests per GET route and provider after {args.warmup} warm-ups.",
        "",
        _table(f"Big provider ({big.accounts:,} accounts; its import account: {files['big'].lines:,} statement lines)",
               [results["big"][k] for k in keys]),
        "",
        _table(f"Small provider ({small.accounts} accounts; {files['small'].lines} statement lines)",
               [results["small"][k] for k in keys]),
        "",
        "SQL queries per request, big vs small (must be equal: the N+1 guard)",
        f"{'route':<42}{'big':>6}{'small':>7}  {'equal':<7}{'median big/small':>17}",
    ]
    for c in comparison:
        out.append(f"{c['route']:<42}{c['big']:>6}{c['small']:>7}  {'yes' if c['equal'] else 'NO':<7}"
                   f"{c['median_ratio'] if c['median_ratio'] is not None else '-':>17}")
    out += ["", "Steps done once (import, teaching, reconciliation)"] + _steps_table(steps.rows)
    out += ["", f"Import: {files['big'].lines:,} lines in {imp_total['big'] / 1000:.2f} s through HTTP "
                f"(upload {imp['big']['POST upload'].get('ms', 0):.0f} ms, check page "
                f"{imp['big']['GET check page'].get('ms', 0):.0f} ms, import "
                f"{imp['big']['POST import'].get('ms', 0):.0f} ms); {files['small'].lines} lines in "
                f"{imp_total['small']:.0f} ms. Peak RSS while importing: "
                f"{extra['import_rss_mb']:.1f} MB."]
    if "traced_import" in extra:
        ti = extra["traced_import"]
        out.append(f"tracemalloc peak for the {files['big'].lines:,}-line file (a second account, untimed): check page "
                   f"{ti['check_page_alloc_peak_mb']} MB, import {ti['import_alloc_peak_mb']} MB.")
    out.append("")
    out.append("Matching: rules taught by one line per payee, then every suggestion accepted page by page "
               "(GET the page to match, POST accept?every=1)")
    for org in orgs:
        a = accept[org.label]
        direct = (f"; then {a['accepted_direct']:,} with accept_all in {a['direct']['seconds']} s "
                  f"({a['lines_per_second_direct']} lines/s, {a['direct']['queries']:,} queries)"
                  if a["accepted_direct"] else "")
        out.append(f"  {org.label:<6} taught {taught[org.label]} payees; {a['accepted_http']:,} lines accepted in "
                   f"{a['http_pages']} pages, {a['http_seconds']} s ({a['lines_per_second_http']} lines/s with the "
                   f"GETs, {a['lines_per_second_post_only']} counting only the POSTs){direct}.")
        if a["get_ms"]:
            out.append(f"         GET page: median {a['get_ms']['median']} ms, p95 {a['get_ms']['p95']} ms, "
                       f"queries {a['get_queries']['median']:.0f} (max {a['get_queries']['max']}); POST: median "
                       f"{a['post_ms']['median']} ms, p95 {a['post_ms']['p95']} ms, queries median "
                       f"{a['post_queries']['median']:.0f} = {a['queries_per_accepted_line']} per line accepted.")
    out += ["", "Peak RSS per phase (VmHWM, reset between phases): "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.phases.items()) + ".",
            f"Peak RSS overall: {peak_rss_mb:.1f} MB. Total runtime: {runtime:.1f} s ("
            + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in timings.items()) + f"); CPU {cpu_s:.1f} s; load average "
            f"at the end {load[0]:.1f} on {os.cpu_count()} CPUs (wall-clock times grow with it)."]
    out += ["", "Slowest statement of one more request per page (big provider; SQL ms is their sum per request)"]
    for key in keys:
        top = results["big"][key].get("slowest_sql") or []
        if top:
            out.append(f"  {results['big'][key]['route']:<46}{top[0]['ms']:>8.2f} ms  {top[0]['sql'][:110]}")
            if args.show_sql and top[0].get("plan"):
                out += [f"{'':>58}plan: {line[:150]}" for line in top[0]["plan"][:12]]
    if args.show_sql:
        for key in keys:
            out += ["", f"SQL of one big-provider request, {results['big'][key]['route']}:"]
            out += [f"  {i:>2}. {s[:220]}" for i, s in enumerate(results["big"][key]["last_request_sql"], 1)]
        if accept["big"]["example_post_sql"]:
            out += ["", "SQL of the first accept POST (big), first 60 statements:"]
            out += [f"  {i:>2}. {s[:220]}" for i, s in enumerate(accept["big"]["example_post_sql"], 1)]
    if warnings:
        out += ["", "Warnings:"] + [f"  - {w}" for w in warnings]
    if failures:
        out += ["", "FAILED:"] + [f"  - {f}" for f in failures]
    else:
        out += ["", f"OK: every GET's query count is constant and the same for {small.accounts} and "
                    f"{big.accounts:,} accounts, and for pages with fewer or more lines."]
    print("\n".join(out))

    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "database": database.label,
        "dialect": dialect,
        "analyzed": bool(database.schema and not args.no_analyze),
        "iterations": args.iterations,
        "warmup": args.warmup,
        "seed": {**seed_info, "seconds": round(timings["seed_s"], 2),
                 "orgs": {org.label: {"accounts": org.accounts, "entries": org.accounts * org.entries_per_account,
                                      "money_in": org.money_in_rows, "statement_lines": org.statement_line_rows,
                                      "closed_periods": org.closed_periods, "import_lines": files[org.label].lines}
                          for org in orgs}},
        "results": {label: {key: results[label][key] for key in keys} for label in results},
        "query_counts": comparison,
        "steps": steps.rows,
        "import": {"total_ms": imp_total, **extra},
        "matching": {"taught": taught, **accept},
        "peak_rss_mb": round(peak_rss_mb, 1),
        "peak_rss_by_phase_mb": rss.phases,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "runtime_s": round(runtime, 1),
        "cpu_s": round(cpu_s, 1),
        "load_average_at_end": [round(x, 2) for x in load],
        "warnings": warnings,
        "failures": failures,
        "ok": not failures,
    }
    json_path = Path(args.json)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"JSON: {json_path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
