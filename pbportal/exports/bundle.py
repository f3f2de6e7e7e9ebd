"""All of a budget's data as one ZIP: a CSV for each kind of record (one row a record, every column), every
receipt and document as it was uploaded, and a README.txt saying what each file holds. Only this budget's
records: every table is read `WHERE budget_id = …`."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime

from sqlalchemy import select

from ..budget.models import Budget
from ..documents.models import Document
from ..documents.services import PREFIX as DOCUMENTS
from ..extensions import db
from ..spending.models import Receipt
from ..spending.receipts import read
from ..spreadsheet import text_cell

# Each kind of record, the CSV it goes in, and what it holds (README.txt). Tables not named here are the
# portal's own workings (sessions, the audit trail, notifications to staff, jobs), not the person's records.
SECTIONS: list[tuple[str, str, str]] = [
    ("budget", "budget.csv", "The budget itself: whose it is, who funds it, how it is held, the plan year, its "
                             "review date and, if it has ended, when and why."),
    ("plan", "plans.csv", "Each version of the care and support plan's budget, and when it was agreed."),
    ("budget_line", "plan_lines.csv", "The lines of each plan version: what each is for, how much and how often."),
    ("spending_entry", "spending.csv", "Every payment out, with its date, payee, line and amount in pence; voided "
                                      "and corrected payments are kept, with their reason."),
    ("money_in", "money_in.csv", "Every payment into the budget: from the funder, contributions and other money."),
    ("receipt", "receipts.csv", "Each receipt's details; the files themselves are in receipts/."),
    ("personal_assistant", "pas.csv", "The personal assistants employed, and how they are paid."),
    ("pay_rate", "pa_rates.csv", "Each PA's hourly rates."),
    ("pay_record", "pay.csv", "Each period's pay: hours, gross and net pay, tax, National Insurance, pension, "
                              "holiday and sick pay, in pence."),
    ("employment_check", "checks.csv", "The employer's checks on each PA: right to work, DBS, contract, pension."),
    ("training", "training.csv", "PAs' training, and when it runs out."),
    ("delegated_task", "delegated_tasks.csv", "Healthcare tasks delegated to PAs, and who trained them."),
    ("absence", "absences.csv", "PAs' holidays and sickness."),
    ("employer", "employer.csv", "The employer's details: PAYE reference, insurance."),
    ("allowance_claim", "employment_allowance.csv", "Employment Allowance claimed, by tax year."),
    ("contingency_plan", "contingency.csv", "The contingency plan's last-resort contact."),
    ("contingency_arrangement", "contingency_arrangements.csv", "What happens if something goes wrong, and its "
                                                                "cost."),
    ("risk", "risks.csv", "The risk register: each risk, how it is mitigated or accepted."),
    ("review", "reviews.csv", "Reviews of the plan and how the money is used."),
    ("review_request", "review_requests.csv", "Requests for a review, and what happened to each."),
    ("representative", "representatives.csv", "Who acts for the person, and what they may do."),
    ("statement", "statements.csv", "Bank statements imported."),
    ("statement_line", "statement_lines.csv", "Every line of those statements, and whether it is matched, to "
                                              "match or set aside."),
    ("match_rule", "matches.csv", "What earlier matches taught: which payee goes to which line."),
    ("reconciliation_period", "reconciliations.csv", "Periods reconciled against the bank."),
    ("monitoring_return", "returns.csv", "Monitoring returns sent to the funder, with their figures."),
    ("return_event", "return_history.csv", "Each step of each return: submitted, queried, answered, accepted."),
    ("line_comment", "notes.csv", "Notes and questions about statement lines, and their answers."),
    ("provider_handover", "provider_moves.csv", "Each move of a managed account to another provider: who held it "
     "from when to when, and why it moved."),
    ("document", "documents.csv", "Each document's details; the files themselves are in documents/."),
]


def _rows(name: str, budget_id: int) -> tuple[list[str], list[list[str]]]:
    table = db.metadata.tables[name]
    key = table.c.id if name == "budget" else table.c.budget_id
    columns = [c.name for c in table.columns]
    rows = db.session.execute(select(table).where(key == budget_id).order_by(table.c.id)).all()
    return columns, [[_cell(value) for value in row] for row in rows]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    return text_cell(value)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "file"


def build(budget: Budget, location: str) -> tuple[bytes, int]:
    """The ZIP's bytes, and how many files it holds."""
    out = io.BytesIO()
    listing = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, filename, about in SECTIONS:
            columns, rows = _rows(name, budget.id)
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerows(rows)
            archive.writestr(filename, "\ufeff" + text.getvalue())
            listing.append((filename, f"{about} {len(rows)} row{'s' if len(rows) != 1 else ''}."))
        for receipt in db.session.scalars(select(Receipt).where(Receipt.budget_id == budget.id).order_by(Receipt.id)):
            content = read(location, receipt.storage_key)
            if content is not None:
                archive.writestr(f"receipts/{receipt.id}-{_safe(receipt.original_name)}", content)
        for document in db.session.scalars(select(Document).where(Document.budget_id == budget.id,
                                                                   Document.removed_at.is_(None))
                                           .order_by(Document.id)):
            content = read(location, document.storage_key, DOCUMENTS)
            if content is not None:
                archive.writestr(f"documents/{document.id}-{_safe(document.original_name)}", content)
        archive.writestr("README.txt", _readme(budget, listing))
        count = len(archive.namelist())
    return out.getvalue(), count


def _readme(budget: Budget, listing: list[tuple[str, str]]) -> str:
    lines = [f"All the records pbportal keeps about {budget.person_name}'s personal budget.", "",
             "Each .csv file opens in a spreadsheet. Money is in pence (12345 is £123.45); dates are year-month-day;",
             "times are in UTC. Records that were voided, corrected or removed are kept, with who and why.", "",
             "receipts/    every receipt, as it was uploaded (the number is the receipt's id in receipts.csv)",
             "documents/   every document kept on the budget (the number is its id in documents.csv)", ""]
    lines += [f"{filename:<32}{about}" for filename, about in listing]
    return "\r\n".join(lines) + "\r\n"
