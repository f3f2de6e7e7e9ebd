"""Reading UK banks' CSV statement exports: header rows before the table, one signed amount column or
separate paid-out / paid-in columns, an optional balance, £ signs and thousands separators, quoted fields,
UTF-8 (with or without BOM), Windows-1252 or UTF-16 with a BOM (Excel's "Unicode text"), and DD/MM/YYYY or
ISO dates (one way of writing them in a file)."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..money import format_pence

MAX_BYTES = 10 * 1024 * 1024
TOO_LARGE = f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB"

GUESSES = {
    "date": ("date", "transaction date", "posting date", "posted date", "value date", "txn date", "completed date"),
    "description": ("description", "details", "narrative", "transaction description", "memo", "payee",
                    "reference", "transaction details", "name", "counter party", "counterparty"),
    "amount": ("amount", "value", "amount gbp", "transaction amount"),
    "paid_out": ("paid out", "money out", "debit", "debit amount", "out", "withdrawals", "payments"),
    "paid_in": ("paid in", "money in", "credit", "credit amount", "in", "deposits", "receipts"),
    "balance": ("balance", "running balance", "balance gbp"),
    "indicator": ("cr dr", "dr cr", "debit credit", "credit debit", "debit or credit", "credit or debit",
                  "cr or dr", "dr or cr", "credit debit indicator", "debit credit indicator", "indicator",
                  "in out", "dc", "cd"),
}
# What a CR/DR column says: money in, or money out.
CREDIT_WORDS = {"CR", "C", "CREDIT", "IN", "+"}
DEBIT_WORDS = {"DR", "D", "DEBIT", "OUT", "-"}


class StatementError(ValueError):
    """The file as a whole cannot be used; the message is for the user."""


@dataclass
class Layout:
    date: str
    description: str
    amount: str = ""
    paid_out: str = ""
    paid_in: str = ""
    balance: str = ""
    indicator: str = ""  # a column saying CR or DR beside an amount that is always positive

    def problems(self) -> dict[str, str]:
        """What is missing, by the field it is missing from (the amount stands for the paid-out and paid-in
        columns too)."""
        found = {}
        if not self.date:
            found["date"] = "Choose the column with the date"
        if not self.description:
            found["description"] = "Choose the column with the description"
        if not self.amount and not (self.paid_out and self.paid_in):
            found["amount"] = "Choose either the amount column, or both the paid-out and paid-in columns"
        return found


@dataclass
class ParsedLine:
    row: int
    line_date: date
    description: str
    amount_pence: int
    balance_pence: int | None
    fingerprint: str = ""


@dataclass
class Parsed:
    header: list[str]
    lines: list[ParsedLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    balance_breaks: list[str] = field(default_factory=list)
    newest_first: bool = False  # the file lists the latest transaction first
    skipped: list[str] = field(default_factory=list)  # rows that are not transactions (totals, balances…)
    left_out: dict[str, int] = field(default_factory=dict)  # transactions not completed, by their state
    accounts: list[str] = field(default_factory=list)  # a file of several accounts: each one's name or number
    account: str = ""  # the one chosen: only its rows are read
    other_accounts_rows: int = 0

    @property
    def needs_account(self) -> bool:
        """Several accounts in one file and none chosen yet: nothing is imported until one is."""
        return len(self.accounts) > 1 and self.account not in self.accounts

    @property
    def closing_balance_pence(self) -> int | None:
        """The balance after the latest transaction: on the last day, the line listed first in a newest-first
        file, otherwise the one listed last."""
        with_balance = [line for line in self.lines if line.balance_pence is not None]
        if not with_balance:
            return None
        last_day = max(line.line_date for line in with_balance)
        on_last_day = [line for line in with_balance if line.line_date == last_day]
        return (on_last_day[0] if self.newest_first else on_last_day[-1]).balance_pence

    @property
    def money_in_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines if line.amount_pence > 0)

    @property
    def money_out_pence(self) -> int:
        return -sum(line.amount_pence for line in self.lines if line.amount_pence < 0)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]", " ", text.lower())).strip()


def decode(content: bytes) -> str:
    if not content.strip():
        raise StatementError("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise StatementError(TOO_LARGE)
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark: Excel's "Unicode text"
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            _refuse_encoding()
    elif b"\x00" in content[:8192] or content[:4] in (b"PK\x03\x04", b"%PDF") or content[:8] == b"\x89PNG\r\n\x1a\n":
        raise StatementError("The file must be a CSV file exported from the bank (not a spreadsheet, PDF or image)")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="strict") if _is_cp1252(content) else _refuse_encoding()
    if not text.strip("\ufeff \t\r\n"):  # nothing but a byte-order mark or blank lines
        raise StatementError("The selected file is empty")
    return text


def _is_cp1252(content: bytes) -> bool:
    try:
        content.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _refuse_encoding():
    raise StatementError("The file’s text could not be read: save it as CSV (UTF-8) and try again")


def rows_of(text: str) -> list[list[str]]:
    """The non-blank rows; each remembers its line number in the file (for messages) as numbered[i]."""
    return [row for _, row in numbered_rows(text)]


def numbered_rows(text: str) -> list[tuple[int, list[str]]]:
    if "\r" in text and "\n" not in text:  # old Excel for Mac ends lines with CR alone
        text = text.replace("\r", "\n")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error:
        raise StatementError("The file could not be read as CSV") from None
    return rows


def find_header(rows: list[list[str]]) -> int:
    """The row naming the columns: the first with a date column and at least two other known names."""
    known = {name for names in GUESSES.values() for name in names}
    for index, row in enumerate(rows[:30]):
        names = [_norm(cell) for cell in row]
        if any(n in GUESSES["date"] for n in names) and sum(n in known for n in names) >= 3:
            return index
    # Otherwise: the row just before the first row that holds a date, if it holds none itself.
    for index, row in enumerate(rows[:31]):
        if index and _has_date(row) and not _has_date(rows[index - 1]) and len(rows[index - 1]) >= 3:
            return index - 1
    raise StatementError("No header row was found: the file needs a row naming its columns (Date, Description, "
                         "Amount or Paid out / Paid in)")


def table_start(rows: list[list[str]]) -> tuple[int, list[str]]:
    """Where the table starts and its columns' names: the header row's index, or -1 for a file with no header
    row whose first row is already a transaction (HSBC exports date, description, amount with no names), whose
    columns are then called Column 1, Column 2…"""
    try:
        start = find_header(rows)
        return start, [cell.strip() for cell in rows[start]]
    except StatementError:
        if rows and _has_date(rows[0]) and len(rows[0]) >= 3:
            return -1, [f"Column {n}" for n in range(1, max(len(row) for row in rows[:50]) + 1)]
        raise


def read_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The file's columns' names and the rows after them (StatementError if it has no header row and its first
    row is no transaction): one reading of the file for the columns step."""
    rows = rows_of(decode(content))
    start, header = table_start(rows)
    return header, rows[start + 1:]


def first_rows(body: list[list[str]], count: int = 5) -> list[list[str]]:
    """The table's first rows, to show beside the question of which column holds what."""
    return [[cell.strip()[:60] for cell in row] for row in body[:count]]


def guess_by_content(header: list[str], body: list[list[str]]) -> Layout:
    """For a file whose columns have no names: the first column of dates, the first of sums of money (the
    amount) and the next (a balance), and the widest column of words (the description). A guess the person
    checks, never used without asking."""
    body = body[:50]

    def share(index, test) -> float:
        values = [row[index] for row in body if index < len(row) and row[index].strip()]
        ok = 0
        for value in values:
            try:
                test(value)
                ok += 1
            except (ValueError, InvalidOperation, TooLarge):
                pass
        return ok / len(body) if body else 0

    dates = [i for i in range(len(header)) if share(i, _date) > 0.8]
    money = [i for i in range(len(header)) if i not in dates and share(i, _money) > 0.8]
    words = [i for i in range(len(header)) if i not in dates and i not in money]
    width = {i: sum(len(row[i]) for row in body if i < len(row)) for i in words}
    name = lambda indexes, n=0: header[indexes[n]] if len(indexes) > n else ""  # noqa: E731
    return Layout(date=name(dates), description=header[max(width, key=width.get)] if width else "",
                  amount=name(money), balance=name(money, 1))


def _has_date(row: list[str]) -> bool:
    for cell in row:
        try:
            _date(cell)
            return True
        except ValueError:
            continue
    return False


def guess_layout(header: list[str]) -> Layout | None:
    chosen = {}
    for key, names in GUESSES.items():
        chosen[key] = next((cell for cell in header if _norm(cell) in names), "")
    layout = Layout(chosen["date"], chosen["description"], chosen["amount"], chosen["paid_out"], chosen["paid_in"],
                    chosen["balance"], chosen["indicator"])
    if layout.amount and layout.paid_out and layout.paid_in:
        layout.amount = ""  # separate columns are clearer than an ambiguous "value"
    return None if layout.problems() else layout


# The most one line or balance of a personal budget's statement can be: more is a misread column, not money.
LARGEST_LINE_PENCE = 10_000_000_00


class TooLarge(ValueError):
    """An amount beyond LARGEST_LINE_PENCE."""


def _money(text: str) -> int | None:
    """'£1,234.50', '-12.00', '(12.00)', '12.00 DR' -> pence; '' -> None."""
    raw = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if not raw:
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        raw, negative = raw[1:-1], True
    upper = raw.upper()
    if upper.endswith("DR") or upper.endswith("CR"):
        negative, raw = upper.endswith("DR"), raw[:-2]
    if raw.startswith(("-", "−")):
        raw, negative = raw[1:], not negative
    elif raw.startswith("+"):
        raw = raw[1:]
    if not re.fullmatch(r"\d+(\.\d{1,2})?|\.\d{1,2}", raw):
        raise ValueError
    pence = int((Decimal(raw) * 100).to_integral_value())
    if pence > LARGEST_LINE_PENCE:
        raise TooLarge
    return -pence if negative else pence


def _date(text: str) -> date:
    return _date_and_style(text)[0]


def _date_and_style(text: str) -> tuple[date, str]:
    """The date, and how it is written ('%d %b %Y' for both '1 May 2026' and '1 June 2026')."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d.%m.%Y",
                "%d-%b-%y", "%d %b %y", "%d-%B-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date(), fmt.replace("%B", "%b")
        except ValueError:
            continue
    raise ValueError


# Rows a bank adds around the transactions: totals, balances brought or carried forward, the overdraft limit.
NOT_A_TRANSACTION = re.compile(r"brought forward|carried forward|b/f|c/f|opening balance|closing balance|"
                               r"balance at|available balance|total|overdraft|end of statement|start balance|"
                               r"end balance", re.I)
# Revolut and others: only completed transactions moved money.
STATE_COLUMNS = ("state", "status")
# A column naming the account each row is from: an export of several accounts at once.
ACCOUNT_COLUMNS = ("account", "account name", "account number", "account no", "acct", "account id",
                   "sort code and account number", "account details")
FEE_COLUMNS = ("fee", "fees")


def _indicator_column(header: list[str], rows: list[list[str]], layout: Layout) -> str:
    """A column beside a one-column amount that says CR or DR on every row (Nationwide, some building
    societies): today's exports put it under many names, so it is found by what it holds."""
    if not layout.amount:
        return ""
    words = CREDIT_WORDS | DEBIT_WORDS
    for index, name in enumerate(header):
        if name in (layout.date, layout.description, layout.amount, layout.balance):
            continue
        values = [row[index].strip().upper() for row in rows if index < len(row) and row[index].strip()]
        if len(values) >= 2 and all(value in words for value in values) and \
                any(value in DEBIT_WORDS for value in values):
            return name
    return ""


def parse(content: bytes, layout: Layout | None = None, account: str | None = None) -> tuple[Parsed, Layout | None]:
    """Read the whole file; problems are collected with their row numbers (the import then stops whole). Rows
    that are not transactions (totals, balances, the overdraft limit) are skipped and listed. A file of several
    accounts reads only the rows of `account`; until one is chosen, none (parsed.needs_account)."""
    numbered = numbered_rows(decode(content))
    rows = [row for _, row in numbered]
    start, header = table_start(rows)
    body = numbered[start + 1:] if start >= 0 else numbered
    layout = layout if layout and all(
        (getattr(layout, key) in header) for key in ("date", "description", "amount", "paid_out", "paid_in",
                                                      "balance", "indicator") if getattr(layout, key)) else (
        guess_layout(header) if start >= 0 else None)
    parsed = Parsed(header)
    if layout is None:
        return parsed, None
    where = {name: header.index(name) for name in header}
    if not layout.indicator:
        layout.indicator = _indicator_column(header, [row for _, row in body], layout)
    normed = {_norm(name): name for name in header}
    state = next((normed[n] for n in STATE_COLUMNS if n in normed), "")
    fee = next((normed[n] for n in FEE_COLUMNS if n in normed), "")

    def cell(row, name):
        value = row[where[name]].strip() if name and where[name] < len(row) else ""
        return value[1:].lstrip() if value.startswith("'") else value  # NatWest marks text cells with a '

    # Starling and others put the payment's reference in a column of its own: it belongs with the payee.
    reference = normed.get("reference", "")
    if reference == layout.description:
        reference = ""

    account_column = next((normed[n] for n in ACCOUNT_COLUMNS if n in normed), "")
    if account_column:
        parsed.accounts = list(dict.fromkeys(cell(row, account_column) for _, row in body
                                             if cell(row, account_column)))
        if len(parsed.accounts) > 1:
            parsed.account = account if account in parsed.accounts else ""
            kept = [(offset, row) for offset, row in body if cell(row, account_column) in ("", parsed.account)]
            parsed.other_accounts_rows = len(body) - len(kept)
            body = kept
            if not parsed.account:
                return parsed, layout

    problems: dict[int, list[str]] = {}
    styles: dict[int, tuple[str, str]] = {}  # row -> (how its date is written, the date as written)
    for offset, row in body:
        said = cell(row, state).capitalize() if state else ""
        if said and said != "Completed":
            parsed.left_out[said] = parsed.left_out.get(said, 0) + 1
            continue
        found = problems.setdefault(offset, [])
        try:
            line_date, style = _date_and_style(cell(row, layout.date))
        except ValueError:
            line_date = style = None
            found.append(f"the date ‘{cell(row, layout.date)[:40]}’ is not a date like 31/03/2026")
        amount_cell = ""
        amount = None
        try:
            if layout.amount:
                amount_cell = cell(row, layout.amount)
                amount = _money(amount_cell)
                if amount and layout.indicator:
                    said = cell(row, layout.indicator).upper()
                    if said in DEBIT_WORDS:
                        amount = -abs(amount)
                    elif said in CREDIT_WORDS:
                        amount = abs(amount)
                    else:
                        found.append(f"the {layout.indicator} column says ‘{said[:10]}’, not CR or DR")
            else:
                amount_cell = cell(row, layout.paid_out)
                out = _money(amount_cell)
                amount_cell = cell(row, layout.paid_in)
                into = _money(amount_cell)
                amount = (into or 0) - abs(out or 0) if (out or into) else None
            if not amount:
                found.append("there is no amount")
        except TooLarge:
            found.append(f"the amount ‘{amount_cell[:40]}’ is more than {format_pence(LARGEST_LINE_PENCE)}")
        except (ValueError, InvalidOperation):
            found.append(f"the amount ‘{amount_cell[:40]}’ is not a sum of money like 12.50")
        words = " ".join(cell for cell in row if cell.strip())
        if found and (line_date is None or not amount) and (NOT_A_TRANSACTION.search(words) or
                                                            (line_date is None and not amount)):
            # A total, a balance or the overdraft limit, not a transaction: skipped, and said so.
            problems.pop(offset)
            parsed.skipped.append(f"Row {offset}: {words[:80]}")
            continue
        if style:
            styles[offset] = (style, cell(row, layout.date))
        balance = _other_sum(cell(row, layout.balance), "balance", found) if layout.balance else None
        charge = _other_sum(cell(row, fee), "fee", found) if fee else None
        if not found:
            description = cell(row, layout.description)
            extra = cell(row, reference) if reference else ""
            if extra and extra.lower() not in description.lower():
                description = f"{description} {extra}".strip()
            description = description[:500]
            if charge:  # a fee charged with the transaction (Revolut): a line of its own, money out
                parsed.lines.append(ParsedLine(offset, line_date, description, amount,
                                               None if balance is None else balance + abs(charge)))
                parsed.lines.append(ParsedLine(offset, line_date, f"Fee: {description}"[:500], -abs(charge), balance))
            else:
                parsed.lines.append(ParsedLine(offset, line_date, description, amount, balance))
    if not parsed.lines and not any(problems.values()):
        raise StatementError("The file has no transactions" if parsed.skipped or parsed.left_out or start < 0
                             else "The file has a header row but no transactions")
    _check_date_styles(parsed, styles, problems)
    parsed.errors = [f"Row {offset}: {'; '.join(found)}" for offset, found in sorted(problems.items()) if found]
    if not parsed.errors:  # rows left out would make the balance look broken where it is not
        check_balances(parsed)
        _stop_on_a_broken_balance(parsed, layout)
    return parsed, layout


def _other_sum(text: str, what: str, found: list[str]) -> int | None:
    """A balance or a fee in pence (None if empty); a problem, naming it, if it is not a sum of money."""
    try:
        return _money(text)
    except TooLarge:
        found.append(f"the {what} ‘{text[:40]}’ is more than {format_pence(LARGEST_LINE_PENCE)}")
    except (ValueError, InvalidOperation):
        found.append(f"the {what} ‘{text[:40]}’ is not a sum of money")
    return None


def _stop_on_a_broken_balance(parsed: Parsed, layout: Layout) -> None:
    """A running balance that does not follow on most rows means the amounts were read wrongly (every debit
    taken as money in, or the wrong column): that is wrong money, so the file is refused, not warned about."""
    with_balance = sum(1 for line in parsed.lines if line.balance_pence is not None)
    if with_balance >= 3 and len(parsed.balance_breaks) * 2 > with_balance:
        hint = ("name the column that says whether each amount is paid in or out (CR or DR)" if layout.amount
                and not layout.indicator else "check which columns hold the amounts")
        parsed.errors.append(
            f"The running balance does not follow from the amounts on {len(parsed.balance_breaks)} of "
            f"{with_balance} rows, so the amounts are not being read as the bank meant them: {hint}, on the "
            "step that says which column holds what")


def _check_date_styles(parsed: Parsed, styles: dict[int, tuple[str, str]], problems: dict[int, list[str]]) -> None:
    """A bank writes every date in a file the same way. Dates written another way (rows pasted in from another
    file, or changed by a spreadsheet) may have day and month swapped, so they are refused, not guessed."""
    counts: dict[str, int] = {}
    for style, _ in styles.values():
        counts[style] = counts.get(style, 0) + 1
    if len(counts) < 2:
        return
    first = next(iter(styles.values()))[0]
    usual = max(counts, key=lambda style: (counts[style], style == first))
    example = next(text for style, text in styles.values() if style == usual)
    odd = {offset for offset, (style, _) in styles.items() if style != usual}
    for offset in sorted(odd):
        problems[offset].append(f"the date ‘{styles[offset][1]}’ is not written like the file’s other dates "
                                f"(such as ‘{example}’)")
    parsed.lines = [line for line in parsed.lines if line.row not in odd]


def check_balances(parsed: Parsed) -> None:
    """Each line's balance should be the previous balance plus its amount, in the file's order, whichever way
    round the bank lists them (oldest or newest first)."""
    with_balance = [line for line in parsed.lines if line.balance_pence is not None]
    if len(with_balance) < 2:
        return

    def breaks(ordered):
        return [f"Row {b.row}: the balance {b.balance_pence / 100:,.2f} does not follow from the row before "
                f"({a.balance_pence / 100:,.2f} + {b.amount_pence / 100:,.2f})"
                for a, b in zip(ordered, ordered[1:], strict=False)
                if a.balance_pence + b.amount_pence != b.balance_pence]

    forward, backward = breaks(with_balance), breaks(list(reversed(with_balance)))
    parsed.balance_breaks = forward if len(forward) <= len(backward) else backward
    first, last = parsed.lines[0].line_date, parsed.lines[-1].line_date
    parsed.newest_first = first > last if first != last else len(backward) < len(forward)


def fingerprints(budget_id: int, lines: list[ParsedLine]) -> None:
    """The same transaction gives the same fingerprint in any file, CSV or OFX, with or without a running
    balance: its date, amount and description (letters only, any case), plus its place among identical
    transactions that day (two £10 payments to the same shop are both kept)."""
    seen: dict[tuple, int] = {}
    for line in sorted(lines, key=lambda ln: ln.row):
        key = (line.line_date.isoformat(), line.amount_pence, _identity(line.description))
        seen[key] = seen.get(key, 0) + 1
        line.fingerprint = fingerprint_of(budget_id, *key, seen[key])


def _identity(description: str) -> str:
    """The part of a description every export of a bank gives alike: its first 16 letters, any case, without
    spaces or figures (an OFX file cuts the payee's name at 32 characters and moves the reference to a memo)."""
    return re.sub(r"[^a-z]", "", description.lower())[:16]


def fingerprint_of(budget_id: int, day: str, pence: int, description: str, nth: int) -> str:
    return hashlib.sha256(f"{budget_id}|{day}|{pence}|{description}|{nth}".encode()).hexdigest()
