"""Recording, correcting and voiding payments; listing them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ..audit import mark_changed, record
from ..budget.models import BudgetLine
from ..budget.services import line_in_force
from ..choices import RecordStatus
from ..dates import PlanYear, month_bounds
from ..extensions import db
from ..money import format_pence
from ..pagination import Page, page_of
from ..timeutil import UK
from .models import Receipt, SpendingEntry
from .receipts import CheckedReceipt, discard, link, store, sweep


@dataclass
class PaymentDetails:
    paid_on: date
    amount_pence: int
    payee: str
    line: BudgetLine
    note: str = ""


class PaymentRefused(ValueError):
    """A payment the plan does not allow; `field` names the form field the message is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def payment_details(budget, chosen: BudgetLine, paid_on: date, amount_pence: int, payee: str,
                    note: str = "") -> PaymentDetails:
    """What was paid, on the version of the chosen line in force on the payment's date (PaymentRefused, on the
    line, if the plan then had no such line)."""
    line = line_in_force(budget, chosen, paid_on)
    if line is None:
        raise PaymentRefused("line_id", f"‘{chosen.item}’ was not in the plan on {paid_on:%-d %B %Y}: choose "
                                        "another line or check the date")
    return PaymentDetails(paid_on=paid_on, amount_pence=amount_pence, payee=payee, line=line, note=note)


def _entry_values(entry: SpendingEntry) -> dict:
    return {
        "paid_on": entry.paid_on,
        "amount_pence": entry.amount_pence,
        "payee": entry.payee,
        "line_id": entry.line_id,
        "note": entry.note,
        "receipt_id": entry.receipt_id,
    }


def save_receipt(budget_id: int, checked: CheckedReceipt, actor, upload_dir: str) -> Receipt:
    key, digest = store(upload_dir, checked.content)
    receipt = Receipt(
        budget_id=budget_id,
        storage_key=key,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size_bytes=len(checked.content),
        sha256=digest,
        uploaded_by_id=actor.id,
    )
    db.session.add(receipt)
    record("receipt.uploaded", receipt, actor=actor, budget_id=budget_id, name=checked.original_name)
    return receipt


def save_with_receipt(budget_id: int, checked: CheckedReceipt | None, actor, upload_dir: str, save):
    """Store the receipt file (if one was chosen), then the rows (`save(receipt)`), and commit: all or nothing.
    If the rows fail, the file goes too, and the error is raised again."""
    receipt = None
    try:
        if checked:
            receipt = save_receipt(budget_id, checked, actor, upload_dir)
        result = save(receipt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        if receipt is not None:
            discard(upload_dir, receipt.storage_key)
        raise
    if receipt is not None:
        link(upload_dir, receipt.storage_key)  # only now: the row that names the file is committed
    return result


def rows_naming(storage_key_column):
    """For `sweep`: which of a list of storage keys a table's rows name (500 at a time)."""
    def has_row(keys):
        found = set()
        for start in range(0, len(keys), 500):
            found |= set(db.session.scalars(select(storage_key_column).where(
                storage_key_column.in_(keys[start:start + 500]))))
        return found

    return has_row


def sweep_receipts(upload_dir: str) -> tuple[int, int]:
    """`flask --app app sweep-receipts`: link pending files whose rows exist, remove day-old files with none."""
    return sweep(upload_dir, rows_naming(Receipt.storage_key))


def already_recorded(budget_id: int, key: str | None) -> SpendingEntry | None:
    """The payment this form recorded already (a double click, or the form sent again)."""
    if not key:
        return None
    return db.session.scalar(select(SpendingEntry).where(SpendingEntry.budget_id == budget_id,
                                                         SpendingEntry.idempotency_key == key))


LARGE_PENCE = 5_000_00  # above this, and above what is left on the line, a payment is checked with the person


def payment_warnings(budget_id: int, details: PaymentDetails, left_pence: int) -> dict[str, str]:
    """What to ask the person before recording: the same payment recorded already (date, amount, payee, line),
    or an amount far beyond the line (more than its whole year, or over £5,000 and more than is left)."""
    warnings = {}
    same = db.session.scalar(select(SpendingEntry).where(
        SpendingEntry.budget_id == budget_id, SpendingEntry.status == RecordStatus.ACTIVE,
        SpendingEntry.paid_on == details.paid_on, SpendingEntry.amount_pence == details.amount_pence,
        func.lower(SpendingEntry.payee) == details.payee.lower(),
        SpendingEntry.line_id.in_(select(BudgetLine.id).where(
            func.coalesce(BudgetLine.root_line_id, BudgetLine.id) == details.line.lineage)))
        .order_by(SpendingEntry.id))
    if same is not None:
        warnings["duplicate"] = (f"You recorded this already on {same.created_at.astimezone(UK):%-d %B %Y}: "
                                 f"{format_pence(same.amount_pence)} to {same.payee} on {same.paid_on:%-d %B %Y}, "
                                 f"against {details.line.item}. Record it again?")
    line = details.line
    if details.amount_pence > line.annual_pence or (details.amount_pence > LARGE_PENCE
                                                    and details.amount_pence > left_pence):
        warnings["large"] = (f"{format_pence(details.amount_pence)} is more than "
                             + (f"the whole of {line.item} for the year ({format_pence(line.annual_pence)})"
                                if details.amount_pence > line.annual_pence
                                else f"is left on {line.item} ({format_pence(max(left_pence, 0))})")
                             + ". Check the amount: is it right?")
    return warnings


def record_payment(budget, details: PaymentDetails, actor, receipt: Receipt | None = None,
                   idempotency_key: str | None = None) -> SpendingEntry:
    entry = SpendingEntry(
        budget_id=budget.id,
        line_id=details.line.id,
        paid_on=details.paid_on,
        amount_pence=details.amount_pence,
        payee=details.payee,
        category=details.line.category,
        note=details.note,
        receipt=receipt,
        created_by_id=actor.id,
        idempotency_key=idempotency_key or None,
    )
    db.session.add(entry)
    db.session.flush()
    record("spending.recorded", entry, actor=actor, budget_id=budget.id, **_entry_values(entry))
    return entry


def correct_payment(entry: SpendingEntry, details: PaymentDetails, reason: str, actor,
                    receipt: Receipt | None = None) -> SpendingEntry:
    """Replace an entry with a corrected copy; the original stays, marked corrected, with who/when/why."""
    mark_changed(entry, RecordStatus.CORRECTED, reason, actor)
    replacement = SpendingEntry(
        budget_id=entry.budget_id,
        line_id=details.line.id,
        paid_on=details.paid_on,
        amount_pence=details.amount_pence,
        payee=details.payee,
        category=details.line.category,
        note=details.note,
        receipt=receipt or entry.receipt,
        corrects_id=entry.id,
        created_by_id=actor.id,
    )
    db.session.add(replacement)
    db.session.flush()
    record("spending.corrected", entry, actor=actor, budget_id=entry.budget_id, reason=reason,
           before=_entry_values(entry), after=_entry_values(replacement), replacement_id=replacement.id)
    return replacement


def void_payment(entry: SpendingEntry, reason: str, actor) -> None:
    mark_changed(entry, RecordStatus.VOIDED, reason, actor)
    record("spending.voided", entry, actor=actor, budget_id=entry.budget_id, reason=reason,
           amount_pence=entry.amount_pence)


@dataclass
class EntryFilter:
    plan_year: PlanYear
    line_id: int | None = None
    lineage: int | None = None
    month: str | None = None
    include_changed: bool = False


@cache
def _entries(include_changed: bool, by_line: bool):
    """The spending list's two statements for one shape of filter, built once (pbportal/extensions.py, prebuilt
    statements): the counts and total, and a page of entries newest first. Parameters: budget_id, start, end,
    and lineage when by line (then a line's payments across every version of the plan, as the line's figures
    count them); the page's also limit and offset."""
    query = select(SpendingEntry).where(SpendingEntry.budget_id == bindparam("budget_id"),
                                        SpendingEntry.paid_on.between(bindparam("start"), bindparam("end")))
    if not include_changed:
        query = query.where(SpendingEntry.status == RecordStatus.ACTIVE)
    if by_line:
        same_line = (select(BudgetLine.id)
                     .where(func.coalesce(BudgetLine.root_line_id, BudgetLine.id) == bindparam("lineage")))
        query = query.where(SpendingEntry.line_id.in_(same_line))
    base = query.subquery()
    is_active = base.c.status == RecordStatus.ACTIVE
    counts = select(func.count(), func.count().filter(is_active),
                    func.coalesce(func.sum(base.c.amount_pence).filter(is_active), 0))
    page = (query.options(joinedload(SpendingEntry.line), joinedload(SpendingEntry.receipt))
            .order_by(SpendingEntry.paid_on.desc(), SpendingEntry.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return counts, page


def list_entries(budget_id: int, flt: EntryFilter, page: int) -> tuple[Page, int, int]:
    """One page of entries, newest first; the total of those that count, and how many count: two queries,
    whatever the size."""
    start, end = flt.plan_year.start, flt.plan_year.end
    if flt.month:
        bounds = month_bounds(flt.month)
        start, end = max(start, bounds[0]), min(end, bounds[1])
    counts, entries = _entries(flt.include_changed, bool(flt.lineage))
    params = {"budget_id": budget_id, "start": start, "end": end, "lineage": flt.lineage}
    counted, total_count, total_pence = db.session.execute(counts, params).one()
    found = page_of(entries, page, count=counted, params=params)
    return found, int(total_pence), total_count


# On every visit to the budget page: built once (pbportal/extensions.py, prebuilt statements).
_RECENT = (select(SpendingEntry)
           .options(joinedload(SpendingEntry.line), joinedload(SpendingEntry.receipt))
           .where(SpendingEntry.budget_id == bindparam("budget_id"), SpendingEntry.status == RecordStatus.ACTIVE)
           .order_by(SpendingEntry.paid_on.desc(), SpendingEntry.created_at.desc(), SpendingEntry.id.desc())
           .limit(bindparam("limit")))


def recent_entries(budget_id: int, limit: int = 5):
    """The latest payments by the date they were paid (a payment recorded today for last month comes after this
    week's), then the order they were recorded in."""
    return db.session.scalars(_RECENT, {"budget_id": budget_id, "limit": limit}).all()


def entry_history(entry: SpendingEntry) -> list[SpendingEntry]:
    """The chain of versions an entry belongs to, oldest first (corrections link back by corrects_id)."""
    chain = [entry]
    cursor = entry
    while cursor.corrects_id is not None and len(chain) < 50:
        cursor = db.session.get(SpendingEntry, cursor.corrects_id)
        chain.insert(0, cursor)
    later = entry
    while len(chain) < 50:
        nxt = db.session.scalar(select(SpendingEntry).where(SpendingEntry.corrects_id == later.id))
        if nxt is None:
            break
        chain.append(nxt)
        later = nxt
    return chain
