"""The two text statements some banks give instead of CSV: QIF (the Quicken Interchange Format: `!Type:Bank`,
then `D` date, `T` amount, `P` payee and `M` memo lines, each transaction ended by `^`) and Santander's text
export (`From:` and `Account:` lines, then `Date:`, `Description:`, `Amount:` and `Balance:` records). Both
give the same lines a CSV would, so the check, import and matching treat them alike."""
from __future__ import annotations

import re
from decimal import InvalidOperation

from ..money import format_pence
from .statement_csv import (
    LARGEST_LINE_PENCE,
    Layout,
    Parsed,
    ParsedLine,
    TooLarge,
    _date_and_style,
    _money,
    check_balances,
)

# The fields are fixed by the format: no column mapping.
QIF_LAYOUT = Layout(date="D", description="P", amount="T")
SANTANDER_LAYOUT = Layout(date="Date", description="Description", amount="Amount", balance="Balance")


def kind_of(text: str) -> str | None:
    """'qif', 'santander' or None for any other text."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if re.match(r"!Type:\s*(Bank|CCard|Cash)", head, re.I):
        return "qif"
    if re.search(r"^\s*Date:", head, re.M) and re.search(r"^\s*Amount:", head, re.M) and \
            re.search(r"^\s*(From|Account):", head, re.M):
        return "santander"
    return None


def _amount(text: str, row: int, errors: list[str], what: str = "amount") -> int | None:
    """Pence from '-1,250.00', '12.50 GBP' or '£12.50'; an error (and None) otherwise."""
    raw = re.sub(r"\s*(GBP|£)\s*$", "", text.replace("\xa0", " ").strip(), flags=re.I).replace("£", "")
    try:
        return _money(raw)
    except TooLarge:
        errors.append(f"Transaction {row}: the {what} ‘{text[:40]}’ is more than {format_pence(LARGEST_LINE_PENCE)}")
    except (ValueError, InvalidOperation):
        errors.append(f"Transaction {row}: the {what} ‘{text[:40]}’ is not a sum of money like 12.50")
    return None


def _day(text: str, row: int, errors: list[str]):
    try:
        return _date_and_style(text.replace("'", "/").strip())[0]
    except ValueError:
        errors.append(f"Transaction {row}: the date ‘{text[:40]}’ is not a date like 31/03/2026")
        return None


def parse_qif(text: str) -> Parsed:
    parsed = Parsed(header=["D", "P", "T"])
    record: dict[str, str] = {}
    row = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line == "^":
            row += 1
            _add_qif(parsed, record, row)
            record = {}
            continue
        code, value = line[0].upper(), line[1:].strip()
        if code in "DTUPM" and code not in record:
            record[code] = value
    if record:  # a last transaction without its ^
        _add_qif(parsed, record, row + 1)
    _finish(parsed)
    return parsed


def _add_qif(parsed: Parsed, record: dict[str, str], row: int) -> None:
    if not record:
        return
    day = _day(record.get("D", ""), row, parsed.errors)
    pence = _amount(record.get("T", record.get("U", "")), row, parsed.errors)
    description = " ".join(part for part in (record.get("P", ""), record.get("M", "")) if part).strip()
    if day is not None and pence:
        parsed.lines.append(ParsedLine(row, day, description[:500] or "No description", pence, None))
    elif day is not None and pence is None and not any(e.startswith(f"Transaction {row}:") for e in parsed.errors):
        parsed.errors.append(f"Transaction {row}: there is no amount")


def parse_santander(text: str) -> Parsed:
    parsed = Parsed(header=["Date", "Description", "Amount", "Balance"])
    record: dict[str, str] = {}
    row = 0

    def flush():
        nonlocal record, row
        if "date" in record:
            row += 1
            day = _day(record["date"], row, parsed.errors)
            pence = _amount(record.get("amount", ""), row, parsed.errors)
            balance = _amount(record["balance"], row, parsed.errors, "balance") if record.get("balance") else None
            if day is not None and pence:
                parsed.lines.append(ParsedLine(row, day, record.get("description", "")[:500] or "No description",
                                               pence, balance))
        record = {}

    for raw in text.replace("\xa0", " ").splitlines():
        found = re.match(r"\s*(Date|Description|Amount|Balance):\s*(.*)$", raw)
        if not found:
            continue
        key, value = found.group(1).lower(), found.group(2).strip()
        if key == "date" and "date" in record:
            flush()
        record[key] = value
    flush()
    _finish(parsed)
    if not parsed.errors:  # its records carry a running balance, like a CSV's
        check_balances(parsed)
    return parsed


def _finish(parsed: Parsed) -> None:
    if not parsed.lines and not parsed.errors:
        parsed.errors.append("The file has no transactions")
