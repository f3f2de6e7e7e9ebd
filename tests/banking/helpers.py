"""Statements and statement lines for the banking tests, and for the reconciliation tests that build on them: a
signed CSV statement and its upload, lines made directly, a managed account with lines to match, and reading the
audit log and pages back."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from itertools import count

from pbportal.audit import AuditEvent
from pbportal.banking.models import Statement, StatementLine
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry

from ..conftest import make_budget, make_line, make_user

SIGNED = (
    "Account name,Priya Shah managed account\r\n"
    "Sort code,12-34-56\r\n"
    "\r\n"
    "Date,Description,Amount,Balance\r\n"
    '01/10/2026,"Demo Council, 4-weekly payment","1,250.00","3,250.00"\r\n'
    "03/10/2026,HOMECARE PARTNERS LTD,-343.00,2907.00\r\n"
    "10/10/2026,OAKWOOD DAY CENTRE,-96.00,2811.00\r\n"
)


def upload(client, budget_id, text, name="statement.csv", encoding="utf-8-sig"):
    data = text.encode(encoding) if isinstance(text, str) else text
    r = client.post(f"/budgets/{budget_id}/statements/import", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    return r


_fingerprints = count(1)


def add_lines(budget, by, rows):
    """Statement lines on `budget`: rows of (days after the plan start, description, signed pence)."""
    start = budget.plan_year_start
    days = [start + timedelta(days=d) for d, _, _ in rows]
    statement = Statement(budget_id=budget.id, filename="statement.csv", sha256="0" * 64, first_date=min(days),
                          last_date=max(days), lines_imported=len(rows), lines_already_held=0,
                          closing_balance_pence=None, imported_by_id=by.id)
    db.session.add(statement)
    db.session.flush()
    balance, made = 0, []
    for day, (_, description, pence) in zip(days, rows, strict=True):
        balance += pence
        made.append(StatementLine(budget_id=budget.id, statement_id=statement.id, line_date=day,
                                  description=description, amount_pence=pence, balance_pence=balance,
                                  fingerprint=f"fp-{next(_fingerprints)}"))
    db.session.add_all(made)
    db.session.flush()
    return made


ROWS = [(1, "TEST COUNCIL PAYMENT REF 9", 100000), (2, "AGENCY LTD REF 77", -7000),
        (3, "HOMECARE PARTNERS LTD REF 1", -34300), (10, "HOMECARE PARTNERS LTD REF 2", -34300),
        (12, "MIXED SHOP", -4400)]


def make_account(world):
    """world.ma with a fees line and five statement lines (balance £200.00 after the last)."""
    world.lines["fees"] = make_line(world.ma, "Managed account fee", category="fees", unit="month", quantity="1",
                                    unit_cost_pence=3500, frequency="monthly")
    made = add_lines(world.ma, world.staff, ROWS)
    db.session.commit()
    return dict(zip(["council", "agency", "home1", "home2", "shop"], made, strict=True))


def url(world, line=None, action=""):
    base = f"/budgets/{world.ma.id}/matching"
    return base if line is None else f"{base}/{line.id}/{action}"


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def actions():
    """The audit log's changes in order, leaving out signing in and out and refused requests."""
    db.session.expire_all()
    return [a for (a,) in db.session.query(AuditEvent.action).order_by(AuditEvent.id)
            if not a.startswith(("user.", "access."))]


def title(body: str) -> str:
    found = re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()
    assert "Error: Error:" not in found, found  # one prefix, from base.html
    return found


def made_from(line):
    db.session.expire_all()
    return db.session.query(SpendingEntry).filter_by(statement_line_id=line.id).all()


def second_account(world):
    """Another managed account of the same provider and case manager, with one statement line."""
    holder2 = make_user("ma2@example.org", "holder", "Mia Second")
    ma2 = make_budget(holder2, world.council, held_as="managed_account", provider=world.provider_org,
                      case_manager=world.case_manager)
    (other,) = add_lines(ma2, world.staff, [(2, "SOMEONE ELSE'S LINE", -1000)])
    return ma2, other
