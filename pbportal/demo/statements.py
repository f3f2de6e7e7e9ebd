"""Priya Shah's managed account in the demo: its plan lines, the transactions through its bank account, and
statements made from them as UK banks export them (the one the demo imports, and the next one, made up on the
day it is asked for, to try the import and matching with)."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..audit import AuditEvent
from ..banking.models import StatementLine
from ..budget.models import Budget
from ..budget.services import annual_pence
from ..extensions import db
from ..reconciliation.periods import next_period_start
from ..timeutil import today

MA_LINES = [
    ("Agency care visits", "Have help at home in the morning and evening", "agency_care", "hour", "14", 2450, "weekly"),
    ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly"),
    ("Day centre", "Spend time with other people", "day_activities", "day", "2", 4800, "weekly"),
]

PRIYA_OPENING_PENCE = 60000  # carried forward from last year
BANK_HEADER = ["Date", "Type", "Description", "Paid out", "Paid in", "Balance"]
BANK_LAYOUT = {"date": "Date", "description": "Description", "paid_out": "Paid out", "paid_in": "Paid in",
               "balance": "Balance"}
NOT_FROM_A_BANK = "Made up by the pbportal demo: not a real bank statement"


def _priya_funding_pence() -> int:
    """The council's 4-weekly payment: the plan's yearly cost over 13."""
    return sum(annual_pence(cost, Decimal(qty), freq) for _, _, _, _, qty, cost, freq in MA_LINES) // 13


def priya_transactions(plan_start: date, first: date, last: date, combined: set[int] = frozenset(),
                       transfer_on: date | None = None) -> list[tuple[date, str, str, int]]:
    """What goes through Priya's account from `first` to `last` (date, type, description, signed pence): the
    council's payment every 4 weeks from the plan's start, the provider's fee on the 1st, Homecare Partners every
    week and Oakwood Day Centre two days later. In a week listed in `combined` Homecare Partners also charged for
    an escort to the day centre (one invoice for two budget lines). On `transfer_on` money paid in by mistake
    from the provider's holding account goes back the next day (not for the plan)."""
    rows = []
    day = first
    while day <= last:
        offset = (day - plan_start).days
        week = offset // 7
        if offset % 28 == 0:
            rows.append((day, "BGC", f"DEMO COUNCIL PERSONAL BUDGET REF PB{4100 + offset // 28}",
                         _priya_funding_pence()))
        if day.day == 1:
            rows.append((day, "DD", f"DEMO MANAGED ACCOUNTS FEE REF {day:%Y%m}", -3500))
        if offset % 7 == 0 and week in combined:
            rows.append((day, "FPO", f"HOMECARE PARTNERS LTD REF INV{20400 + week} VISITS+ESCORT", -(34300 + 4800)))
        elif offset % 7 == 0:
            rows.append((day, "FPO", f"HOMECARE PARTNERS LTD REF INV{20400 + week}", -34300))
        if offset % 7 == 2:
            rows.append((day, "FPO", f"OAKWOOD DAY CENTRE REF OAK{700 + week}", -9600))
        if transfer_on is not None and day == transfer_on:
            rows.append((day, "TFR", "TFR FROM DMA HOLDING ACCOUNT", 12000))
        if transfer_on is not None and day == transfer_on + timedelta(days=1):
            rows.append((day, "TFR", "TFR TO DMA HOLDING ACCOUNT", -12000))
        day += timedelta(days=1)
    return rows


def _pounds(pence: int) -> str:
    return f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def statement_csv(person: str, rows, opening_pence: int) -> tuple[bytes, int]:
    """A CSV as UK banks export it (paid out and paid in in separate columns, a running balance, a few rows
    about the account first); returns the file and its closing balance."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([NOT_FROM_A_BANK])
    writer.writerow(["Account name", f"{person} client account"])
    writer.writerow(["Account number", "****4821"])
    writer.writerow([])
    writer.writerow(BANK_HEADER)
    balance = opening_pence
    for day, kind, description, pence in rows:
        balance += pence
        writer.writerow([f"{day:%d/%m/%Y}", kind, description, _pounds(-pence) if pence < 0 else "",
                         _pounds(pence) if pence > 0 else "", _pounds(balance)])
    return out.getvalue().encode("utf-8"), balance


def sample_statement(budget: Budget) -> tuple[str, bytes] | None:
    """The next statement for a demo account that has one (Priya's): from the day after its last line (and
    after the last period reconciled) to today, following on from the running balance, with descriptions the
    rules learned from the first statement recognise. None for any other account, and once it is up to date
    (no transaction since the last line held)."""
    loaded = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demo.loaded")
                               .order_by(AuditEvent.id).limit(1))
    if loaded is None or budget.id not in (loaded.data or {}).get("sample_statements", []):
        return None
    last = db.session.scalar(select(StatementLine).where(StatementLine.budget_id == budget.id)
                             .order_by(StatementLine.line_date.desc(), StatementLine.id.desc()).limit(1))
    if last is None:
        return None
    first = max(last.line_date + timedelta(days=1), next_period_start(budget.id) or last.line_date)
    end = today()
    if first > end:
        return None
    start = budget.plan_year_start
    second_visit = first + timedelta(days=(-(first - start).days) % 7 + 7)
    combined = {(second_visit - start).days // 7}
    regular = priya_transactions(start, first, end, combined=combined)
    if not regular:  # nothing has gone through the account since the last statement
        return None
    # The money paid in by mistake goes in and back out within the statement, before its last line, so the
    # next statement never starts with a stray transfer of its own.
    transfer_on = first + timedelta(days=3)
    rows = (priya_transactions(start, first, end, combined=combined, transfer_on=transfer_on)
            if transfer_on + timedelta(days=1) <= regular[-1][0] else regular)
    content, _ = statement_csv(budget.person_name, rows, last.balance_pence or 0)
    return f"sample-statement-{first:%Y%m%d}-{end:%Y%m%d}.csv", content
