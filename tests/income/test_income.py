"""Money received into a budget."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import login


def _data(**overrides):
    day = today()
    data = {"received_on": [str(day.day), str(day.month), str(day.year)], "amount": "1,525.00",
            "source": "funder", "note": "4-weekly payment"}
    data.update(overrides)
    return data


def test_record_money_in_and_see_it_counted(client, world):
    login(client, "holder@example.org")
    r = client.post(f"/budgets/{world.dp.id}/money-in/new", data=_data())
    assert r.status_code == 303
    page = client.get(r.location).get_data(as_text=True)
    assert "£1,525.00 received on" in page and "Payment from the council or NHS" in page
    budget = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    summary = budget[budget.index('id="budget-summary"'):budget.index("</section>")]
    assert "£1,525.00" in summary and "£1,405.00" in summary  # received, and received less £120 spent
    item = db.session.query(MoneyIn).one()
    assert item.amount_pence == 152_500 and item.created_by_id == world.holder.id
    assert db.session.query(AuditEvent).filter_by(action="money_in.recorded").one().object_id == item.id


@pytest.mark.parametrize("field, value, message", [
    ("amount", "", "Enter an amount"),
    ("amount", "-3", "Amount must be more than £0"),
    ("source", "", "Select where the money came from"),
    ("source", "lottery", "Not a valid choice"),
    ("received_on", ["", "", ""], "Enter the date the money arrived"),
    ("received_on", ["30", "2", "2026"], "The date the money arrived must be a real date"),
])
def test_bad_money_in(client, world, field, value, message):
    login(client, "holder@example.org")
    r = client.post(f"/budgets/{world.dp.id}/money-in/new", data=_data(**{field: value}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "There is a problem" in page and message in page
    assert db.session.query(MoneyIn).count() == 0


def test_money_in_dated_in_the_future_or_before_the_plan_year(client, world):
    login(client, "holder@example.org")
    tomorrow = today() + timedelta(days=1)
    r = client.post(f"/budgets/{world.dp.id}/money-in/new",
                    data=_data(received_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]))
    assert "must be today or in the past" in r.get_data(as_text=True)
    before = world.dp.plan_year_start - timedelta(days=1)
    r = client.post(f"/budgets/{world.dp.id}/money-in/new",
                    data=_data(received_on=[str(before.day), str(before.month), str(before.year)]))
    assert "must be in this plan year" in r.get_data(as_text=True)


def test_void_money_in_keeps_it_crossed_out(client, world):
    item = MoneyIn(budget_id=world.dp.id, received_on=world.dp.plan_year_start, amount_pence=40_000,
                   source="contribution")
    db.session.add(item)
    db.session.commit()
    login(client, "rep@example.org")
    r = client.post(f"/budgets/{world.dp.id}/money-in/{item.id}/void", data={"reason": ""})
    assert "Enter why you are voiding this record" in r.get_data(as_text=True)
    r = client.post(f"/budgets/{world.dp.id}/money-in/{item.id}/void", data={"reason": "Recorded twice"})
    assert r.status_code == 303
    page = client.get(r.location).get_data(as_text=True)
    assert "Voided" in page and "Recorded twice" in page and "Rita Rep" in page
    assert "Received this plan year</dt><dd>£0.00" in page
    db.session.expire_all()
    assert db.session.get(MoneyIn, item.id).status == "voided"
    assert db.session.query(AuditEvent).filter_by(action="money_in.voided").one().data["reason"] == "Recorded twice"
