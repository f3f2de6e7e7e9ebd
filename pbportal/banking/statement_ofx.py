"""Reading OFX statement downloads (the "Money"/"Quicken" export most UK banks offer, OFX 1.x SGML or 2.x XML)
with ofxtools. A file gives the same lines a CSV would, so preview, import and matching treat both alike."""
from __future__ import annotations

import io

from ofxtools.Parser import OFXTree

from ..money import format_pence
from .statement_csv import LARGEST_LINE_PENCE, Layout, Parsed, ParsedLine, StatementError

# Stands for "the columns are fixed by the format": an OFX file needs no column mapping.
OFX_LAYOUT = Layout(date="DTPOSTED", description="NAME", amount="TRNAMT")


def is_ofx(content: bytes) -> bool:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"OFXHEADER") or (head.startswith(b"<?XML") and b"<OFX>" in content[:4096].upper())


def parse_ofx(content: bytes) -> Parsed:
    """Every transaction of every statement in the file; the ledger balance becomes the running balance after
    the last one. A file the library cannot read is refused as a whole, with a message for the user."""
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(content))
        ofx = tree.convert()
        statements = list(ofx.statements)
    except Exception as err:  # ofxtools raises many kinds (ParseError, OFXSpecError, ValueError…)
        raise StatementError(f"This OFX file could not be read: {str(err)[:200]}") from None
    parsed = Parsed(header=["DTPOSTED", "NAME", "TRNAMT"])
    row = 0
    for statement in statements:
        if (getattr(statement, "curdef", "GBP") or "GBP") != "GBP":
            parsed.errors.append(f"The statement is in {statement.curdef}, not pounds sterling")
            continue
        lines = []
        for txn in statement.transactions:
            row += 1
            pence = int(txn.trnamt * 100)
            if pence != txn.trnamt * 100:
                parsed.errors.append(f"Transaction {row}: the amount {txn.trnamt} has more than 2 decimal places")
                continue
            if pence == 0:
                continue
            if abs(pence) > LARGEST_LINE_PENCE:
                parsed.errors.append(f"Transaction {row}: the amount {txn.trnamt} is more than "
                                     f"{format_pence(LARGEST_LINE_PENCE)}")
                continue
            description = " ".join(part for part in (txn.name, txn.memo) if part).strip() or (txn.trntype or "")
            lines.append(ParsedLine(row=row, line_date=txn.dtposted.date(), description=description[:500],
                                    amount_pence=pence, balance_pence=None))
        ledger = getattr(statement, "ledgerbal", None)
        if lines and ledger is not None and ledger.balamt is not None:
            last = max(lines, key=lambda ln: (ln.line_date, ln.row))
            balance = int(ledger.balamt * 100)
            if abs(balance) > LARGEST_LINE_PENCE:
                parsed.errors.append(f"The closing balance {ledger.balamt} is more than "
                                     f"{format_pence(LARGEST_LINE_PENCE)}")
            elif ledger.dtasof.date() >= last.line_date:
                last.balance_pence = balance
        parsed.lines.extend(lines)
    if not parsed.lines and not parsed.errors:
        parsed.errors.append("The file has no transactions")
    return parsed
