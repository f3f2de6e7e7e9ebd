"""Each kind of input that once answered with a server error, now answered with a message by the field, a 400 or
a 404 (issue 12, "No server error on any input")."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbportal.banking.models import StatementLine
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..banking.helpers import upload
from ..conftest import EMAIL
from ..employment.helpers import make_pa
from ..support import page_of, parts, signed_in


def payment(world, **overrides):
    data = {"paid_on": parts(today()), "amount": "12.50", "payee": "Corner Shop",
            "line_id": str(world.lines["gym"].id), "note": ""}
    data.update(overrides)
    return data


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(SpendingEntry))


@pytest.mark.parametrize("day", [["99999999999999999999", "1", "2026"], ["1", "99999999999999999999", "2026"],
                                 ["1", "1", "99999999999999999999"], ["1e40", "1", "2026"], ["-1", "13", "0"]])
def test_a_huge_number_in_a_date_box_is_a_message_by_the_field(app, world, day):
    holder = signed_in(app, "holder")
    before = entries()
    for headers in ({}, {"HX-Request": "true"}):
        response = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, paid_on=day),
                               headers=headers)
        assert response.status_code == 200
        assert "There is a problem" in page_of(response)
    assert entries() == before


@pytest.mark.parametrize("field", ["payee", "note", "amount"])
def test_a_nul_character_in_any_field_is_refused_plainly(app, world, field):
    holder = signed_in(app, "holder")
    before = entries()
    response = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, **{field: "Corner\x00Shop"}))
    assert response.status_code == 400
    assert "Something in what was sent cannot be used" in page_of(response)
    assert entries() == before
    search = holder.get(f"/budgets/{world.dp.id}/spending", query_string={"q": "a\x00b"})
    assert search.status_code == 400


def test_a_nul_character_in_an_uploaded_file_name_is_refused(app, world):
    staff = signed_in(app, "staff")
    response = upload(staff, world.ma.id, "Date,Description,Amount\r\n01/10/2026,Shop,-5.00\r\n", name="a\x00b.csv")
    assert response.status_code == 400


@pytest.mark.parametrize("amount, balance", [("-99999999.00", "1.00"), ("-5.00", "99999999.99")])
def test_money_beyond_what_a_statement_line_may_hold_is_a_message(app, world, amount, balance):
    staff = signed_in(app, "staff")
    text = f"Date,Description,Amount,Balance\r\n01/10/2026,Shop,{amount},{balance}\r\n"
    response = upload(staff, world.ma.id, text)
    while response.status_code in (302, 303):
        response = staff.get(response.location)
    body = page_of(response)
    assert response.status_code in (200, 400)
    assert "£10,000,000.00" in body  # the most one line or balance may be
    assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 0


@pytest.mark.parametrize("value", ["1e40", "99999999999999999999", "NaN", "Infinity", "-0.5"])
def test_hours_and_rates_out_of_all_reason_are_messages(app, world, value):
    holder = signed_in(app, "holder")
    pa = make_pa(world.dp, "Maria Santos", world.lines["wages"])
    db.session.commit()
    data = {"name": "Maria Santos", "start_date": parts(today()), "employment_type": "employed",
            "hours_per_week": value, "rates-0-kind": "day", "rates-0-hourly": value, "rates-0-hours": value,
            "line_id": str(world.lines["wages"].id)}
    for headers in ({}, {"HX-Request": "true"}):
        response = holder.post(f"/budgets/{world.dp.id}/pas/{pa.id}/edit", data=data, headers=headers)
        assert response.status_code == 200, value
        assert "There is a problem" in page_of(response)


def test_column_names_that_are_not_in_the_file_are_messages(app, world):
    staff = signed_in(app, "staff")
    r = upload(staff, world.ma.id, "Date,Narr,Value,Bal\r\n01/10/2026,Shop,-5.00,95.00\r\n")
    columns = staff.get(r.location).location
    for name in ("Nope", "x" * 100_000):
        response = staff.post(columns, data={"date": "Date", "description": name, "amount": "Value",
                                             "paid_out": "", "paid_in": "", "balance": name})
        assert response.status_code == 200
        assert "There is a problem" in page_of(response)


def test_a_form_with_an_optional_field_left_out_is_still_answered(app, world):
    holder = signed_in(app, "holder")
    data = payment(world)
    del data["note"]
    assert holder.post(f"/budgets/{world.dp.id}/payments/new", data=data).status_code == 303
    del data["payee"]
    response = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data)
    assert response.status_code == 200 and "There is a problem" in page_of(response)


@pytest.mark.parametrize("current", ["http://[::1", "::::%%%", "http://exa mple.org/\\"])
def test_a_malformed_hx_current_url_is_ignored(app, world, current):
    holder = signed_in(app, "holder")
    response = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, amount=""),
                           headers={"HX-Request": "true", "HX-Current-URL": current})
    assert response.status_code == 200 and "There is a problem" in page_of(response)


@pytest.mark.parametrize("target", ["/budgets\r\nSet-Cookie: x=1", "/budgets%0d%0aLocation:%20http://evil",
                                    "\r\n/", "//evil.example/", "https://evil.example/"])
def test_cr_lf_or_another_site_in_next_is_ignored(client, world, target):
    response = client.post("/sign-in", query_string={"next": target},
                           data={"email": EMAIL["holder"], "password": "correct horse battery"})
    assert response.status_code == 303
    assert response.location in ("/", "/budgets%0d%0aLocation:%20http://evil")  # encoded: a path, not a header
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]


@pytest.mark.parametrize("statement", ["99999999.99", "-99999999.99", "100000000.01"])
def test_a_statement_balance_of_tens_of_millions_is_held_or_refused_not_a_server_error(app, world, statement):
    staff = signed_in(app, "staff")
    response = staff.post(f"/budgets/{world.ma.id}/reconciliation",
                          data={"ends_on": parts(world.ma.plan_year_start + timedelta(days=27)),
                                "statement": statement})
    assert response.status_code in (200, 303)
    if statement == "100000000.01":
        assert "There is a problem" in page_of(response)


def test_a_plan_line_costing_millions_is_held_or_refused_not_a_server_error(app, world):
    cm = signed_in(app, "case_manager")
    response = cm.post(f"/budgets/{world.dp.id}/lines/new", data={
        "item": "Everything", "outcome": "", "category": "other", "unit_cost": "99999.99", "unit": "hour",
        "quantity": "99999999.99", "frequency": "weekly"})
    assert response.status_code in (200, 303)
    lines = cm.get(f"/budgets/{world.dp.id}")
    assert lines.status_code == 200
