"""Guard rails when entering money: the same payment twice asks first; a form sent twice records one payment; an
amount far beyond the line asks first. With htmx and without JavaScript."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import EMAIL, login, make_entry
from ..support import page_of, parts, signed_in

HTMX = [pytest.param({}, id="no-js"), pytest.param({"HX-Request": "true"}, id="htmx")]


def payment(world, key, **overrides):
    data = {"paid_on": parts(today()), "amount": "12.50", "payee": "Corner Shop",
            "line_id": str(world.lines["gym"].id), "note": "", "idempotency_key": key}
    data.update(overrides)
    return data


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SpendingEntry))


def test_each_form_carries_its_own_key(app, world):
    holder = signed_in(app, "holder")
    keys = {re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"',
                      page_of(holder.get(f"/budgets/{world.dp.id}/payments/new"))).group(1) for _ in range(2)}
    assert len(keys) == 2 and all(len(k) >= 30 for k in keys)


@pytest.mark.parametrize("headers", HTMX)
def test_a_form_sent_twice_records_one_payment(app, world, headers):
    holder = signed_in(app, "holder")
    before = count()
    first = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k1"), headers=headers)
    again = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k1"), headers=headers)
    assert first.status_code == again.status_code and first.status_code in (200, 303)
    assert count() == before + 1


@pytest.mark.parametrize("headers", HTMX)
def test_the_same_payment_recorded_again_asks_first(app, world, headers):
    holder = signed_in(app, "holder")
    holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k1"))
    before = count()
    asked = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k2", payee="corner shop"),
                        headers=headers)
    text = page_of(asked)
    assert asked.status_code == 200 and f"You recorded this already on {today():%-d %B %Y}" in text
    assert "Record it again?" in text and "Yes, record it" in text
    assert 'name="confirmed" type="hidden" value="duplicate"' in text
    assert count() == before
    done = holder.post(f"/budgets/{world.dp.id}/payments/new",
                       data=payment(world, "k2", payee="corner shop", confirmed="duplicate"), headers=headers)
    assert done.status_code in (200, 303) and count() == before + 1


@pytest.mark.parametrize("amount, says", [
    ("400", "£400.00 is more than the whole of Gym for the year (£360.00)"),
])
def test_an_amount_far_beyond_the_line_asks_first(app, world, amount, says):
    holder = signed_in(app, "holder")
    before = count()
    asked = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k1", amount=amount))
    assert asked.status_code == 200 and says in page_of(asked) and count() == before
    done = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, "k1", amount=amount,
                                                                             confirmed="large"))
    assert done.status_code == 303 and count() == before + 1


def test_over_5000_on_a_line_with_less_left_asks_first(app, world):
    make_entry(world.dp, world.lines["wages"], 200000, paid_on=today())  # £6,609.20 a year; £4,489.20 left
    db.session.commit()
    holder = signed_in(app, "holder")
    before = count()
    asked = holder.post(f"/budgets/{world.dp.id}/payments/new",
                        data=payment(world, "k1", amount="5,500", line_id=str(world.lines["wages"].id)))
    text = page_of(asked)
    assert asked.status_code == 200
    assert "£5,500.00 is more than is left on Personal assistant wages (£4,489.20)" in text
    assert count() == before


@pytest.mark.real_commits
def test_a_double_click_sends_two_requests_at_once_and_one_payment_is_recorded(request, app, world):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    url = f"/budgets/{world.dp.id}/payments/new"
    data = payment(world, "double-click")
    start = threading.Barrier(2, timeout=20)

    def send():
        client = app.test_client()
        login(client, EMAIL["holder"])
        start.wait()
        return client.post(url, data=data).status_code

    before = count()
    with ThreadPoolExecutor(2) as pool:
        codes = [f.result(timeout=60) for f in [pool.submit(send), pool.submit(send)]]
    assert codes == [303, 303]
    assert count() == before + 1
