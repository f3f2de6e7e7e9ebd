"""A budget's standing problems: told to the holder side when each first becomes true, not again until it has
stopped being true; the case manager told of one that has stood for 14 days; looked at again after every request
that changed the budget's records, and never breaking that request."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pbportal.employment.models import PayRate
from pbportal.employment.rates import seed_statutory_rates
from pbportal.extensions import db
from pbportal.homes import conditions as budget_conditions
from pbportal.homes.conditions import recheck
from pbportal.notifications.models import Kind, Notification, StandingCondition
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import make_entry
from ..employment.helpers import make_pa
from ..support import parts, pay_in, signed_in


def told(user, kind=None) -> list[str]:
    db.session.expire_all()
    query = select(Notification.title).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def pay(client, world, amount, line="gym"):
    return client.post(f"/budgets/{world.dp.id}/payments/new",
                       data={"paid_on": parts(today()), "amount": amount, "payee": "Leisure Centre",
                             "line_id": str(world.lines[line].id), "note": "", "confirmed": "large,duplicate"})


def test_a_line_overspent_is_told_once_until_it_is_back_within_budget(app, world):
    holder = signed_in(app, "holder")
    assert pay(holder, world, "300").status_code == 303
    assert told(world.holder, Kind.LINE_OVERSPENT) == []  # £300 of £360
    assert pay(holder, world, "100").status_code == 303
    expected = "Gym is overspent: £400.00 spent this plan year, against £360.00 in the plan"
    assert told(world.holder, Kind.LINE_OVERSPENT) == [expected]
    assert told(world.rep, Kind.LINE_OVERSPENT) == [expected]
    assert pay(holder, world, "5").status_code == 303
    assert len(told(world.holder, Kind.LINE_OVERSPENT)) == 1  # still overspent: not told again

    last = db.session.scalars(select(SpendingEntry).order_by(SpendingEntry.id.desc())).first()
    for entry in db.session.scalars(select(SpendingEntry).where(SpendingEntry.line_id == world.lines["gym"].id,
                                                                SpendingEntry.amount_pence >= 10000)):
        assert holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/void",
                           data={"reason": "Recorded twice"}).status_code == 303
    assert last is not None
    gone = db.session.scalars(select(StandingCondition).where(StandingCondition.key.like("overspent:%"))).all()
    assert len(gone) == 1 and gone[0].ended_at is not None

    assert pay(holder, world, "400").status_code == 303  # over again: a new occasion
    assert len(told(world.holder, Kind.LINE_OVERSPENT)) == 2
    assert told(world.other_holder) == []


def test_the_case_manager_hears_of_a_problem_that_has_stood_for_14_days(world):
    make_entry(world.dp, world.lines["gym"], 50000, paid_on=today())
    db.session.commit()
    recheck([world.dp.id])
    db.session.commit()
    assert told(world.case_manager) == []
    recheck([world.dp.id], today() + timedelta(days=13))
    db.session.commit()
    assert told(world.case_manager) == []
    recheck([world.dp.id], today() + timedelta(days=14))
    recheck([world.dp.id], today() + timedelta(days=20))
    db.session.commit()
    assert told(world.case_manager) == [
        f"{world.dp.person_name}: Gym is overspent: £500.00 spent this plan year, against £360.00 in the plan "
        f"(since {today():%-d %B %Y})"]


def test_pay_below_the_minimum_wage_is_told_and_told_again_when_the_rate_changes(world):
    seed_statutory_rates()
    pa = make_pa(world.dp, "Maria Santos", rates=(("day", 500, "20"),))
    db.session.commit()
    recheck([world.dp.id])
    db.session.commit()
    first = told(world.holder, Kind.PAY_BELOW_MINIMUM)
    assert len(first) == 1 and first[0].startswith("Maria Santos’s day rate of £5.00 an hour is below the")
    recheck([world.dp.id])
    db.session.commit()
    assert len(told(world.holder, Kind.PAY_BELOW_MINIMUM)) == 1
    rate = db.session.scalar(select(PayRate).where(PayRate.pa_id == pa.id))
    rate.hourly_pence = 600
    db.session.commit()
    recheck([world.dp.id])
    db.session.commit()
    titles = told(world.holder, Kind.PAY_BELOW_MINIMUM)
    assert len(titles) == 2 and "£6.00 an hour" in titles[1]


def test_money_held_above_the_surplus_level(world):
    pay_in(world.dp, 10_000_000)
    db.session.commit()
    recheck([world.dp.id])
    db.session.commit()
    (title,) = told(world.holder, Kind.MONEY_SURPLUS)
    assert title.startswith("The money held (£") and "the funder may ask for some of it back" in title


def test_a_failure_to_look_again_never_breaks_the_request(app, world, monkeypatch, caplog):
    def broken(budget, on):
        raise RuntimeError("the conditions could not be worked out")

    monkeypatch.setattr(budget_conditions, "conditions_of", broken)
    holder = signed_in(app, "holder")
    assert pay(holder, world, "12.50").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SpendingEntry).where(SpendingEntry.amount_pence == 1250)) is not None
    assert "Could not look again at the conditions of budgets" in caplog.text
