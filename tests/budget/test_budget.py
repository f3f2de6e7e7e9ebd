"""The budget page's figures, and budget lines."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pbportal.audit import AuditEvent
from pbportal.budget.models import BudgetLine, MoneyIn, Plan
from pbportal.budget.services import annual_pence
from pbportal.extensions import db
from pbportal.spending.figures import LineFigures, budget_figures
from pbportal.timeutil import today

from ..conftest import EMAIL, login, make_entry, make_line
from ..support import page_of


def test_annual_amount_follows_frequency():
    assert annual_pence(1271, Decimal("30"), "weekly") == 1_982_760
    assert annual_pence(50000, Decimal("1"), "four_weekly") == 650_000
    assert annual_pence(3000, Decimal("1"), "monthly") == 36_000
    assert annual_pence(9500, Decimal("1"), "yearly") == 9_500
    assert annual_pence(45000, Decimal("1"), "one_off") == 45_000
    assert annual_pence(1333, Decimal("7.5"), "weekly") == 519_870


def _line(frequency="weekly", annual=52_000):
    return BudgetLine(id=1, item="x", frequency=frequency, annual_pence=annual)


@pytest.mark.parametrize("spent, year, pace", [
    (26_000, 50, "on_track"),
    (26_000 + 5_200, 50, "on_track"),    # 60% used at 50%: within 10 points
    (26_000 + 5_720, 50, "ahead"),       # 61%
    (20_800, 50, "on_track"),            # 40%
    (20_280, 50, "underused"),           # 39%
    (52_001, 100, "overspent"),
    (0, 0, "on_track"),
])
def test_pace_against_the_year(spent, year, pace):
    assert LineFigures(_line(), spent, year).pace == pace


def test_yearly_and_one_off_lines_are_not_paced():
    assert LineFigures(_line("yearly", 9_500), 9_500, 10).pace == "not_paced"
    assert LineFigures(_line("one_off", 45_000), 45_001, 10).pace == "overspent"


def test_figures_count_only_this_plan_year_and_active_entries(app, world):
    dp, wages, gym = world.dp, world.lines["wages"], world.lines["gym"]
    make_entry(dp, wages, 5000, paid_on=dp.plan_year_start - timedelta(days=1))  # last plan year
    make_entry(dp, gym, 1500, paid_on=dp.plan_year_start + timedelta(days=3))
    make_entry(dp, gym, 700, status="voided")
    make_entry(dp, gym, 800, status="corrected")
    db.session.add(MoneyIn(budget_id=dp.id, received_on=dp.plan_year_start, amount_pence=100_000, source="funder"))
    db.session.add(MoneyIn(budget_id=dp.id, received_on=dp.plan_year_start - timedelta(days=1),
                           amount_pence=999, source="funder"))
    db.session.commit()
    figures = budget_figures(dp, today())
    assert figures.total_pence == wages.annual_pence + gym.annual_pence == 660_920 + 36_000
    assert figures.for_line(wages.id).spent_pence == 12_000
    assert figures.for_line(gym.id).spent_pence == 1_500
    assert figures.spent_pence == 13_500
    assert figures.received_pence == 100_000
    # Money held is not a plan-year figure: last year's money in and out count too (what the bank holds).
    assert figures.held_pence == (100_000 + 999) - (13_500 + 5_000)
    assert figures.left_pence == 696_920 - 13_500


def test_money_held_is_one_figure_brought_forward_plus_in_less_out_wherever_it_appears(app, world, acct):
    """A managed account whose books began with £600.00 brought forward: its holder's home said £433.10 (the
    year's money in less out) while its account page said £1,033.10 in the books. Now every page says the
    same: brought forward, plus money in, less money out since the books began."""
    from pbportal.reconciliation.periods import book_balances, open_period

    ma, start = world.ma, world.ma.plan_year_start
    open_period(ma.id, start, start + timedelta(days=20), 60_000, 0, world.staff)
    make_entry(ma, world.lines["ma"], 12_345, paid_on=start - timedelta(days=2))  # before the books: in the £600
    db.session.add(MoneyIn(budget_id=ma.id, received_on=start + timedelta(days=1), amount_pence=100_000,
                           source="funder"))
    db.session.commit()
    held = 60_000 + 100_000 - 7_000  # world.entries["ma"]: £70.00 on the plan's first day
    assert budget_figures(ma, today()).held_pence == held == book_balances([ma.id], {})[0][ma.id]
    shown = "£1,530.00"

    def page(who, path):
        client = app.test_client()
        login(client, EMAIL[who])
        return re.sub(r"<[^>]+>", "", page_of(client.get(path)))

    assert f"Money held: {shown} (£600.00 brought forward on" in page("ma_holder", f"/budgets/{ma.id}")
    assert shown in page("staff", "/accounts")
    assert shown in page("ma_holder", "/budgets")


def test_budget_page_shows_totals_lines_and_pace(client, world):
    login(client, "holder@example.org")
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    for text in ("Budget for the year", "£6,969.20", "Received so far", "Spent", "£120.00", "Left", "£6,849.20",
                 "Personal assistant wages", "£6,609.20", "Gym", "£360.00", "% of the year gone"):
        assert text in page, text
    assert "Underused" in page or "On track" in page
    assert len(page.encode()) < 30_000


def test_budget_page_query_count_does_not_grow_with_entries(app, client, world):
    from sqlalchemy import event

    login(client, "holder@example.org")
    counts = []

    def count(_conn, _cursor, statement, *args):
        # Each request's session works on a savepoint of the test's transaction (conftest): not the page's queries.
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counts[-1] += 1

    def measure(url):
        counts.append(0)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    for extra in (0, 200):
        for n in range(extra):
            make_entry(world.dp, world.lines["wages" if n % 2 else "gym"], 100 + n)
        db.session.commit()
        measure(f"/budgets/{world.dp.id}")
        measure(f"/budgets/{world.dp.id}/spending")
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    # the signed-in person, the budget, its plan and lines, spent by line with money in and held, latest payments, the
    # contingency plan's standing with open review requests and whether anyone was ever employed (then nothing more
    # from employment), unread notifications
    assert counts[0] <= 8, counts


# ---- budget lines ------------------------------------------------------------------------------

LINE = {"item": "Taxi to the day centre", "outcome": "Get out of the house", "category": "transport",
        "unit_cost": "£12.40", "unit": "item", "quantity": "2", "frequency": "weekly"}


@pytest.mark.parametrize("who", ["holder@example.org", "rep@example.org", "cm@example.org"])
def test_add_a_line_while_the_plan_is_a_draft(client, world, who):
    login(client, who)
    r = client.post(f"/budgets/{world.dp.id}/lines/new", data=LINE)
    assert r.status_code == 303
    line = db.session.query(BudgetLine).filter_by(item="Taxi to the day centre").one()
    assert line.annual_pence == 1240 * 2 * 52 and line.quantity == Decimal("2.00")
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert "Taxi to the day centre" in page and "£1,289.60" in page
    event = db.session.query(AuditEvent).filter_by(action="budget_line.created").one()
    assert event.object_id == line.id and event.data["annual_pence"] == 128_960


def test_edit_a_line_records_what_changed(client, world):
    login(client, "cm@example.org")
    line = world.lines["gym"]
    form = client.get(f"/budgets/{world.dp.id}/lines/{line.id}/edit").get_data(as_text=True)
    assert 'value="Gym"' in form and 'value="30.00"' in form
    data = dict(LINE, item="Gym", category="day_activities", unit="month", unit_cost="32", quantity="1",
                frequency="monthly")
    assert client.post(f"/budgets/{world.dp.id}/lines/{line.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(BudgetLine, line.id).annual_pence == 38_400
    event = db.session.query(AuditEvent).filter_by(action="budget_line.changed").one()
    assert event.data["changes"]["annual_pence"] == [36_000, 38_400]
    assert event.actor_id == world.case_manager.id


@pytest.mark.parametrize("field, value, message", [
    ("item", "", "Enter what the money is for"),
    ("category", "", "Select a category"),
    ("category", "rent", "Not a valid choice"),
    ("unit_cost", "", "Enter an amount"),
    ("unit_cost", "0", "Amount must be more than £0"),
    ("quantity", "", "Enter how many units each time"),
    ("quantity", "-1", "How many units must be more than 0"),
    ("quantity", "lots", "How many units must be a number, like 30 or 7.5"),
    ("quantity", "1.555", "How many units must have no more than 2 decimal places"),
    ("quantity", "NaN", "How many units must be a number, like 30 or 7.5"),
    ("quantity", "Infinity", "How many units must be a number, like 30 or 7.5"),
    ("frequency", "", "Select how often"),
])
def test_bad_line_input(client, world, field, value, message):
    login(client, "holder@example.org")
    r = client.post(f"/budgets/{world.dp.id}/lines/new", data=dict(LINE, **{field: value}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "There is a problem" in page and message in page
    assert db.session.query(BudgetLine).filter_by(item="Taxi to the day centre").count() == 0


def test_agreed_plan_lines_cannot_change(client, world):
    plan = db.session.query(Plan).filter_by(budget_id=world.dp.id).one()
    plan.status = "agreed"
    db.session.commit()
    login(client, "holder@example.org")
    r = client.post(f"/budgets/{world.dp.id}/lines/new", data=LINE)
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/plan"
    assert "cannot be changed" in client.get(r.location).get_data(as_text=True)
    assert db.session.query(BudgetLine).filter_by(item="Taxi to the day centre").count() == 0
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert "Add a budget line" not in page


def test_budget_without_lines_invites_adding_them(client, world):
    from ..conftest import make_budget, make_user

    newcomer = make_user("new@example.org", "holder", "Nia New")
    budget = make_budget(newcomer, world.council, start=date(today().year, 1, 1))
    db.session.commit()
    login(client, "new@example.org")
    page = client.get(f"/budgets/{budget.id}").get_data(as_text=True)
    assert "There are no budget lines yet" in page and "Record a payment" not in page
    assert client.post(f"/budgets/{budget.id}/lines/new", data=LINE).status_code == 303
    assert "Record a payment" in client.get(f"/budgets/{budget.id}").get_data(as_text=True)


def test_holder_home_with_two_budgets_lists_them(client, world):
    from ..conftest import make_budget

    make_budget(world.holder, world.council, name="Alex Holder (NHS)")
    make_line(world.dp, "Extra")
    db.session.commit()
    login(client, "holder@example.org")
    assert client.get("/").location == "/budgets"
    page = client.get("/budgets").get_data(as_text=True)
    assert "Alex Holder (NHS)" in page and "2 people" in page
