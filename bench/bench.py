#!/usr/bin/env python
"""pbportal benchmark: server time, SQL queries and page weight for the budget and spending pages.

Seeds a big holder (about 2,500 payments over 5 plan years on 12 budget lines) and a small one
(10 payments on the same 12 lines), then drives the app through Flask's test client:

  (a) GET  /budgets/<id>                                the budget page
  (b) POST /budgets/<id>/payments/new  (HX-Request)     recording a payment from the budget page
  (c) GET  /budgets/<id>/spending                       the spending list, page 1
  (d) GET  /budgets/<id>/spending      (HX-Request)     the same list as an htmx partial

For each it reports median and p95 server time, SQL queries per request (which must be the same for
every request), and the response size raw and gzipped. The query count of every route must be the
same for the big and the small holder: if it is not, something runs a query per row (N+1) and the
script exits with status 1.

    python bench/bench.py                                   # temporary SQLite file
    python bench/bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    BENCH_DATABASE_URL=postgresql://... make bench          # PostgreSQL, in a throwaway schema

Results go to stdout as a table and to bench-results/latest.json.
"""
from __future__ import annotations

import argparse
import gc
import gzip
import itertools
import json
import os
import platform
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402

from pbportal import create_app  # noqa: E402
from pbportal.audit import AuditEvent  # noqa: E402
from pbportal.auth.models import Organisation, User  # noqa: E402
from pbportal.budget.models import Budget, BudgetLine, MoneyIn, Plan  # noqa: E402
from pbportal.budget.services import annual_pence  # noqa: E402
from pbportal.config import TestConfig  # noqa: E402
from pbportal.dates import anniversary, plan_year_for  # noqa: E402
from pbportal.extensions import db, limiter  # noqa: E402
from pbportal.spending.models import Receipt, SpendingEntry  # noqa: E402
from pbportal.timeutil import today as uk_today  # noqa: E402

PASSWORD = "bench-password"
GZIP_WARN_BYTES = 10 * 1024
UTC = timezone.utc

# item, category, unit, quantity, unit cost (pence), frequency: a realistic direct payment's 12 lines.
LINES = [
    ("Personal assistant wages (mornings)", "pa_wages", "hour", "21", 1271, "weekly"),
    ("Personal assistant wages (evenings)", "pa_wages", "hour", "9", 1310, "weekly"),
    ("HMRC: PAYE and National Insurance", "hmrc", "month", "1", 17000, "monthly"),
    ("Workplace pension", "pension", "month", "1", 3400, "monthly"),
    ("Payroll service", "fees", "week", "1", 750, "weekly"),
    ("Employer's liability insurance", "insurance", "year", "1", 9500, "yearly"),
    ("Respite breaks", "respite", "day", "6", 18000, "yearly"),
    ("Riverside Arts Club", "day_activities", "week", "1", 2500, "weekly"),
    ("Swimming", "day_activities", "week", "1", 650, "weekly"),
    ("Taxi to the day centre", "transport", "week", "2", 1400, "weekly"),
    ("DBS checks and first-aid training", "dbs_training", "year", "1", 12000, "yearly"),
    ("Contingency", "contingency", "month", "1", 5000, "monthly"),
]
PAYEES = ["Maria Santos", "Tom Price", "HMRC", "NEST Pensions", "Payroll Plus Ltd", "Carers Cover Insurance",
          "Seaview Respite House", "Riverside Arts Club", "Leisure Centre", "A2B Taxis", "Care Skills Ltd",
          "Mobility Direct"]


# ---- the database ----------------------------------------------------------------------------

def _sqlalchemy_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


class Database:
    """A temporary SQLite file, or a throwaway schema in PostgreSQL; removed by close()."""

    def __init__(self, url: str | None):
        self.tmp = tempfile.mkdtemp(prefix="pbbench-")
        self.url = _sqlalchemy_url(url) if url else None
        self.schema = None
        if self.url:
            self.schema = f"pbbench_{os.getpid()}_{secrets.token_hex(3)}"
            admin = create_engine(self.url)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {self.schema}"))
            admin.dispose()

    @property
    def label(self) -> str:
        if self.url:
            return f"postgresql (schema {self.schema})"
        return "sqlite (temporary file)"

    def config(self) -> dict:
        config = {"UPLOAD_DIR": os.path.join(self.tmp, "uploads"), "WTF_CSRF_ENABLED": False}
        if self.url:
            config["SQLALCHEMY_DATABASE_URI"] = self.url
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {
                "pool_pre_ping": True,
                "connect_args": {"options": f"-csearch_path={self.schema}"},
            }
        else:
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.join(self.tmp, 'bench.sqlite')}"
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
        return config

    def close(self) -> None:
        if self.schema:
            admin = create_engine(self.url)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            admin.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- seeding ---------------------------------------------------------------------------------

@dataclass
class Holder:
    label: str
    email: str
    budget_id: int
    line_ids: list[int]
    entries: int
    current_year_entries: int


def _noon(day: date, n: int = 0) -> datetime:
    return datetime.combine(day, dtime(12, 0), tzinfo=UTC) + timedelta(seconds=n)


def _make_holder(name: str, email: str, council: Organisation, start: date):
    user = User(email=email, name=name, role="holder")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    budget = Budget(person_name=name, holder=user, funder=council, held_as="direct_payment",
                    plan_year_start=start)
    db.session.add(budget)
    db.session.flush()
    plan = Plan(budget_id=budget.id, version=1, status="draft", starts_on=start)
    db.session.add(plan)
    db.session.flush()
    lines = []
    for pos, (item, category, unit, qty, cost, freq) in enumerate(LINES, start=1):
        line = BudgetLine(budget_id=budget.id, plan_id=plan.id, item=item, outcome="", category=category,
                          unit=unit, quantity=Decimal(qty), unit_cost_pence=cost, frequency=freq,
                          annual_pence=annual_pence(cost, Decimal(qty), freq), position=pos)
        db.session.add(line)
        lines.append(line)
    db.session.flush()
    return user, budget, lines


def _entry_rows(user, budget, lines, days: list[date]) -> list[dict]:
    """One payment per day given, cycling through the lines; every 40th voided, every 7th with a receipt."""
    receipts = [
        {"budget_id": budget.id, "storage_key": secrets.token_hex(16), "original_name": f"receipt-{i}.png",
         "content_type": "image/png", "size_bytes": 48_000, "sha256": "0" * 64, "uploaded_by_id": user.id,
         "uploaded_at": _noon(day)}
        for i, day in enumerate(days) if i % 7 == 3
    ]
    receipt_ids = iter(db.session.scalars(
        insert(Receipt).returning(Receipt.id, sort_by_parameter_order=True), receipts
    ).all()) if receipts else iter(())
    rows = []
    for i, day in enumerate(days):
        line = lines[i % len(lines)]
        voided = i % 40 == 17
        weekly = max(line.annual_pence // 52, 100)
        rows.append({
            "budget_id": budget.id, "line_id": line.id, "paid_on": day,
            "amount_pence": weekly + (i * 37) % 500, "payee": PAYEES[i % len(PAYEES)],
            "category": line.category, "note": "Net pay" if i % 5 == 0 else "",
            "receipt_id": next(receipt_ids) if i % 7 == 3 else None,
            "status": "voided" if voided else "active",
            "change_reason": "Recorded twice" if voided else "",
            "created_by_id": user.id, "created_at": _noon(day, i),
            "changed_by_id": user.id if voided else None, "changed_at": _noon(day, i + 1) if voided else None,
        })
    return rows


def _money_in_rows(user, budget, lines, start: date, until: date) -> list[dict]:
    annual = sum(line.annual_pence for line in lines)
    rows, day = [], start
    while day <= until:
        rows.append({"budget_id": budget.id, "received_on": day, "amount_pence": annual // 13, "source": "funder",
                     "note": "4-weekly direct payment", "created_by_id": user.id, "created_at": _noon(day)})
        day += timedelta(weeks=4)
    return rows


def _audit_rows(user, budget, rows) -> list[dict]:
    """What recording each payment would have logged, so the audit table is as big as real life."""
    return [{"at": r["created_at"], "actor_id": user.id, "action": "spending.recorded",
             "object_type": "SpendingEntry", "object_id": None, "budget_id": budget.id,
             "data": {"paid_on": str(r["paid_on"]), "amount_pence": r["amount_pence"], "payee": r["payee"],
                      "line_id": r["line_id"]}} for r in rows]


def seed(app, big_entries: int, small_entries: int) -> tuple[Holder, Holder, dict]:
    today = uk_today()
    # The current plan year began 350 days ago; the first one about five years ago.
    current_start = today - timedelta(days=350)
    start = anniversary(current_start, current_start.year - 4)
    year = plan_year_for(start, today)
    with app.app_context():
        db.create_all()
        council = Organisation(name="Bench Council", kind="council")
        db.session.add(council)
        db.session.flush()
        holders = []
        for label, name, email, n, first_day in (
            ("big", "Bea Big", "big.holder@example.org", big_entries, start),
            ("small", "Sid Small", "small.holder@example.org", small_entries, year.start),
        ):
            user, budget, lines = _make_holder(name, email, council, start)
            # Weekly spending: the entries spread evenly over the weeks from first_day to today.
            weeks = (today - first_day).days // 7 + 1
            days = [min(first_day + timedelta(days=7 * (i * weeks // n) + (i % len(LINES)) % 7), today)
                    for i in range(n)]
            rows = _entry_rows(user, budget, lines, days)
            db.session.execute(insert(SpendingEntry), rows)
            db.session.execute(insert(AuditEvent), _audit_rows(user, budget, rows))
            db.session.execute(insert(MoneyIn), _money_in_rows(user, budget, lines, first_day, today))
            holders.append(Holder(label, email, budget.id, [line.id for line in lines], n,
                                  sum(1 for d in days if year.contains(d))))
        db.session.commit()
        counts = dict(db.session.execute(
            select(SpendingEntry.budget_id, func.count()).group_by(SpendingEntry.budget_id)).all())
        for h in holders:
            assert counts.get(h.budget_id) == h.entries, (h, counts)
        info = {"first_plan_year_start": start.isoformat(), "current_plan_year": [year.start.isoformat(),
                year.end.isoformat()], "today": today.isoformat()}
    return holders[0], holders[1], info


# ---- measuring -------------------------------------------------------------------------------

class QueryCounter:
    """Counts (and keeps) every statement sent to the database while active."""

    def __init__(self, engine):
        self.statements: list[str] = []
        self.seconds = 0.0  # time spent executing them (driver and database)
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._seen)
        event.listen(engine, "after_cursor_execute", self._done)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)
        self._started = time.perf_counter()

    def _done(self, conn, cursor, statement, parameters, context, executemany):
        self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.statements = []
        self.seconds = 0.0

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class Route:
    key: str
    label: str
    call: Callable  # (client, holder) -> response
    check: Callable  # (response) -> error message or None


def _get(path: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return lambda client, h: client.get(path.format(id=h.budget_id), headers=headers)


_PAYMENTS = itertools.count(1)


def _post_payment(client, h: Holder):
    """A new payment each time: the same one twice on a day is asked about ("You recorded this already"), which
    is not the path being measured."""
    day = uk_today()
    pence = 1000 + next(_PAYMENTS)
    return client.post(
        f"/budgets/{h.budget_id}/payments/new",
        headers={"HX-Request": "true"},
        data={"paid_on": [str(day.day), str(day.month), str(day.year)], "amount": f"{pence // 100}.{pence % 100:02d}",
              "payee": "Bench Shop", "line_id": str(h.line_ids[0]), "note": ""},
        content_type="multipart/form-data",  # as the page's form sends it (hx-encoding)
    )


def _expect(status: int, *needles: str):
    def check(response):
        if response.status_code != status:
            return f"status {response.status_code}, wanted {status}"
        body = response.get_data(as_text=True)
        for needle in needles:
            if needle not in body:
                return f"response lacks {needle!r}"
        return None
    return check


# Reported in this order; measured with the POST last, so the GETs see the seeded data only.
ROUTES = [
    Route("a_budget_page", "(a) GET  /budgets/<id>", _get("/budgets/{id}"),
          _expect(200, 'id="budget-summary"', 'id="payment-form"', "<html")),
    Route("b_add_payment", "(b) POST /budgets/<id>/payments/new  HX", _post_payment,
          _expect(200, "paid to Bench Shop recorded", 'hx-swap-oob="true"')),
    Route("c_spending_list", "(c) GET  /budgets/<id>/spending", _get("/budgets/{id}/spending"),
          _expect(200, 'id="spending-results"', "<html")),
    Route("d_spending_partial", "(d) GET  /budgets/<id>/spending  HX", _get("/budgets/{id}/spending", htmx=True),
          _expect(200, 'id="spending-results"')),
]
MEASURE_ORDER = ["a_budget_page", "c_spending_list", "d_spending_partial", "b_add_payment"]


def _percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


class Samples:
    """What one holder's requests to one route measured."""

    def __init__(self, route: Route, holder: Holder):
        self.route, self.holder = route, holder
        self.times, self.sql_times, self.counts, self.raw, self.gz = [], [], [], [], []
        self.problems: list[str] = []
        self.statements: list[str] = []
        self.alloc_peak = 0

    def add(self, client, counter: QueryCounter) -> None:
        counter.reset()
        started = time.perf_counter()
        response = self.route.call(client, self.holder)
        self.times.append((time.perf_counter() - started) * 1000)
        self.counts.append(counter.count)
        self.sql_times.append(counter.seconds * 1000)
        self.statements = list(counter.statements)
        body = response.get_data()
        self.raw.append(len(body))
        self.gz.append(len(gzip.compress(body)))
        problem = self.route.check(response)
        if problem and len(self.problems) < 3:
            self.problems.append(problem)

    def summary(self) -> dict:
        distinct = sorted(set(self.counts))
        return {
            "route": self.route.label,
            "requests": len(self.times),
            "median_ms": round(statistics.median(self.times), 2),
            "p95_ms": round(_percentile(self.times, 95), 2),
            "min_ms": round(min(self.times), 2),
            "max_ms": round(max(self.times), 2),
            "sql_median_ms": round(statistics.median(self.sql_times), 2),
            "queries": self.counts[-1],
            "queries_seen": distinct,
            "queries_constant": len(distinct) == 1,
            "bytes": max(self.raw),
            "gzip_bytes": max(self.gz),
            "alloc_peak_kb": round(self.alloc_peak / 1024),
            "problems": self.problems,
            "last_request_sql": [" ".join(s.split())[:400] for s in self.statements],
        }


def measure(clients: dict, holders: list[Holder], route: Route, counter: QueryCounter, iterations: int,
            warmup: int) -> dict[str, dict]:
    """Time `iterations` requests per holder, alternating holders so background load hits both alike."""
    for holder in holders:
        for _ in range(warmup):
            response = route.call(clients[holder.label], holder)
            problem = route.check(response)
            if problem:
                raise SystemExit(f"{holder.label} {route.label}: {problem}\n{response.get_data(as_text=True)[:2000]}")
    samples = {h.label: Samples(route, h) for h in holders}
    gc.collect()
    for _ in range(iterations):
        for holder in holders:
            samples[holder.label].add(clients[holder.label], counter)
    for holder in holders:
        # Python memory allocated while handling one more request (tracemalloc slows code, so not timed).
        tracemalloc.start()
        route.call(clients[holder.label], holder).get_data()
        samples[holder.label].alloc_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    counter.reset()
    return {label: sample.summary() for label, sample in samples.items()}


def sign_in(app, holder: Holder):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": holder.email, "password": PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"signing in as {holder.email} failed: {response.status_code}\n"
                         f"{response.get_data(as_text=True)[:1000]}")
    return client


# ---- reporting -------------------------------------------------------------------------------

def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pbportal", "templates"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _table(title: str, rows: list[dict]) -> str:
    head = (f"{'route':<42}{'median ms':>10}{'p95 ms':>9}{'SQL ms':>8}{'queries':>9}{'bytes':>9}{'gzip':>8}"
            f"{'alloc KB':>10}")
    lines = [title, head, "-" * len(head)]
    for r in rows:
        flag = "" if r["queries_constant"] else f"  varies {r['queries_seen']}"
        lines.append(f"{r['route']:<42}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}{r['sql_median_ms']:>8.2f}"
                     f"{r['queries']:>9}{r['bytes']:>9,}{r['gzip_bytes']:>8,}{r['alloc_peak_kb']:>10,}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL (default: $BENCH_DATABASE_URL, else a temporary SQLite file)")
    parser.add_argument("--iterations", type=int, default=200, help="measured requests per route (200)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per route first (5)")
    parser.add_argument("--entries", type=int, default=2500, help="the big holder's payments (2500)")
    parser.add_argument("--small-entries", type=int, default=10, help="the small holder's payments (10)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="PostgreSQL: skip ANALYZE after seeding (plans as on freshly loaded tables)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one big-holder request per route")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "latest.json"), help="where to write JSON")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    database = Database(args.database_url)
    app = None
    try:
        app = create_app(type("Config", (TestConfig,), database.config()))
        limiter.reset()
        seed_began = time.perf_counter()
        big, small, seed_info = seed(app, args.entries, args.small_entries)
        if database.schema and not args.no_analyze:
            # Autovacuum would gather statistics after a bulk load this size; without them PostgreSQL
            # plans for one-row tables and the timings say more about the seeding than the app.
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(text("ANALYZE " + ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)))
        seed_seconds = time.perf_counter() - seed_began
        with app.app_context():
            engine = db.engine
            dialect = f"{engine.dialect.name} {'.'.join(map(str, engine.dialect.server_version_info or ()))}"
        counter = QueryCounter(engine)  # no app context stays pushed: each request gets its own, as in production

        clients = {h.label: sign_in(app, h) for h in (big, small)}
        by_key = {r.key: r for r in ROUTES}
        results: dict[str, dict[str, dict]] = {"big": {}, "small": {}}
        for key in MEASURE_ORDER:
            for label, summary in measure(clients, [big, small], by_key[key], counter, args.iterations,
                                          args.warmup).items():
                results[label][key] = summary
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()  # let go of the schema before it is dropped
        database.close()
    runtime = time.perf_counter() - began
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB

    failures, warnings = [], []
    comparison = []
    for route in ROUTES:
        b, s = results["big"][route.key], results["small"][route.key]
        same = b["queries"] == s["queries"] and b["queries_constant"] and s["queries_constant"]
        comparison.append({"route": route.label, "big": b["queries"], "small": s["queries"], "equal": same,
                           "median_ratio": round(b["median_ms"] / s["median_ms"], 2) if s["median_ms"] else None})
        if b["queries"] != s["queries"]:
            failures.append(f"{route.label}: {b['queries']} queries for the big holder, {s['queries']} for the small "
                            "one; the query count grows with the data (N+1?)")
        for label, r in (("big", b), ("small", s)):
            if not r["queries_constant"]:
                failures.append(f"{route.label} ({label}): query count not constant over {r['requests']} "
                                f"requests: {r['queries_seen']}")
            for problem in r["problems"]:
                failures.append(f"{route.label} ({label}): {problem}")
            if r["gzip_bytes"] > GZIP_WARN_BYTES:
                warnings.append(f"{route.label} ({label}): {r['gzip_bytes']:,} bytes gzipped, over "
                                f"{GZIP_WARN_BYTES // 1024} KB")
        if s["median_ms"] and b["median_ms"] > 2 * s["median_ms"] and b["median_ms"] - s["median_ms"] > 5:
            warnings.append(f"{route.label}: median {b['median_ms']:.1f} ms for the big holder against "
                            f"{s['median_ms']:.1f} ms for the small one: time grows with the data")

    order = [r.key for r in ROUTES]
    out = [
        "",
        f"pbportal benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_git_commit()}, "
        f"Python {platform.python_version()}",
        f"Database: {database.label}, {dialect}"
        + (", ANALYZEd after seeding" if database.schema and not args.no_analyze else ""),
        f"Big holder: {big.entries:,} payments on {len(big.line_ids)} lines, {big.current_year_entries:,} in the "
        f"current plan year ({seed_info['current_plan_year'][0]} to {seed_info['current_plan_year'][1]}), "
        f"{big.entries - big.current_year_entries:,} in the 4 before. Small holder: {small.entries} payments on "
        f"{len(small.line_ids)} lines. Seeded in {seed_seconds:.1f} s.",
        f"{args.iterations} measured requests per route after {args.warmup} warm-ups; the POST is measured last "
        f"(it adds {args.iterations + args.warmup + 1} payments).",
        "",
        _table(f"Big holder ({big.entries:,} payments)", [results["big"][k] for k in order]),
        "",
        _table(f"Small holder ({small.entries} payments)", [results["small"][k] for k in order]),
        "",
        "SQL queries per request, big vs small (must be equal: the N+1 guard)",
        f"{'route':<42}{'big':>6}{'small':>7}  {'equal':<7}{'median big/small':>17}",
    ]
    for c in comparison:
        out.append(f"{c['route']:<42}{c['big']:>6}{c['small']:>7}  {'yes' if c['equal'] else 'NO':<7}"
                   f"{c['median_ratio'] if c['median_ratio'] is not None else '-':>17}")
    out += ["", f"Peak memory (ru_maxrss): {peak_rss_mb:.1f} MB. Total runtime: {runtime:.1f} s.",
            "SQL ms: median time inside cursor.execute per request. alloc KB: peak Python memory allocated while "
            "handling one more request (tracemalloc)."]
    if args.show_sql:
        for key in order:
            out += ["", f"SQL of one big-holder request, {results['big'][key]['route']}:"]
            out += [f"  {i:>2}. {s[:200]}" for i, s in enumerate(results["big"][key]["last_request_sql"], 1)]
    if warnings:
        out += ["", "Warnings:"] + [f"  - {w}" for w in warnings]
    if failures:
        out += ["", "FAILED:"] + [f"  - {f}" for f in failures]
    else:
        out += ["", f"OK: every route's query count is constant and the same for {small.entries:,} and "
                    f"{big.entries:,} payments."]
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
        "seed": {**seed_info, "seconds": round(seed_seconds, 2),
                 "big": {"entries": big.entries, "current_plan_year_entries": big.current_year_entries,
                         "lines": len(big.line_ids)},
                 "small": {"entries": small.entries, "current_plan_year_entries": small.current_year_entries,
                           "lines": len(small.line_ids)}},
        "results": {holder: {key: results[holder][key] for key in order} for holder in results},
        "query_counts": comparison,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "runtime_s": round(runtime, 1),
        "warnings": warnings,
        "failures": failures,
        "ok": not failures,
    }
    json_path = Path(args.json)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON: {json_path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
