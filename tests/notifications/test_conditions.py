"""A budget's standing problems: told to the holder side when each first becomes true, not again until it has
stopped being true; the case manager told of one that has stood for 14 days; looked at again after every request
that changed the budget's records, and never breaking that request."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from pbportal.contingency.models import Arrangement
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


def _open(key):
    return db.session.scalar(select(StandingCondition).where(StandingCondition.key == key,
                                                             StandingCondition.ended_at.is_(None)))


def _again(world):
    recheck([world.dp.id])
    db.session.commit()


def test_the_plan_short_of_the_true_cost_is_told_once_and_again_when_a_rate_changes(world):
    seed_statutory_rates()
    pa = make_pa(world.dp, "Maria Santos", world.lines["wages"], rates=(("day", 1300, "40"),))
    db.session.commit()
    _again(world)
    (first,) = told(world.holder, Kind.PLAN_SHORT_OF_COST)
    assert first.startswith("The plan’s lines for employing PAs are £") and "short of the true cost" in first
    make_entry(world.dp, world.lines["wages"], 5000)  # money recorded: the same problem, not told again
    db.session.commit()
    _again(world)
    assert len(told(world.holder, Kind.PLAN_SHORT_OF_COST)) == 1
    rate = db.session.scalar(select(PayRate).where(PayRate.pa_id == pa.id))
    rate.hourly_pence = 1400  # a rate change: told again, with the new shortfall
    db.session.commit()
    _again(world)
    titles = told(world.holder, Kind.PLAN_SHORT_OF_COST)
    assert len(titles) == 2 and titles[1] != titles[0]


def test_money_held_above_the_surplus_level_is_told_once_until_it_falls_back(world):
    money = pay_in(world.dp, 10_000_000)
    db.session.commit()
    _again(world)
    (title,) = told(world.holder, Kind.MONEY_SURPLUS)
    assert title.startswith("The money held (£") and "the funder may ask for some of it back" in title
    _again(world)
    assert len(told(world.holder, Kind.MONEY_SURPLUS)) == 1
    money.status, money.change_reason = "voided", "Paid in twice"  # back under the level: the problem ends
    db.session.commit()
    _again(world)
    assert _open("money_surplus") is None
    pay_in(world.dp, 10_000_000)  # and crossing again is told again
    db.session.commit()
    _again(world)
    assert len(told(world.holder, Kind.MONEY_SURPLUS)) == 2


def test_money_held_below_the_contingency_weeks_is_told_once_until_it_is_enough(world):
    """A contingency arrangement of £500 a week and 4 weeks asked for: £2,000 must be held."""
    arrangement = Arrangement(budget_id=world.dp.id, scenario="pa_sick", what_happens="Agency cover",
                              who_steps_in="Agency", expected_cost_pence=50_000)
    db.session.add(arrangement)
    world.council.contingency_weeks_setting = 4
    pay_in(world.dp, 100_000)  # £1,000 in, less the £120 spent: £880 held
    db.session.commit()
    _again(world)
    (title,) = told(world.holder, Kind.MONEY_LOW)
    assert "is less than 4 weeks of the costliest contingency arrangement" in title
    _again(world)
    assert len(told(world.holder, Kind.MONEY_LOW)) == 1
    pay_in(world.dp, 200_000)
    db.session.commit()
    _again(world)
    assert _open("money_low") is None


def test_a_failure_to_look_again_never_breaks_the_request(app, world, monkeypatch, caplog):
    def broken(budget, on):
        raise RuntimeError("the conditions could not be worked out")

    monkeypatch.setattr(budget_conditions, "conditions_of", broken)
    holder = signed_in(app, "holder")
    assert pay(holder, world, "12.50").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SpendingEntry).where(SpendingEntry.amount_pence == 1250)) is not None
    assert "Could not look again at the conditions of budgets" in caplog.text


def test_one_budget_that_cannot_be_looked_at_leaves_the_others_to_the_daily_run(app, world, monkeypatch, caplog):
    """The worker runs this daily: one faulty budget is logged and left out, everyone else's problems are
    still found, and the run (and the email after it) goes on."""
    real = budget_conditions.conditions_of

    def broken_for_one(budget, on):
        if budget.id == world.other_dp.id:
            raise RuntimeError("this budget's figures could not be worked out")
        return real(budget, on)

    pay_in(world.dp, 10_000_000)  # the holder's budget is over the surplus level
    db.session.commit()
    monkeypatch.setattr(budget_conditions, "conditions_of", broken_for_one)
    budget_conditions.recheck_all()
    assert len(told(world.holder, Kind.MONEY_SURPLUS)) == 1
    assert f"Could not look at budget {world.other_dp.id}'s standing problems" in caplog.text


def test_the_reminders_command_says_who_was_told_and_is_safe_to_run_again(app, world):
    pay_in(world.dp, 10_000_000)  # something to tell: money held above the surplus level
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders"])
    assert first.exit_code == 0 and " told" in first.output
    after_first = db.session.scalar(select(func.count()).select_from(Notification))
    assert len(told(world.holder, Kind.MONEY_SURPLUS)) == 1
    again = runner.invoke(args=["reminders"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == after_first
