"""Importing statements: the upload waits in the shared upload store between preview and import, so any
app process can finish it; the import is all-or-nothing and never holds the same line twice."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..audit import record
from ..budget.locks import closed_spans
from ..budget.models import Budget
from ..extensions import db
from ..storage import uploads
from .models import LineStatus, Statement, StatementLayout, StatementLine
from .statement_csv import (
    MAX_BYTES,
    TOO_LARGE,
    Layout,
    Parsed,
    StatementError,
    decode,
    fingerprints,
    parse,
)
from .statement_ofx import OFX_LAYOUT, is_ofx, parse_ofx
from .statement_text import QIF_LAYOUT, SANTANDER_LAYOUT, kind_of, parse_qif, parse_santander

PENDING_HOURS = 24


PENDING = "pending-statements"


def check_readable(content: bytes) -> None:
    """Refuse (StatementError, with a message for the user) a file too large, or neither OFX nor text that a CSV
    reader can take. Whether its rows make sense is for the preview to say."""
    if len(content) > MAX_BYTES:
        raise StatementError(TOO_LARGE)
    if is_ofx(content):
        parse_ofx(content)
    else:
        decode(content)


def keep_upload(upload_dir: str, budget_id: int, filename: str, content: bytes) -> str:
    """Hold an uploaded file in the upload store until it is imported; returns its token. Ones older than a day
    are swept away."""
    store = uploads(upload_dir)
    cutoff = time.time() - PENDING_HOURS * 3600
    for name, modified in store.listing(PENDING):
        if modified < cutoff:
            store.delete(name)
    token = f"{budget_id}-{secrets.token_hex(16)}"
    store.put(f"{PENDING}/{token}.name", os.path.basename(filename or "statement.csv")[:200].encode("utf-8"))
    store.put(f"{PENDING}/{token}.csv", content)
    return token


def pending(upload_dir: str, budget_id: int, token: str) -> tuple[bytes, str] | None:
    if not re.fullmatch(rf"{budget_id}-[0-9a-f]{{32}}", token or ""):
        return None
    store = uploads(upload_dir)
    content = store.get(f"{PENDING}/{token}.csv")
    if content is None:
        return None
    name = store.get(f"{PENDING}/{token}.name")
    return content, name.decode("utf-8") if name is not None else "statement.csv"


def discard_pending(upload_dir: str, token: str) -> None:
    store = uploads(upload_dir)
    for suffix in (".csv", ".name"):
        store.delete(f"{PENDING}/{token}{suffix}")


def saved_layout(budget_id: int) -> Layout | None:
    row = db.session.scalar(select(StatementLayout).where(StatementLayout.budget_id == budget_id))
    if row is None:
        return None
    return Layout(row.date_column, row.description_column, row.amount_column, row.paid_out_column,
                  row.paid_in_column, row.balance_column, row.indicator_column)


def save_layout(budget_id: int, layout: Layout, actor) -> None:
    row = db.session.scalar(select(StatementLayout).where(StatementLayout.budget_id == budget_id))
    if row is None:
        row = StatementLayout(budget_id=budget_id)
        db.session.add(row)
    row.date_column, row.description_column = layout.date, layout.description
    row.amount_column, row.paid_out_column = layout.amount, layout.paid_out
    row.paid_in_column, row.balance_column = layout.paid_in, layout.balance
    row.indicator_column = layout.indicator
    db.session.flush()
    record("statement_layout.saved", row, actor=actor, budget_id=budget_id, layout=layout.__dict__)


@dataclass
class Preview:
    parsed: Parsed
    layout: Layout | None
    already_held: set[str]
    closed: list = field(default_factory=list)  # the budget's closed periods
    leave_out_closed: bool = False  # the person chose to import the rest without the lines dated in them

    def _in_closed(self, line) -> bool:
        return any(span.starts_on <= line.line_date <= span.ends_on for span in self.closed)

    @property
    def in_closed(self):
        """New lines dated inside a closed period: imported, they could never be matched."""
        return [line for line in self.parsed.lines
                if line.fingerprint not in self.already_held and self._in_closed(line)]

    @property
    def new_lines(self):
        return [line for line in self.parsed.lines if line.fingerprint not in self.already_held
                and not (self.leave_out_closed and self._in_closed(line))]

    @property
    def can_import(self) -> bool:
        return (self.layout is not None and not self.parsed.errors and not self.parsed.needs_account
                and bool(self.new_lines) and (self.leave_out_closed or not self.in_closed))


def read_statement(budget_id: int, content: bytes, account: str | None = None) -> tuple[Parsed, Layout | None]:
    """Any statement file a bank gives: OFX, QIF, Santander's text export, or CSV (with the account's
    remembered layout)."""
    if is_ofx(content):
        return parse_ofx(content), OFX_LAYOUT
    text = decode(content)
    kind = kind_of(text)
    if kind == "qif":
        return parse_qif(text), QIF_LAYOUT
    if kind == "santander":
        return parse_santander(text), SANTANDER_LAYOUT
    return parse(content, saved_layout(budget_id), account)


def preview(budget_id: int, content: bytes, account: str | None = None, leave_out_closed: bool = False) -> Preview:
    parsed, layout = read_statement(budget_id, content, account)
    fingerprints(budget_id, parsed.lines)
    prints = [line.fingerprint for line in parsed.lines]
    held = set()
    for chunk in range(0, len(prints), 900):  # stay well under SQLite's limit on bound parameters
        held |= set(db.session.scalars(select(StatementLine.fingerprint).where(
            StatementLine.budget_id == budget_id, StatementLine.fingerprint.in_(prints[chunk:chunk + 900]))))
    return Preview(parsed, layout, held, closed_spans(budget_id), leave_out_closed)


def import_statement(budget_id: int, filename: str, content: bytes, actor, checked: Preview | None = None) -> Statement:
    """Every new line, or none: the caller commits once, and the unique fingerprint stops a second copy even
    if two people import overlapping files at the same moment. `checked` is the preview of this content the
    caller already made (in this transaction), so a large file is not read twice."""
    result = checked or preview(budget_id, content)
    if not result.can_import:
        raise ValueError("This file cannot be imported")
    lines = result.new_lines
    statement = Statement(
        budget_id=budget_id, filename=filename, sha256=hashlib.sha256(content).hexdigest(),
        first_date=min(line.line_date for line in result.parsed.lines),
        last_date=max(line.line_date for line in result.parsed.lines), lines_imported=len(lines),
        lines_already_held=sum(1 for line in result.parsed.lines if line.fingerprint in result.already_held),
        closing_balance_pence=result.parsed.closing_balance_pence, imported_by_id=actor.id)
    db.session.add(statement)
    db.session.flush()
    db.session.execute(StatementLine.__table__.insert(), [
        {"budget_id": budget_id, "statement_id": statement.id, "line_date": line.line_date,
         "description": line.description, "amount_pence": line.amount_pence, "balance_pence": line.balance_pence,
         "fingerprint": line.fingerprint, "status": LineStatus.UNMATCHED} for line in lines])
    record("statement.imported", statement, actor=actor, budget_id=budget_id, filename=filename,
           lines_imported=len(lines), lines_already_held=statement.lines_already_held,
           left_out_in_closed_periods=len(result.in_closed) if result.leave_out_closed else 0,
           money_in_pence=sum(ln.amount_pence for ln in lines if ln.amount_pence > 0),
           money_out_pence=-sum(ln.amount_pence for ln in lines if ln.amount_pence < 0))
    return statement


def statement_columns(budget_id) -> list:
    """statement_summary's four figures for one account as scalar subqueries: `budget_id` an id, or Budget.id
    for a statement over many budgets. A page reading other figures too can put them in the same statement
    (summary_from makes the summary of what they read)."""
    mine = Statement.budget_id == budget_id
    # The statement reaching furthest forward wins, whatever order the files were imported in; a file with no
    # balance still says how far the lines go.
    with_balance = (mine, Statement.closing_balance_pence.is_not(None))
    latest = (Statement.last_date.desc(), Statement.id.desc())
    return [
        select(Statement.closing_balance_pence).where(*with_balance).order_by(*latest).limit(1).scalar_subquery(),
        select(Statement.last_date).where(*with_balance).order_by(*latest).limit(1).scalar_subquery(),
        select(func.max(Statement.last_date)).where(mine).scalar_subquery(),
        unmatched_lines_column(budget_id),
    ]


def unmatched_lines_column(budget_id):
    """How many of an account's statement lines are still to match, as a scalar subquery (`budget_id` an id, or
    Budget.id)."""
    return (select(func.count()).select_from(StatementLine)
            .where(StatementLine.budget_id == budget_id, StatementLine.status == LineStatus.UNMATCHED)
            .scalar_subquery())


def summary_from(values) -> dict:
    balance_pence, as_of, lines_to, unmatched = values
    return {"balance_pence": balance_pence, "as_of": as_of, "lines_to": lines_to, "unmatched": unmatched or 0}


def statement_summary(budget_ids: list[int]) -> dict[int, dict]:
    """For each account: the last statement's closing balance and date, how far its lines go, and lines not yet
    matched (one statement)."""
    if not budget_ids:
        return {}
    return {budget_id: summary_from(values) for budget_id, *values in db.session.execute(
        select(Budget.id, *statement_columns(Budget.id)).where(Budget.id.in_(budget_ids)))}
