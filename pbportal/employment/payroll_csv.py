"""Importing a payroll provider's payslip summary (CSV): checked whole, saved all-or-nothing."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..money import MoneyError, is_nothing, parse_pounds

MAX_BYTES = 1024 * 1024

COLUMNS = {
    "pa": ("pa", "employee", "employee name", "name", "personal assistant"),
    "period_start": ("period start", "period from", "from"),
    "period_end": ("period end", "period to", "to"),
    "hours": ("hours", "hours worked"),
    "gross": ("gross", "gross pay"),
    "employer_ni": ("employer ni", "employers ni", "er ni"),
    "employee_pension": ("employee pension", "ee pension"),
    "employer_pension": ("employer pension", "er pension"),
    "net": ("net", "net pay"),
    "paid_on": ("date paid", "paid on", "payment date", "pay date"),
}
REQUIRED = ("pa", "period_start", "period_end", "hours", "gross", "net", "paid_on")
LABELS = {"pa": "PA", "period_start": "Period start", "period_end": "Period end", "hours": "Hours",
          "gross": "Gross pay", "employer_ni": "Employer NI", "employee_pension": "Employee pension",
          "employer_pension": "Employer pension", "net": "Net pay", "paid_on": "Date paid"}


class PayrollFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class PayrollRow:
    line_no: int
    pa: object
    values: dict


@dataclass
class PayrollParse:
    rows: list[PayrollRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _normalise(header: str) -> str:
    text = header.lower().replace("_", " ").replace("’", "").replace("'", "")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]", "", text)).strip()


def _date(text: str) -> date:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def decode(content: bytes) -> str:
    if not content.strip():
        raise PayrollFileError("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise PayrollFileError("The file must be smaller than 1 MB")
    if b"\x00" in content[:4096]:
        raise PayrollFileError("The file must be a CSV file exported from your payroll service")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayrollFileError("The file must be saved as UTF-8 (in Excel: Save as ‘CSV UTF-8’)") from None


def parse(content: bytes, pas_by_name: dict[str, object]) -> PayrollParse:
    """Read every row, collecting each problem with its row number; rows are only usable if none."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise PayrollFileError("The selected file is empty") from None
    except csv.Error:
        raise PayrollFileError("The file could not be read as CSV") from None
    positions = {}
    for index, name in enumerate(header):
        key = next((k for k, names in COLUMNS.items() if _normalise(name) in names), None)
        if key and key not in positions:
            positions[key] = index
    missing = [LABELS[k] for k in REQUIRED if k not in positions]
    if missing:
        raise PayrollFileError(f"The file is missing columns: {', '.join(missing)}")
    result = PayrollParse()
    seen = set()
    try:
        for line_no, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            cells = {k: (raw[i].strip() if i < len(raw) else "") for k, i in positions.items()}
            problems = []
            pa = pas_by_name.get(cells["pa"].strip().lower())
            if pa is None:
                problems.append(f"no PA called ‘{cells['pa']}’")
            elif not pa.is_employed:
                problems.append(f"{pa.name} is self-employed: record their invoices as payments instead")
            values = {}
            for key in ("period_start", "period_end", "paid_on"):
                try:
                    values[key] = _date(cells[key])
                except ValueError:
                    problems.append(f"{LABELS[key].lower()} ‘{cells[key]}’ is not a date like 31/03/2026")
            try:
                values["hours"] = Decimal(cells["hours"].replace(",", ""))
                if not values["hours"].is_finite() or values["hours"] < 0:
                    raise InvalidOperation
                if values["hours"] >= 10000 or values["hours"] != values["hours"].quantize(Decimal("0.01")):
                    problems.append(f"hours ‘{cells['hours']}’ must be under 10,000, with up to 2 decimal places")
            except InvalidOperation:
                problems.append(f"hours ‘{cells['hours']}’ is not a number of hours")
            for key, target in (("gross", "gross_pence"), ("net", "net_pence"), ("employer_ni", "employer_ni_pence"),
                                ("employee_pension", "employee_pension_pence"),
                                ("employer_pension", "employer_pension_pence")):
                text_value = cells.get(key, "")
                if key not in ("gross", "net") and is_nothing(text_value):
                    values[target] = 0
                    continue
                try:
                    values[target] = parse_pounds(text_value)
                except MoneyError as err:
                    problems.append(f"{LABELS[key].lower()}: {str(err)[0].lower()}{str(err)[1:]}")
            if not problems:
                if values["period_end"] < values["period_start"]:
                    problems.append("the period ends before it starts")
                else:
                    most = ((values["period_end"] - values["period_start"]).days + 1) * 24
                    if values["hours"] > most:
                        problems.append(f"hours ‘{cells['hours']}’ is more than the {most:,} hours in the pay period")
                if values["net_pence"] > values["gross_pence"]:
                    problems.append("net pay is more than gross pay")
                elif values["net_pence"] + values["employee_pension_pence"] > values["gross_pence"]:
                    problems.append("net pay and employee pension add up to more than gross pay")
                key = (pa.id, values["period_start"])
                if key in seen:
                    problems.append("the same PA and pay period appear twice in the file")
                seen.add(key)
            if problems:
                result.errors.append(f"Row {line_no}: {'; '.join(problems)}")
            else:
                result.rows.append(PayrollRow(line_no, pa, values))
    except csv.Error:
        raise PayrollFileError("The file could not be read as CSV") from None
    if not result.rows and not result.errors:
        raise PayrollFileError("The file has a header row but no pay rows")
    return result
