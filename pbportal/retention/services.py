"""Removing personal data past its retention period. A budget that ended more than RETENTION_YEARS ago (at least
6) keeps its accounts — every money record, plan, statement, return and the audit log, which show public money
was looked after — but loses what identifies people and what is about their health:

- the person's name (it becomes "Person <id>") and date of birth, and the note on why the budget ended;
- representatives' links to the budget;
- the contingency plan's contacts, and what each arrangement says and who steps in;
- the risk register's descriptions and mitigations, review requests' details, and notes and questions about
  statement lines;
- every receipt and document file (the rows stay, marked removed "at the end of the retention period");
- personal assistants' names ("PA <id>"), phone numbers, email addresses and dates of birth — but only once
  every one of their pay records is more than 6 years past the end of its tax year (payroll and minimum wage
  records must be kept that long: National Minimum Wage Regulations 2015, reg 59(8)).

Each budget's removal is one audit row (`retention.removed`) saying what was removed. Without `confirm`, nothing
changes: the command lists what it would remove."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import column, func, select, table, update

from ..audit import record
from ..budget.models import Budget
from ..documents.models import Document
from ..documents.services import PREFIX as DOCUMENTS
from ..employment.models import PayRecord, PersonalAssistant
from ..employment.rates import tax_year_start
from ..extensions import db
from ..spending.models import Receipt
from ..spending.receipts import discard
from ..timeutil import utcnow

REMOVED = "Removed at the end of the retention period"
PAY_RECORD_YEARS = 6

# (table, column, what it becomes) for every budget past retention.
TEXT_FIELDS = [
    ("contingency_plan", "last_resort_name", ""), ("contingency_plan", "last_resort_phone", ""),
    ("contingency_arrangement", "what_happens", REMOVED), ("contingency_arrangement", "who_steps_in", ""),
    ("contingency_arrangement", "contact", ""),
    ("risk", "description", REMOVED), ("risk", "mitigation", ""), ("risk", "accepted_by", ""),
    ("review_request", "details", REMOVED), ("review_request", "decline_reason", ""),
    ("line_comment", "text", REMOVED), ("line_comment", "answer", ""),
]


@dataclass
class Due:
    budget_id: int
    person_name: str
    ended_on: date
    files: int
    pas_cleared: list[int] = field(default_factory=list)
    pas_kept: list[int] = field(default_factory=list)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due(today: date, years: int) -> list[Due]:
    """The ended budgets past retention whose personal data is not yet removed."""
    cutoff = _years_before(today, years)
    found = []
    for budget in db.session.scalars(select(Budget).where(Budget.ended_on.is_not(None), Budget.ended_on < cutoff,
                                                          ~Budget.person_name.like("Person %"))
                                     .order_by(Budget.id)):
        files = (db.session.scalar(select(func.count()).select_from(Receipt).where(Receipt.budget_id == budget.id))
                 + db.session.scalar(select(func.count()).select_from(Document).where(
                     Document.budget_id == budget.id, Document.removed_at.is_(None))))
        entry = Due(budget.id, budget.person_name, budget.ended_on, files)
        pa_ids = db.session.scalars(select(PersonalAssistant.id).where(PersonalAssistant.budget_id == budget.id))
        for pa_id in pa_ids.all():
            last = db.session.scalar(select(func.max(PayRecord.period_end)).where(PayRecord.pa_id == pa_id))
            # Kept until 6 years after the end of the tax year of the PA's last pay record.
            keep_until = None if last is None else tax_year_start(last).replace(
                year=tax_year_start(last).year + 1 + PAY_RECORD_YEARS)
            (entry.pas_kept if keep_until and keep_until > today else entry.pas_cleared).append(pa_id)
        found.append(entry)
    return found


def remove(entry: Due) -> list[tuple[str, str]]:
    """Remove one budget's personal data in the current transaction; returns the files (storage key, prefix) to
    remove from the store once it has committed, so a rolled-back run leaves every file its rows name."""
    budget = db.session.get(Budget, entry.budget_id)
    budget.person_name, budget.date_of_birth, budget.end_note = f"Person {budget.id}", None, ""
    for name, col, value in TEXT_FIELDS:
        t = table(name, column("budget_id"), column(col))
        db.session.execute(update(t).where(t.c.budget_id == budget.id).values({col: value}))
    reps = table("representative", column("budget_id"))
    db.session.execute(reps.delete().where(reps.c.budget_id == budget.id))
    for pa_id in entry.pas_cleared:
        db.session.execute(update(PersonalAssistant).where(PersonalAssistant.id == pa_id).values(
            name=f"PA {pa_id}", phone="", email="", date_of_birth=None))
    files = []
    for receipt in db.session.scalars(select(Receipt).where(Receipt.budget_id == budget.id)):
        files.append((receipt.storage_key, ""))
        receipt.original_name = "removed"
    now = utcnow()
    for document in db.session.scalars(select(Document).where(Document.budget_id == budget.id)):
        files.append((document.storage_key, DOCUMENTS))
        if document.removed_at is None:
            document.removed_at, document.removed_reason = now, REMOVED
        document.original_name = "removed"
    record("retention.removed", budget, actor=None, budget_id=budget.id, ended_on=entry.ended_on, files=entry.files,
           pas_cleared=entry.pas_cleared, pas_kept_for_pay_records=entry.pas_kept,
           fields=[f"{name}.{col}" for name, col, _ in TEXT_FIELDS])
    return files


def remove_files(location: str, files: list[tuple[str, str]]) -> None:
    for key, prefix in files:
        discard(location, key, prefix)
