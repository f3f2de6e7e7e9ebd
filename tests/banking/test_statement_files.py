"""Importing statement files written to look like common UK banks' CSV exports (tests/banking/statements/), and
the files that cannot be used (tests/banking/statements/problems/): each says why on the page, and nothing is
saved."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest

from pbportal.banking.models import Statement, StatementLayout, StatementLine
from pbportal.banking.services import statement_summary
from pbportal.banking.statement_csv import Layout, StatementError, fingerprints, parse
from pbportal.extensions import db
from pbportal.reconciliation import periods

from ..conftest import login

STATEMENTS = Path(__file__).parent / "statements"
PROBLEMS = STATEMENTS / "problems"
CANNOT_READ = "The file must be a CSV file exported from the bank (not a spreadsheet, PDF or image)"
TOO_LARGE = "The file must be smaller than 10 MB"


def file(name: str) -> bytes:
    path = STATEMENTS / name
    return (path if path.exists() else PROBLEMS / name).read_bytes()


def upload(client, budget_id, content: bytes, name="statement.csv"):
    return client.post(f"/budgets/{budget_id}/statements/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return db.session.query(Statement).count(), db.session.query(StatementLine).count()


def pending_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "pending-statements"
    return sorted(folder.glob("*")) if folder.exists() else []


def saved_lines(budget_id):
    db.session.expire_all()
    return {(ln.line_date, ln.description, ln.amount_pence, ln.balance_pence)
            for ln in db.session.query(StatementLine).filter_by(budget_id=budget_id)}


def check_page(staff, budget_id, content, name="statement.csv"):
    """Upload a file and open the check page it leads to: (its address, its text)."""
    r = upload(staff, budget_id, content, name)
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    assert "/columns" not in r.location
    page = staff.get(r.location)
    assert page.status_code == 200
    return r.location, page.get_data(as_text=True)


def refused_on_upload(staff, budget_id, content, name="statement.csv"):
    """The text of the page the file ends on when it cannot be used (the upload form, saying why)."""
    r = upload(staff, budget_id, content, name)
    if r.status_code == 303:
        r = staff.get(r.location, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Import a bank statement" in page  # back on the upload form
    return page


# ---- the layouts -------------------------------------------------------------------------------------------

LAYOUTS = {
    "signed_amount_with_memo.csv": dict(
        layout=Layout("Date", "Memo", amount="Amount"), lines=13, money_in=250000, money_out=162670,
        first=date(2026, 10, 1), last=date(2026, 10, 30), closing=None,
        some={(date(2026, 10, 1), "TEST COUNCIL DP PAYMENT REF MM0042", 125000, None),
              (date(2026, 10, 6), "RIVERSIDE PHARMACY ON 05 OCT", -1250, None),
              (date(2026, 10, 23), "TOWN BUSES ON 22 OCT", -420, None)}),
    "signed_value_newest_first_with_preamble.csv": dict(
        layout=Layout("Date", "Description", amount="Value", balance="Balance"), lines=13, money_in=127400,
        money_out=179425, first=date(2026, 10, 1), last=date(2026, 10, 30),
        closing=147975,  # newest first: the first of the two lines on 30 October is the later one
        some={(date(2026, 10, 30), "RIVERSIDE PHARMACY, HIGH ST", -875, 147975),
              (date(2026, 10, 30), "HOMECARE PARTNERS LTD", -34300, 148850),
              (date(2026, 10, 21), "OAKWOOD DAY CENTRE , REFUND", 2400, 192750),
              (date(2026, 10, 1), "TEST COUNCIL , DP PAYMENT , FP 01/10/26", 125000, 325000)}),
    "debit_credit_columns.csv": dict(
        layout=Layout("Transaction Date", "Transaction Description", paid_out="Debit Amount",
                      paid_in="Credit Amount", balance="Balance"),
        lines=10, money_in=252400, money_out=115340, first=date(2026, 10, 1), last=date(2026, 10, 29),
        closing=187060,
        some={(date(2026, 10, 29), "TEST COUNCIL DP PAYMENT MM0042", 125000, 187060),
              (date(2026, 10, 20), "ACCOUNT FEE", -500, 59660),
              (date(2026, 10, 8), "RIVERSIDE PHARMACY CD 1234", -640, 130460),
              (date(2026, 10, 1), "HOMECARE PARTNERS LTD", -34300, 140700)}),
    "date_description_amount.csv": dict(
        layout=Layout("Date", "Description", amount="Amount"), lines=8, money_in=250000, money_out=201159,
        first=date(2026, 10, 1), last=date(2026, 10, 29), closing=None,
        some={(date(2026, 10, 1), "TEST COUNCIL DP PAYMENT", 125000, None),
              (date(2026, 10, 14), "CARE COVER INSURANCE LTD ANNUAL", -104560, None),
              (date(2026, 10, 19), "RIVERSIDE PHARMACY", -399, None)}),
    "paid_out_paid_in_pound_signs_cp1252.csv": dict(
        layout=Layout("Date", "Description", paid_out="Paid out", paid_in="Paid in", balance="Balance"),
        lines=9, money_in=250320, money_out=114985, first=date(2026, 10, 1), last=date(2026, 10, 30),
        closing=335335,
        some={(date(2026, 10, 1), "TEST COUNCIL DP PAYMENT", 125000, 325000),
              (date(2026, 10, 6), "OAKWOOD CAFÉ", -785, 289915),
              (date(2026, 10, 20), "RIVERSIDE PHARMACY REFUND", 320, 228335)}),
    "iso_dates_money_out_money_in.csv": dict(
        layout=Layout("Date", "Name", paid_out="Money Out", paid_in="Money In"), lines=8, money_in=127400,
        money_out=114849, first=date(2026, 10, 1), last=date(2026, 10, 23), closing=None,
        some={(date(2026, 10, 2), "Homecare Partners Ltd", -34300, None),
              (date(2026, 10, 8), "Riverside Pharmacy", -649, None),
              (date(2026, 10, 21), "Oakwood Day Centre", 2400, None)}),
    "amount_gbp_balance_gbp.csv": dict(
        layout=Layout("Date", "Counter Party", amount="Amount (GBP)", balance="Balance (GBP)"), lines=7,
        money_in=125000, money_out=123599, first=date(2026, 10, 1), last=date(2026, 10, 23), closing=101401,
        some={(date(2026, 10, 7), "Riverside Pharmacy", -999, 189701),
              (date(2026, 10, 16), "J Bloggs WAGES WK41", -18000, 119401)}),  # Starling: the reference joins
    "amount_with_cr_dr_column.csv": dict(  # every debit was read as money in: £1,268 in, £0 out
        layout=Layout("Date", "Description", amount="Amount", balance="Balance", indicator="CR/DR"), lines=5,
        money_in=126250, money_out=78200, first=date(2026, 10, 1), last=date(2026, 10, 20), closing=248050,
        some={(date(2026, 10, 3), "HOMECARE PARTNERS LTD", -34300, 290700),
              (date(2026, 10, 20), "REFUND FROM SHOP", 1250, 248050)}),
    "totals_and_balance_rows.csv": dict(  # brought forward, totals, closing balance, overdraft limit: skipped
        layout=Layout("Date", "Description", paid_out="Paid out", paid_in="Paid in", balance="Balance"), lines=3,
        money_in=125000, money_out=43900, first=date(2026, 10, 1), last=date(2026, 10, 10), closing=281100,
        some={(date(2026, 10, 1), "DEMO COUNCIL DP PAYMENT", 125000, 325000)}),
    "revolut.csv": dict(  # completed only; the 50p fee a line of its own
        layout=Layout("Completed Date", "Description", amount="Amount", balance="Balance"), lines=4,
        money_in=125000, money_out=43950, first=date(2026, 10, 1), last=date(2026, 10, 10), closing=281050,
        some={(date(2026, 10, 4), "Homecare Partners", -34300, 290700),
              (date(2026, 10, 10), "To Oakwood Day Centre", -9600, 281100),
              (date(2026, 10, 10), "Fee: To Oakwood Day Centre", -50, 281050)}),
    "month_names_cr_line_endings.csv": dict(  # 02-Sep-26, and lines ended by CR alone (old Excel for Mac)
        layout=Layout("Date", "Description", amount="Amount"), lines=3, money_in=125000, money_out=43900,
        first=date(2026, 9, 2), last=date(2026, 9, 10), closing=None,
        some={(date(2026, 9, 3), "HOMECARE PARTNERS LTD", -34300, None)}),
    "day_month_name_year.csv": dict(
        layout=Layout("Date", "Description", amount="Amount"), lines=2, money_in=125000, money_out=34300,
        first=date(2026, 9, 2), last=date(2026, 9, 3), closing=None,
        some={(date(2026, 9, 2), "DEMO COUNCIL DP PAYMENT", 125000, None)}),
    "same_month.csv": dict(
        layout=Layout("Date", "Description", amount="Amount", balance="Balance"), lines=5, money_in=125000,
        money_out=44740, first=date(2026, 10, 1), last=date(2026, 10, 10), closing=280260,
        some={(date(2026, 10, 5), "TOWN BUSES", -420, 290280)}),
}


def test_every_sample_file_is_used_by_a_test():
    named = set(LAYOUTS) | {
        "empty.csv", "bom_only.csv", "header_only.csv", "headerless.csv", "unknown_columns.csv",
        "unknown_columns_next_month.csv", "mixed_date_formats.csv", "non_numeric_amounts.csv",
        "broken_running_balance.csv", "quoted_fields_with_commas.csv", "identical_payments_same_day.csv",
        "identical_payments_later_statement.csv", "utf16_tab_separated.csv", "amount_with_d_c_type_column.csv",
        "two_accounts.csv"}
    assert {path.name for path in STATEMENTS.rglob("*") if path.suffix in (".qif", ".txt")} == {
        "qif_bank.qif", "santander_text.txt"}
    assert {path.name for path in STATEMENTS.rglob("*.csv")} == named


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_is_read_with_its_columns_guessed(name):
    expected = LAYOUTS[name]
    parsed, layout = parse(file(name))
    assert layout == expected["layout"]
    assert (parsed.errors, parsed.balance_breaks) == ([], [])
    assert (len(parsed.lines), parsed.money_in_pence, parsed.money_out_pence) == (
        expected["lines"], expected["money_in"], expected["money_out"])
    assert parsed.closing_balance_pence == expected["closing"]
    read = {(ln.line_date, ln.description, ln.amount_pence, ln.balance_pence) for ln in parsed.lines}
    assert expected["some"] <= read


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_imports_through_the_pages(app, staff, world, name):
    expected = LAYOUTS[name]
    address, page = check_page(staff, world.ma.id, file(name), name)
    assert f"Lines in the file</dt><dd>{expected['lines']}</dd>" in page
    assert f"New</dt><dd>{expected['lines']}</dd>" in page
    assert f"Money in</dt><dd>£{expected['money_in'] / 100:,.2f}</dd>" in page
    assert f"Money out</dt><dd>£{expected['money_out'] / 100:,.2f}</dd>" in page
    assert "The running balance does not add up" not in page and "This file cannot be imported" not in page
    assert next(iter(expected["some"]))[1] in page
    assert counts() == (0, 0)  # nothing until it is confirmed

    done = staff.post(address, data={})
    assert done.status_code == 303
    assert f"{expected['lines']} lines imported." in staff.get(done.location).get_data(as_text=True)
    lines = saved_lines(world.ma.id)
    assert len(lines) == expected["lines"] and expected["some"] <= lines
    assert sum(amount for _, _, amount, _ in lines if amount > 0) == expected["money_in"]
    assert -sum(amount for _, _, amount, _ in lines if amount < 0) == expected["money_out"]
    statement = db.session.query(Statement).one()
    assert (statement.filename, statement.lines_imported, statement.lines_already_held) == (
        name, expected["lines"], 0)
    assert (statement.first_date, statement.last_date) == (expected["first"], expected["last"])
    assert statement.closing_balance_pence == expected["closing"]
    assert statement_summary([world.ma.id])[world.ma.id]["balance_pence"] == expected["closing"]
    assert pending_files(app) == []

    # The same file again: recognised, nothing added.
    address, again = check_page(staff, world.ma.id, file(name), name)
    assert "Every line in this file is already held" in again and "Import these lines" not in again
    staff.post(address, data={})
    assert counts() == (1, expected["lines"])


def test_excel_unicode_text_utf16_tab_separated_imports(staff, world):
    content = file("utf16_tab_separated.csv")
    assert content[:2] == b"\xff\xfe" and b"\x00" in content
    address, page = check_page(staff, world.ma.id, content)
    assert "Lines in the file</dt><dd>3</dd>" in page and "OAKWOOD CAFÉ" in page
    staff.post(address, data={})
    assert saved_lines(world.ma.id) == {
        (date(2026, 10, 1), "TEST COUNCIL DP PAYMENT", 125000, 325000),
        (date(2026, 10, 2), "HOMECARE PARTNERS LTD", -34300, 290700),
        (date(2026, 10, 5), "OAKWOOD CAFÉ", -785, 289915)}


def test_quoted_fields_with_commas_and_quotes(staff, world):
    address, page = check_page(staff, world.ma.id, file("quoted_fields_with_commas.csv"))
    assert "Lines in the file</dt><dd>4</dd>" in page
    assert "OAKWOOD DAY CENTRE &#34;THE HUB&#34;, HALL LANE" in page or \
        "OAKWOOD DAY CENTRE &quot;THE HUB&quot;, HALL LANE" in page
    staff.post(address, data={})
    assert saved_lines(world.ma.id) == {
        (date(2026, 10, 1), "TEST COUNCIL, ADULT SOCIAL CARE, DP PAYMENT", 125000, 325000),
        (date(2026, 10, 2), "HOMECARE PARTNERS LTD, INV 1,043", -34300, 290700),
        (date(2026, 10, 5), 'OAKWOOD DAY CENTRE "THE HUB", HALL LANE', -9600, 281100),
        (date(2026, 10, 9), "BLOGGS, J - WAGES, WEEK 40", -18000, 263100)}


# ---- identical transactions ----------------------------------------------------------------------------------

def test_identical_payments_on_the_same_day_are_both_kept(staff, world):
    """Two bus fares of £4.20 on one day are two real payments: both are imported, the same file again adds
    nothing, and a later statement covering the same days adds only what is new."""
    address, page = check_page(staff, world.ma.id, file("identical_payments_same_day.csv"))
    assert "Lines in the file</dt><dd>3</dd>" in page and "New</dt><dd>3</dd>" in page
    staff.post(address, data={})
    fares = db.session.query(StatementLine).filter_by(line_date=date(2026, 10, 22), amount_pence=-420).all()
    assert len(fares) == 2 and fares[0].fingerprint != fares[1].fingerprint

    address, again = check_page(staff, world.ma.id, file("identical_payments_same_day.csv"))
    assert "Every line in this file is already held" in again
    assert counts() == (1, 3)

    address, later = check_page(staff, world.ma.id, file("identical_payments_later_statement.csv"))
    assert "Lines in the file</dt><dd>6</dd>" in later and "New</dt><dd>3</dd>" in later
    done = staff.post(address, data={})
    assert "3 lines imported; 3 were already held" in staff.get(done.location).get_data(as_text=True)
    assert counts() == (2, 6)
    assert db.session.query(StatementLine).filter_by(line_date=date(2026, 10, 24), amount_pence=-420).count() == 3


def test_fingerprints_count_identical_lines_but_stay_the_same_across_files():
    def prints(content):
        parsed, _ = parse(content)
        fingerprints(7, parsed.lines)
        return [line.fingerprint for line in parsed.lines]

    one = prints(file("identical_payments_same_day.csv"))
    assert len(set(one)) == 3 and prints(file("identical_payments_same_day.csv")) == one
    later = prints(file("identical_payments_later_statement.csv"))
    assert later[:3] == one and len(set(later)) == 6
    # A statement exported when only the first fare had been taken, then one with both: the second is new.
    header = b"Number,Date,Account,Amount,Subcategory,Memo\r\n"
    fare = b",22/10/2026,11-22-33 12345678,-4.20,Debit,TOWN BUSES ON 22 OCT\r\n"
    assert prints(header + fare) == one[:1]
    assert prints(header + fare + fare) == one[:2]


# ---- files that cannot be used -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("empty.csv", "The selected file is empty"),
    ("bom_only.csv", "The selected file is empty"),
])
def test_empty_files_are_refused_on_the_form(app, staff, world, name, message):
    page = refused_on_upload(staff, world.ma.id, file(name), name)
    assert "There is a problem" in page and message in page
    assert counts() == (0, 0) and pending_files(app) == []


@pytest.mark.parametrize("content", [
    b"\xff\xfe",  # UTF-16's byte-order mark and nothing else
    "\ufeff\r\n\r\n".encode("utf-16"),
    b"\xef\xbb\xbf\r\n \r\n",
], ids=["utf16-bom-only", "utf16-blank-lines", "utf8-bom-blank-lines"])
def test_a_byte_order_mark_and_nothing_else_is_empty(app, staff, world, content):
    page = refused_on_upload(staff, world.ma.id, content)
    assert "The selected file is empty" in page
    assert counts() == (0, 0) and pending_files(app) == []


def test_broken_utf16_says_the_text_cannot_be_read(app, staff, world):
    page = refused_on_upload(staff, world.ma.id, b"\xff\xfeD\x00a\x00t")  # cut off mid-character
    assert "text could not be read: save it as CSV (UTF-8) and try again" in page
    assert counts() == (0, 0)


def test_a_header_row_and_no_transactions(app, staff, world):
    page = refused_on_upload(staff, world.ma.id, file("header_only.csv"))
    assert "The file has a header row but no transactions" in page
    assert counts() == (0, 0) and pending_files(app) == []


def test_a_file_without_a_header_row_is_mapped_by_hand_and_remembered(app, staff, world):
    """HSBC exports date, description, amount with no row naming them: it was refused. Now the columns step
    shows the first rows, numbered columns and its guesses, and the choice is remembered."""
    r = upload(staff, world.ma.id, file("headerless.csv"))
    check = staff.get(r.location)
    assert check.status_code == 303 and "/columns" in check.location
    page = staff.get(check.location).get_data(as_text=True)
    assert "The file has no row naming its columns, so they are numbered" in page
    assert "TEST COUNCIL DP PAYMENT" in page and "1250.00" in page  # the first rows, to choose by
    for field, column in (("date", "Column 1"), ("description", "Column 2"), ("amount", "Column 3")):
        assert re.search(rf'<select[^>]*name="{field}"[^>]*>.*?<option selected value="{column}"|'
                         rf'<select[^>]*name="{field}"[^>]*>.*?<option value="{column}" selected', page, re.S), field
    done = staff.post(check.location, data={"date": "Column 1", "description": "Column 2", "amount": "Column 3"})
    assert done.status_code == 303
    shown = staff.get(done.location).get_data(as_text=True)
    assert "Check the statement" in shown and "HOMECARE PARTNERS LTD" in shown
    staff.post(done.location, data={})
    lines = db.session.query(StatementLine).order_by(StatementLine.line_date).all()
    assert [(ln.description, ln.amount_pence) for ln in lines[:2]] == [("TEST COUNCIL DP PAYMENT", 125000),
                                                                      ("HOMECARE PARTNERS LTD", -34300)]
    again = upload(staff, world.ma.id, file("headerless.csv").replace(b"2026", b"2027"))
    assert "/columns" not in (staff.get(again.location).location or "")  # remembered: straight to the check


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
                                             '.org/package/2006/content-types"/>')
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c t='inlineStr'><is><t>Date</t>"
                                                  "</is></c></row></sheetData></worksheet>")
    return out.getvalue()


@pytest.mark.parametrize("content", [
    _png(),
    _xlsx(),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Workbook",  # an old .xls
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
], ids=["png", "xlsx", "xls", "pdf"])
def test_a_binary_file_renamed_csv(app, staff, world, content):
    page = refused_on_upload(staff, world.ma.id, content, "statement.csv")
    assert "There is a problem" in page and CANNOT_READ in page
    assert counts() == (0, 0) and pending_files(app) == []


def test_unknown_columns_ask_which_is_which_and_it_is_remembered(staff, world):
    r = upload(staff, world.ma.id, file("unknown_columns.csv"))
    check = staff.get(r.location)
    assert check.status_code == 303 and check.location.endswith("/columns")
    form = staff.get(check.location).get_data(as_text=True)
    assert "Which column holds what" in form and "Posted On, Payee Name, Sum, Running Total" in form
    assert counts() == (0, 0)
    chosen = {"date": "Posted On", "description": "Payee Name", "amount": "Sum", "paid_out": "", "paid_in": "",
              "balance": "Running Total"}
    missing = staff.post(check.location, data={**chosen, "amount": ""})
    assert "Choose either the amount column, or both the paid-out and paid-in columns" in missing.get_data(
        as_text=True)
    assert db.session.query(StatementLayout).count() == 0
    ok = staff.post(check.location, data=chosen)
    assert ok.status_code == 303
    layout = db.session.query(StatementLayout).filter_by(budget_id=world.ma.id).one()
    assert (layout.date_column, layout.description_column, layout.amount_column, layout.balance_column) == (
        "Posted On", "Payee Name", "Sum", "Running Total")
    page = staff.get(ok.location).get_data(as_text=True)
    assert "Lines in the file</dt><dd>3</dd>" in page
    assert counts() == (0, 0)  # choosing the columns saves the choice, not the lines
    staff.post(ok.location, data={})
    assert counts() == (1, 3)

    # Next month's file from the same bank goes straight to the check.
    address, page = check_page(staff, world.ma.id, file("unknown_columns_next_month.csv"))
    assert "Lines in the file</dt><dd>2</dd>" in page
    staff.post(address, data={})
    assert (date(2026, 11, 9), "OAKWOOD DAY CENTRE", -9600, 237200) in saved_lines(world.ma.id)
    assert counts() == (2, 5)


def _cannot_be_imported(staff, world, name):
    """The check page lists the rows at fault, offers no import, and a confirm sent anyway saves nothing."""
    address, page = check_page(staff, world.ma.id, file(name))
    assert "This file cannot be imported" in page and "Nothing has been imported" in page
    assert "Import these lines" not in page
    assert staff.post(address, data={}).status_code == 200
    assert counts() == (0, 0)
    return page


def test_mixed_date_formats_name_the_rows(staff, world):
    page = _cannot_be_imported(staff, world, "mixed_date_formats.csv")
    assert "Row 4: the date ‘2026-10-05’ is not written like the file’s other dates (such as ‘01/10/2026’)" in page
    assert "Row 6: the date ‘12-Oct-2026’ is not written like the file’s other dates (such as ‘01/10/2026’)" in page
    assert "Row 2:" not in page and "Row 5:" not in page
    assert "The running balance does not add up" not in page


def test_month_names_in_full_and_short_are_one_way_of_writing_dates():
    text = "Date,Description,Amount\r\n1 May 2026,SHOP,-1.00\r\n1 June 2026,SHOP,-2.00\r\n"
    parsed, _ = parse(text.encode())
    assert parsed.errors == [] and len(parsed.lines) == 2


def test_non_numeric_amounts_name_the_rows_and_the_value(staff, world):
    page = _cannot_be_imported(staff, world, "non_numeric_amounts.csv")
    assert "Row 4: the amount ‘N/A’ is not a sum of money like 12.50" in page
    assert "Row 6: the amount ‘-96.OO’ is not a sum of money like 12.50" in page
    # The rows left out do not make the running balance look broken as well.
    assert "The running balance does not add up" not in page


def test_a_paid_in_column_that_is_not_money_is_named():
    text = "Date,Description,Paid out,Paid in\r\n01/10/2026,SHOP,,ten pounds\r\n"
    parsed, _ = parse(text.encode())
    assert parsed.errors == ["Row 2: the amount ‘ten pounds’ is not a sum of money like 12.50"]


def test_a_broken_running_balance_is_a_warning(staff, world):
    address, page = check_page(staff, world.ma.id, file("broken_running_balance.csv"))
    assert "The running balance does not add up on 1 row" in page
    assert "Row 5: the balance 2,613.00 does not follow from the row before (2,811.00 + -180.00)" in page
    assert "This file cannot be imported" not in page and "Import these lines" in page
    assert counts() == (0, 0)  # nothing until it is confirmed, knowing the warning


# ---- too large -----------------------------------------------------------------------------------------------

def _big_statement(size: int) -> bytes:
    line = b"01/10/2026,HOMECARE PARTNERS LTD,-343.00,2907.00\r\n"
    return b"Date,Description,Amount,Balance\r\n" + line * (size // len(line) + 1)


def test_a_20_mb_file_gets_the_upload_form_saying_why(app, staff, world):
    r = upload(staff, world.ma.id, _big_statement(20 * 1024 * 1024), "whole-year.csv")
    page = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "Import a bank statement" in page and "There is a problem" in page and TOO_LARGE in page
    assert "<title>Error: Import a bank statement" in page
    assert 'href="#file"' in page and 'id="file-error"' in page  # the summary links to the field's message
    assert "The file you sent is too large" not in page
    assert counts() == (0, 0) and pending_files(app) == []


def test_a_20_mb_file_with_csrf_protection_on(app, staff, world, monkeypatch):
    """In production the CSRF check reads the form first, so the request is refused before the view runs."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    r = upload(staff, world.ma.id, _big_statement(20 * 1024 * 1024))
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and TOO_LARGE in page and "There is a problem" in page
    assert 'name="csrf_token"' in page  # the form can be sent again
    assert counts() == (0, 0)


def test_a_20_mb_file_from_someone_who_cannot_import_there_says_nothing_of_the_account(app, client, world,
                                                                                        monkeypatch):
    login(client, "otherstaff@example.org")
    big = _big_statement(20 * 1024 * 1024)
    assert upload(client, world.ma.id, big).status_code == 404  # the view's access check comes first
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # now the CSRF check reads the form first
    r = upload(client, world.ma.id, big)
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and "The file you sent is too large" in page
    assert "Import a bank statement" not in page and world.ma.person_name not in page
    assert counts() == (0, 0)


def test_a_file_just_over_10_mb_gets_a_field_error(app, staff, world):
    r = upload(staff, world.ma.id, _big_statement(10 * 1024 * 1024 + 1))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "There is a problem" in page and TOO_LARGE in page
    assert counts() == (0, 0) and pending_files(app) == []


def test_decode_refuses_what_parse_cannot_use():
    for content in (b"", b"\xef\xbb\xbf", b"\xff\xfe"):
        with pytest.raises(StatementError, match="empty"):
            parse(content)


# ---- read right, or refuse clearly (issue 13) ----------------------------------------------------------

def test_a_positive_amount_with_a_cr_dr_column_is_money_in_or_out_as_the_bank_says(staff, world):
    address, page = check_page(staff, world.ma.id, file("amount_with_cr_dr_column.csv"))
    assert "This file cannot be imported" not in page and "−£343.00" in page
    staff.post(address, data={})
    lines = {ln.description: ln.amount_pence for ln in db.session.query(StatementLine)}
    assert lines["HOMECARE PARTNERS LTD"] == -34300 and lines["REFUND FROM SHOP"] == 1250


def test_a_cr_dr_column_under_any_name_is_found_by_what_it_holds():
    parsed, layout = parse(file("amount_with_d_c_type_column.csv"), Layout("Posted", "Narrative", amount="Value"))
    assert layout.indicator == "Type" and parsed.errors == []
    assert [ln.amount_pence for ln in parsed.lines] == [125000, -34300, -9600]


def test_a_running_balance_broken_on_most_rows_stops_the_import(staff, world):
    """Amounts always positive and nothing saying which are debits: every debit would be money in. The balance
    gives it away, and the file is refused with what to do (it was only a warning)."""
    content = (b"Date,Description,Amount,Balance\r\n01/10/2026,COUNCIL,1250.00,3250.00\r\n"
               b"03/10/2026,HOMECARE,343.00,2907.00\r\n10/10/2026,OAKWOOD,96.00,2811.00\r\n"
               b"17/10/2026,HOMECARE,343.00,2468.00\r\n")
    address, page = check_page(staff, world.ma.id, content)
    assert "This file cannot be imported" in page and "Import these lines" not in page
    assert "The running balance does not follow from the amounts on 3 of 4 rows" in page
    assert "name the column that says whether each amount is paid in or out (CR or DR)" in page
    assert counts() == (0, 0)


@pytest.mark.parametrize("first, second", [("same_month.csv", "ofx/same_month.ofx"),
                                           ("ofx/same_month.ofx", "same_month.csv")])
def test_the_same_transactions_from_a_csv_and_an_ofx_are_held_once(staff, world, first, second):
    """A line's identity no longer depends on whether its file had a running balance: every overlapping line
    was held twice. The two identical bus fares on 5 October are both kept, once."""
    address, _ = check_page(staff, world.ma.id, file(first))
    staff.post(address, data={})
    held = counts()[1]
    address, page = check_page(staff, world.ma.id, file(second))
    new = 1 if second.endswith(".ofx") else 0  # the OFX also has 12 October's corner shop
    if new:
        staff.post(address, data={})
    else:
        assert "Every line in this file is already held" in page
    assert counts()[1] == held + new
    assert db.session.query(StatementLine).filter_by(description="TOWN BUSES").count() == 2


def test_rows_that_are_not_transactions_are_skipped_and_listed(staff, world):
    address, page = check_page(staff, world.ma.id, file("totals_and_balance_rows.csv"))
    assert "This file cannot be imported" not in page
    assert "4 rows that are not transactions were skipped" in page
    for row in ("Balance brought forward", "Total", "Closing balance", "Arranged overdraft limit"):
        assert row in page
    assert "Transactions from 1 October 2026 to 10 October 2026; closing balance £2,811.00." in page


def test_revolut_imports_completed_transactions_and_says_how_many_were_left_out(staff, world):
    address, page = check_page(staff, world.ma.id, file("revolut.csv"))
    assert "Only completed transactions are imported: 1 pending, 1 reverted were left out." in page
    staff.post(address, data={})
    assert counts()[1] == 4


@pytest.mark.parametrize("name, closing", [("qif_bank.qif", None), ("santander_text.txt", 281100)])
def test_qif_and_santander_text_statements_are_read(staff, world, name, closing):
    """They were refused with "No header row": they are what those banks give, so they are read."""
    address, page = check_page(staff, world.ma.id, file(name), name=name)
    assert "This file cannot be imported" not in page and "Which column" not in page
    staff.post(address, data={})
    lines = {ln.description: ln.amount_pence for ln in db.session.query(StatementLine)}
    assert lines["HOMECARE PARTNERS LTD REF 123" if name.endswith(".qif") else
                 "BILL PAYMENT TO HOMECARE PARTNERS LTD"] == -34300
    assert sum(lines.values()) == 125000 - 34300 - 9600
    assert db.session.query(Statement).one().closing_balance_pence == closing


def test_a_file_of_two_accounts_asks_which_and_imports_only_its_rows(staff, world):
    """An export of two accounts mixed them silently into one budget's lines."""
    address, page = check_page(staff, world.ma.id, file("two_accounts.csv"))
    assert "Which account is this statement for?" in page and "Import these lines" not in page
    assert 'value="Client account"' in page and 'value="Holding account"' in page
    assert staff.post(address, data={}).status_code == 200 and counts() == (0, 0)  # not without a choice
    chosen = staff.get(address, query_string={"account": "Client account"}).get_data(as_text=True)
    assert "Only the rows of account <strong>Client account</strong> are read: 2 rows" in chosen
    assert "BANK CHARGES" not in chosen and "Import these lines" in chosen
    staff.post(address, data={"account": "Client account"})
    assert sorted(ln.description for ln in db.session.query(StatementLine)) == [
        "DEMO COUNCIL DP PAYMENT", "HOMECARE PARTNERS LTD", "OAKWOOD DAY CENTRE"]


def test_lines_dated_in_a_closed_period_are_pointed_out_before_import(staff, world):
    """They were imported and then could not be matched. Now the check says so: reopen the period, or import
    the rest without them."""
    period = periods.open_period(world.ma.id, date(2026, 9, 1), date(2026, 10, 5), 200000, 325000, world.staff)
    periods.close_period(period, period.version, 325000, "Statement lines still to import", world.staff)
    db.session.commit()
    address, page = check_page(staff, world.ma.id, file("same_month.csv"))
    assert "4 new lines are dated inside a closed period (1 September 2026 to 5 October 2026)" in page
    assert "reopen the period" in page and "Import these lines" not in page
    assert staff.post(address, data={}).status_code == 200 and counts() == (0, 0)
    rest = staff.get(address, query_string={"leave_out_closed": "1"}).get_data(as_text=True)
    assert "4 lines dated inside a closed period are left out" in rest and "Import these lines" in rest
    staff.post(address, data={"leave_out_closed": "1"})
    assert [ln.description for ln in db.session.query(StatementLine)] == ["OAKWOOD DAY CENTRE"]


def test_natwests_leading_apostrophes_go_and_a_file_without_balances_still_says_how_far_it_goes(staff, world):
    content = ("Date,Type,Description,Value,Account Name,Account Number\r\n"
               "01/10/2026,BAC,'DEMO COUNCIL DP PAYMENT,1250.00,'CLIENT ACCOUNT,'123456-12345678\r\n"
               "03/10/2026,D/D,'HOMECARE PARTNERS LTD,-343.00,'CLIENT ACCOUNT,'123456-12345678\r\n").encode()
    address, page = check_page(staff, world.ma.id, content)
    assert "'HOMECARE" not in page and "HOMECARE PARTNERS LTD" in page
    staff.post(address, data={})
    assert {ln.description for ln in db.session.query(StatementLine)} == {"DEMO COUNCIL DP PAYMENT",
                                                                         "HOMECARE PARTNERS LTD"}
    accounts = staff.get("/accounts").get_data(as_text=True)
    assert "No balance in the files" in accounts and "lines to 3 Oct 2026" in accounts
