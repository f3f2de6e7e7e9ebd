"""Fixtures of the employment tests: the statutory figures, and PAs with pay records on every budget."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pbportal.employment.rates import StatutoryRate, seed_statutory_rates
from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import make_line
from .helpers import make_pa, make_pay


@pytest.fixture
def rates(app):
    seed_statutory_rates()
    db.session.commit()


@pytest.fixture
def emp(world, rates):
    """PAs on every budget, with HMRC and pension lines on the holder's plan and a pay record each."""
    w = world
    w.lines["hmrc"] = make_line(w.dp, "HMRC", category="hmrc", unit="month", quantity="1", unit_cost_pence=20000,
                                frequency="monthly")
    w.lines["pension"] = make_line(w.dp, "Pension", category="pension", unit="month", quantity="1",
                                   unit_cost_pence=5000, frequency="monthly")
    pa = make_pa(w.dp, "Pat Jones", w.lines["wages"])
    pa2 = make_pa(w.dp, "Sam Second", w.lines["wages"], rates=(("day", 1350, "10"),))
    other_pa = make_pa(w.other_dp, "Olly Other", w.lines["other"])
    ma_pa = make_pa(w.ma, "Mia Managed", w.lines["ma"])
    se_pa = make_pa(w.dp, "Sol Trader", w.lines["wages"], employment_type="self_employed")
    first = today() - timedelta(days=100)
    pay = make_pay(pa, w.holder, first)
    pay2 = make_pay(pa2, w.holder, first)
    other_pay = make_pay(other_pa, w.other_holder, first)
    ma_pay = make_pay(ma_pa, w.staff, first)
    db.session.commit()
    rate = db.session.scalar(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus").limit(1))
    return SimpleNamespace(pa=pa, pa2=pa2, other_pa=other_pa, ma_pa=ma_pa, pay=pay, pay2=pay2, other_pay=other_pay,
                           ma_pay=ma_pay, rate=rate, ids={
                               "dp": w.dp.id, "ma": w.ma.id, "other": w.other_dp.id, "pa": pa.id, "pa2": pa2.id,
                               "other_pa": other_pa.id, "ma_pa": ma_pa.id, "pay": pay.id, "pay2": pay2.id,
                               "other_pay": other_pay.id, "ma_pay": ma_pay.id, "rate": rate.id, "se_pa": se_pa.id})
