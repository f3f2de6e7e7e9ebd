"""Importing the payroll provider's payslip summary: each row matched to a PA and compared with the pay already
recorded, then every new row recorded as pay (with its payments), or none is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..budget.services import current_plan, plan_lines
from ..choices import RecordStatus
from ..dates import plan_year_for
from ..extensions import db
from .models import PayRecord, PaySource, PersonalAssistant
from .payroll_csv import PayrollRow, parse
from .services import DuplicatePeriod, employment_lines, record_pay


@dataclass
class PayrollImport:
    """What an import did: pay records created and rows already recorded alike, or the problems that stopped it
    (then nothing counts, and the caller rolls back)."""

    created: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.problems:
            count = len(self.problems)
            return (f"The file has {count} problem{'s' if count != 1 else ''}. Nothing was imported. "
                    "Correct the file and try again.")
        return (f"{self.created} pay record{'s' if self.created != 1 else ''} imported"
                + (f"; {self.skipped} already recorded and left as they were" if self.skipped else "") + ".")


def _row_problem(row: PayrollRow, recorded: PayRecord | None, budget, today: date) -> str | None:
    """Why a row cannot be recorded, if it cannot. A row already recorded with the same figures is no problem."""
    pa, values = row.pa, row.values
    if recorded is not None:
        return f"Row {row.line_no}: pay for {pa.name} from {values['period_start']:%-d %B %Y} is already recorded " \
               "with different figures"
    if pa.line_id is None:
        return f"Row {row.line_no}: choose the budget line {pa.name}’s pay comes from first"
    if values["paid_on"] > today or not plan_year_for(budget.plan_year_start, today).contains(values["paid_on"]):
        return f"Row {row.line_no}: the date paid must be in this plan year and not in the future"
    return None


def import_payroll(budget, content: bytes, actor, today: date) -> PayrollImport:
    """Check every row, then record them all if none has a problem; the caller commits, or rolls back if the
    result has problems. Raises PayrollFileError when the file as a whole cannot be read."""
    pas = db.session.scalars(select(PersonalAssistant).where(PersonalAssistant.budget_id == budget.id)).all()
    parsed = parse(content, {pa.name.strip().lower(): pa for pa in pas})
    if parsed.errors:
        return PayrollImport(problems=parsed.errors)
    recorded = {(r.pa_id, r.period_start): r for r in db.session.scalars(
        select(PayRecord).where(PayRecord.budget_id == budget.id, PayRecord.status == RecordStatus.ACTIVE))}
    result, new_rows = PayrollImport(), []
    for row in parsed.rows:
        same = recorded.get((row.pa.id, row.values["period_start"]))
        if same is not None and all(getattr(same, key) == value for key, value in row.values.items()):
            result.skipped += 1
        elif problem := _row_problem(row, same, budget, today):
            result.problems.append(problem)
        else:
            new_rows.append(row)
    if result.problems:
        return result
    lines = employment_lines(plan_lines(current_plan(budget)))
    for row in new_rows:
        try:
            record_pay(row.pa, row.values, {"wages": row.pa.line, **lines}, actor, source=PaySource.CSV)
        except DuplicatePeriod as err:  # recorded by someone else since the check above
            result.problems.append(f"Row {row.line_no}: {err}")
        else:
            result.created += 1
    return result
