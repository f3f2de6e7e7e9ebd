#!/usr/bin/env python
"""Accepting every suggestion on a 10,000-line statement: line by line as the matching page does it
(matching.accept_all, 500 lines a request) against the worker's job (banking/jobs.py: batches of 200, one flush
a batch), on two identical managed accounts in one database. Prints seconds, lines a second and SQL statements
a line for each.

    python bench/bench_match_job.py                               # temporary SQLite file
    python bench/bench_match_job.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from sqlalchemy import insert, select, text  # noqa: E402

from bench import Database, QueryCounter  # noqa: E402
from pbportal import create_app  # noqa: E402
from pbportal.auth.models import Organisation, User  # noqa: E402
from pbportal.banking import jobs, matching  # noqa: E402
from pbportal.banking.models import MatchRule, Statement, StatementLine  # noqa: E402
from pbportal.budget.models import Budget, BudgetLine, Plan  # noqa: E402
from pbportal.config import TestConfig  # noqa: E402
from pbportal.extensions import db  # noqa: E402
from pbportal.timeutil import today  # noqa: E402

PAYEES = ["HOMECARE PARTNERS LTD", "OAKWOOD DAY CENTRE", "CITY TAXIS", "SWIM CENTRE", "PAYROLL BUREAU",
          "ARTS CLUB", "RESPITE HOUSE", "PHARMACY", "TRAINING CO", "AGENCY CARE"]


def seed(lines: int) -> tuple[int, int, int]:
    council = Organisation(name="Bench Council", kind="council")
    provider = Organisation(name="Bench Provider", kind="provider")
    db.session.add_all([council, provider])
    db.session.flush()
    staff = User(email="staff@bench.example", name="Sam Staff", role="provider_staff", organisation_id=provider.id,
                 password_hash="x")
    db.session.add(staff)
    db.session.flush()
    start = today() - timedelta(days=364)
    budgets = []
    for n in range(2):
        holder = User(email=f"holder{n}@bench.example", name=f"Holder {n}", role="holder", password_hash="x")
        db.session.add(holder)
        db.session.flush()
        budget = Budget(person_name=f"Holder {n}", holder_id=holder.id, funder_id=council.id,
                        held_as="managed_account", provider_id=provider.id, plan_year_start=start)
        db.session.add(budget)
        db.session.flush()
        plan = Plan(budget_id=budget.id, starts_on=start, status="agreed")
        db.session.add(plan)
        db.session.flush()
        line = BudgetLine(budget_id=budget.id, plan_id=plan.id, item="Care", category="agency_care", unit="hour",
                          quantity=10, unit_cost_pence=2000, frequency="weekly", annual_pence=10_400_000)
        db.session.add(line)
        db.session.flush()
        for payee in PAYEES:
            db.session.add(MatchRule(budget_id=budget.id, pattern=matching.pattern_of(f"{payee} REF 1"),
                                     line_root_id=line.id, payee=payee.title(), uses=1))
        statement = Statement(budget_id=budget.id, filename="s.csv", sha256="0" * 64, first_date=start,
                              last_date=today(), lines_imported=lines, lines_already_held=0,
                              closing_balance_pence=None, imported_by_id=staff.id)
        db.session.add(statement)
        db.session.flush()
        db.session.execute(insert(StatementLine), [
            {"budget_id": budget.id, "statement_id": statement.id, "line_date": start + timedelta(days=i % 360),
             "description": f"{PAYEES[i % len(PAYEES)]} REF {i}", "amount_pence": -(1000 + i % 5000),
             "balance_pence": None, "fingerprint": f"{budget.id}-{i}", "status": "unmatched", "version": 1}
            for i in range(lines)])
        budgets.append(budget.id)
    db.session.commit()
    return budgets[0], budgets[1], staff.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    database = Database(args.database_url)
    try:
        app = create_app(type("Config", (TestConfig,), database.config()))
        with app.app_context():
            db.create_all()
            by_page, by_job, staff_id = seed(args.lines)
            if database.schema:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            counter = QueryCounter(db.engine)
            staff = db.session.get(User, staff_id)

            counter.reset()
            began = time.perf_counter()
            budget = db.session.get(Budget, by_page)
            while True:  # as the matching page's requests would: 500 lines, accepted all or none, committed
                todo = db.session.execute(select(StatementLine.id, StatementLine.version).where(
                    StatementLine.budget_id == by_page, StatementLine.status == "unmatched")
                    .order_by(StatementLine.id).limit(500)).all()
                if not todo:
                    break
                matching.accept_all(budget, [(i, v) for i, v in todo], staff)
                db.session.commit()
            page_seconds, page_queries = time.perf_counter() - began, counter.count

            counter.reset()
            began = time.perf_counter()
            jobs.ask(db.session.get(Budget, by_job), staff)
            db.session.commit()
            job = jobs.run_one()
            job_seconds, job_queries = time.perf_counter() - began, counter.count
            assert job.accepted == args.lines, (job.accepted, job.passed_over)
            db.session.remove()
            db.engine.dispose()
    finally:
        database.close()
    print(f"\nAccepting every suggestion on a {args.lines:,}-line statement ({database.label})")
    for label, seconds, queries in (("page by page (accept_all, 500 a request)", page_seconds, page_queries),
                                    ("the worker's job (batches of 200)", job_seconds, job_queries)):
        print(f"  {label:<44}{seconds:>8.1f} s {args.lines / seconds:>8.0f} lines/s "
              f"{queries / args.lines:>6.2f} statements a line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
