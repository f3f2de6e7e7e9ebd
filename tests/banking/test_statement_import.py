"""Importing managed accounts' bank statements: layouts, preview, all-or-nothing, no line held twice."""
from __future__ import annotations

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking.models import Statement, StatementLayout, StatementLine
from pbportal.extensions import db

from ..conftest import login
from .helpers import SIGNED, upload

SEPARATE = (
    "Transaction Date,Transaction Description,Debit Amount,Credit Amount,Balance\r\n"
    "2026-10-10,OAKWOOD DAY CENTRE,96.00,,2811.00\r\n"
    "2026-10-17,HOMECARE PARTNERS LTD,343.00,,2468.00\r\n"
    "2026-10-24,OAKWOOD DAY CENTRE,96.00,,2372.00\r\n"
)


def test_preview_then_import_and_no_line_twice(staff, world):
    r = upload(staff, world.ma.id, SIGNED)
    assert r.status_code == 303
    check = staff.get(r.location).get_data(as_text=True)
    assert "Lines in the file</dt><dd>3" in check and "£1,250.00" in check and "Demo Council, 4-weekly payment" in check
    assert db.session.query(StatementLine).count() == 0  # nothing until confirmed
    done = staff.post(r.location, data={})
    assert done.status_code == 303
    lines = db.session.query(StatementLine).order_by(StatementLine.line_date).all()
    assert [(ln.amount_pence, ln.balance_pence) for ln in lines] == [(125000, 325000), (-34300, 290700),
                                                                    (-9600, 281100)]
    assert db.session.query(AuditEvent).filter_by(action="statement.imported").count() == 1
    # The same file again, and an overlapping statement from another bank layout: only new lines are added.
    again = upload(staff, world.ma.id, SIGNED)
    page = staff.get(again.location).get_data(as_text=True)
    assert "Every line in this file is already held" in page and "Import these lines" not in page
    overlap = upload(staff, world.ma.id, SEPARATE)
    assert "/columns" not in overlap.location  # the saved layout does not fit, so the columns are guessed
    staff.post(overlap.location, data={})
    assert db.session.query(StatementLine).count() == 5
    statement = db.session.query(Statement).order_by(Statement.id.desc()).first()
    assert (statement.lines_imported, statement.lines_already_held) == (2, 1)
    accounts = staff.get("/accounts").get_data(as_text=True)
    assert "£2,372.00" in accounts  # balance on the last statement


def test_unknown_columns_ask_which_is_which_and_remember_it(staff, world):
    text = "Posted,Narr,Value,Bal\r\n01/10/2026,Shop,-5.00,95.00\r\n"
    r = upload(staff, world.ma.id, "Date,Narr,Value,Bal\r\n" + text.split("\r\n", 1)[1])
    # 'Date' and 'Value' are known but not a description: the header is found, the layout is asked for.
    r2 = staff.get(r.location)
    assert r2.status_code == 303 and r2.location.endswith("/columns")
    form = staff.get(r2.location).get_data(as_text=True)
    assert "Which column holds what" in form
    bad = staff.post(r2.location, data={"date": "Date", "description": "", "amount": "", "paid_out": "",
                                        "paid_in": "", "balance": ""})
    assert "Choose the column with the description" in bad.get_data(as_text=True)
    ok = staff.post(r2.location, data={"date": "Date", "description": "Narr", "amount": "Value", "paid_out": "",
                                       "paid_in": "", "balance": "Bal"})
    assert ok.status_code == 303
    layout = db.session.query(StatementLayout).filter_by(budget_id=world.ma.id).one()
    assert (layout.description_column, layout.amount_column, layout.balance_column) == ("Narr", "Value", "Bal")
    assert "Shop" in staff.get(ok.location).get_data(as_text=True)


@pytest.mark.parametrize("content, message", [
    (b"", "The selected file is empty"),
    (b"Date,Description,Amount,Balance\r\n", "The file has a header row but no transactions"),
    (b"PK\x03\x04 spreadsheet", "must be a CSV file exported from the bank"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "must be a CSV file exported from the bank"),
    (b"Foo,Bar\r\n1,2\r\n", "No header row was found"),
])
def test_files_that_cannot_be_used_say_why(staff, world, content, message):
    r = upload(staff, world.ma.id, content)
    if r.status_code == 303:
        r = staff.get(r.location, follow_redirects=True)
    assert message in r.get_data(as_text=True)
    assert db.session.query(StatementLine).count() == 0


def test_bad_rows_stop_the_whole_import(staff, world):
    text = SIGNED + "11/10/2026,SHOP,twelve,2799.00\r\n31/02/2026,SHOP,-1.00,2798.00\r\n"
    r = upload(staff, world.ma.id, text)
    page = staff.get(r.location).get_data(as_text=True)
    assert "This file cannot be imported" in page and "Row 8" in page and "Row 9" in page
    assert "Import these lines" not in page
    staff.post(r.location, data={})
    assert db.session.query(StatementLine).count() == 0


def test_windows_1252_and_a_broken_running_balance(staff, world):
    text = "Date,Description,Amount,Balance\r\n01/10/2026,Café £ refund,5.00,105.00\r\n02/10/2026,Shop,-5.00,99.00\r\n"
    r = upload(staff, world.ma.id, text, encoding="cp1252")
    page = staff.get(r.location).get_data(as_text=True)
    assert "Café £ refund" in page and "The running balance does not add up on 1 row" in page


def test_only_the_provider_can_import(client, world):
    for email in ("ma@example.org", "cm@example.org", "otherstaff@example.org", "holder@example.org"):
        login(client, email)
        assert client.get(f"/budgets/{world.ma.id}/statements/import").status_code == 404
        assert client.get(f"/budgets/{world.ma.id}/statements").status_code == 404
        client.post("/sign-out")
    login(client, "staff@example.org")
    assert client.get(f"/budgets/{world.dp.id}/statements").status_code == 404  # not a managed account of theirs
    assert client.get(f"/budgets/{world.ma.id}/statements/import/{world.ma.id}-{'0' * 32}").status_code == 404
    assert client.get(f"/budgets/{world.ma.id}/statements/import/../../etc").status_code == 404
