"""OFX downloads (1.x SGML and 2.x XML) go through the same preview and all-or-nothing import as CSV."""
from __future__ import annotations

from pathlib import Path

import pytest

from pbportal.banking.models import Statement, StatementLine
from pbportal.banking.statement_csv import StatementError
from pbportal.banking.statement_ofx import is_ofx, parse_ofx
from pbportal.extensions import db

from .helpers import upload

OFX = Path(__file__).parent / "statements" / "ofx"


def test_sgml_file_reads_its_transactions_and_ledger_balance():
    content = (OFX / "sgml_v102.ofx").read_bytes()
    assert is_ofx(content)
    parsed = parse_ofx(content)
    assert [(ln.line_date.isoformat(), ln.description, ln.amount_pence) for ln in parsed.lines] == [
        ("2026-10-01", "DEMO COUNCIL", 125000), ("2026-10-03", "HOMECARE PARTNERS LTD REF 123", -34300),
        ("2026-10-10", "OAKWOOD DAY CENTRE", -9600)]
    assert parsed.closing_balance_pence == 281100 and parsed.errors == []


def test_import_through_the_pages_then_nothing_twice(staff, world):
    r = upload(staff, world.ma.id, (OFX / "sgml_v102.ofx").read_bytes(), name="statement.ofx")
    assert r.status_code == 303 and "/columns" not in r.location
    page = staff.get(r.location).get_data(as_text=True)
    assert "Lines in the file</dt><dd>3" in page and "Import these lines" in page
    assert staff.post(r.location, data={}).status_code == 303
    statement = db.session.query(Statement).one()
    assert (statement.lines_imported, statement.closing_balance_pence) == (3, 281100)
    again = upload(staff, world.ma.id, (OFX / "sgml_v102.ofx").read_bytes(), name="statement.ofx")
    assert "Every line in this file is already held" in staff.get(again.location).get_data(as_text=True)
    later = upload(staff, world.ma.id, (OFX / "xml_v220.ofx").read_bytes(), name="later.ofx")
    staff.post(later.location, data={})
    assert db.session.query(StatementLine).count() == 5
    assert "£2,372.00" in staff.get("/accounts").get_data(as_text=True)


@pytest.mark.parametrize("content, message", [
    (b"OFXHEADER:100\r\nDATA:OFXSGML\r\n\r\n<OFX><BROKEN", "This OFX file could not be read"),
    ((OFX / "xml_v220.ofx").read_bytes().replace(b"<CURDEF>GBP", b"<CURDEF>EUR"), "not pounds sterling"),
    ((OFX / "xml_v220.ofx").read_bytes().replace(b"-96.00", b"-96.005"), "more than 2 decimal places"),
])
def test_bad_ofx_is_refused_with_a_message_and_nothing_saved(staff, world, content, message):
    r = upload(staff, world.ma.id, content, name="bad.ofx")
    page = r.get_data(as_text=True) if r.status_code == 200 else staff.get(r.location).get_data(as_text=True)
    assert message in page
    if "could not be read" in message:
        assert r.status_code == 200 and "There is a problem" in page  # refused on the form itself
    else:
        assert "Import these lines" not in page
    assert db.session.query(StatementLine).count() == 0


def test_parse_refuses_what_the_library_cannot_read():
    with pytest.raises(StatementError):
        parse_ofx(b"OFXHEADER:100\r\n\r\n<OFX></OFX>")
