"""Plan versions: agreeing a draft, new versions, and payments following the version in force on their date."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbportal.budget.models import Budget, BudgetLine, Plan
from pbportal.budget.services import agree_plan, line_in_force, save_line, start_new_version
from pbportal.extensions import db
from pbportal.spending.figures import budget_figures
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import login, make_budget, make_user
from ..support import agree_v1, audits, long_date, page_of, parts, plan_of, signed_in

LINE = {"item": "Gym", "outcome": "", "category": "day_activities", "unit": "month", "unit_cost": "35",
        "quantity": "1", "frequency": "monthly"}


def test_the_case_manager_agrees_the_draft(app, world):
    holder = signed_in(app, "holder")
    page = page_of(holder.get(f"/budgets/{world.dp.id}/plan"))
    assert "Draft</strong>" in page and "Version 1 is a draft until the case manager agrees it" in page
    assert "Agree and sign off" not in page
    cm = signed_in(app, "case_manager")
    assert "Agree and sign off this version" in page_of(cm.get(f"/budgets/{world.dp.id}/plan"))
    response = cm.post(f"/budgets/{world.dp.id}/plan/agree")
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/plan"
    page = page_of(cm.get(response.location))
    start = world.dp.plan_year_start
    assert f"Version 1 agreed. It is in force from {long_date(start)}." in page
    assert "Agreed by Cara Case on" in page and "In force</strong>" in page and "Agree and sign off" not in page
    plan = plan_of(world.dp)
    db.session.refresh(plan)
    assert plan.status == "agreed" and plan.agreed_by_id == world.case_manager.id and plan.agreed_at is not None
    agreed = audits("plan.agreed")
    assert len(agreed) == 1 and agreed[0].object_id == plan.id and agreed[0].data["version"] == 1

    # The agreed plan's lines can no longer change.
    wages = world.lines["wages"]
    for url in (f"/budgets/{world.dp.id}/lines/{wages.id}/edit", f"/budgets/{world.dp.id}/lines/new"):
        response = holder.post(url, data=dict(LINE, item="Changed"))
        assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/plan", url
        assert "cannot be changed" in page_of(holder.get(response.location))
    db.session.expire_all()
    assert db.session.get(BudgetLine, wages.id).item == "Personal assistant wages"
    assert db.session.query(BudgetLine).filter_by(item="Changed").count() == 0
    budget = page_of(holder.get(f"/budgets/{world.dp.id}"))
    assert "Plan version 1: agreed by Cara Case" in budget and "Add a budget line" not in budget
    assert "There is no draft to agree." in page_of(cm.post(f"/budgets/{world.dp.id}/plan/agree",
                                                            follow_redirects=True))


def test_a_plan_with_no_lines_cannot_be_agreed(client, world):
    newcomer = make_user("new@example.org", "holder", "Nia New")
    budget = make_budget(newcomer, world.council, case_manager=world.case_manager)
    db.session.commit()
    login(client, "cm@example.org")
    page = page_of(client.post(f"/budgets/{budget.id}/plan/agree", follow_redirects=True))
    assert "A plan with no budget lines cannot be agreed" in page
    assert plan_of(budget).status == "draft"


def test_a_new_version_copies_the_lines_and_starts_after_the_version_in_force(app, world):
    v1 = agree_v1(world)
    holder = signed_in(app, "holder")
    url = f"/budgets/{world.dp.id}/plan/versions"
    page = page_of(holder.get(f"/budgets/{world.dp.id}/plan"))
    assert "Change the plan" in page and "Start a new version" in page
    for day in (v1.starts_on, v1.starts_on - timedelta(days=1)):
        page = page_of(holder.post(url, data={"starts_on": parts(day)}))
        assert "There is a problem" in page
        assert (f"The new version must start after {long_date(v1.starts_on)}, when the version in force started"
                in page)
    assert db.session.query(Plan).count() == 3  # v1 of each of the three budgets
    starts = today() - timedelta(days=10)
    response = holder.post(url, data={"starts_on": parts(starts)})
    assert response.status_code == 303
    page = page_of(holder.get(response.location))
    assert "Version 2 started as a draft, with the lines of the agreed plan" in page
    assert "Version 2 (draft)" in page and "Version 1 (in force)" in page
    v2 = plan_of(world.dp, 2)
    assert v2.status == "draft" and v2.starts_on == starts
    old = {line.item: line for line in db.session.query(BudgetLine).filter_by(plan_id=v1.id)}
    new = {line.item: line for line in db.session.query(BudgetLine).filter_by(plan_id=v2.id)}
    assert set(new) == set(old) == {"Personal assistant wages", "Gym"}
    for item, line in new.items():
        assert line.id != old[item].id and line.root_line_id == old[item].id and line.lineage == old[item].id
        assert (line.unit_cost_pence, line.quantity, line.frequency, line.annual_pence) == \
            (old[item].unit_cost_pence, old[item].quantity, old[item].frequency, old[item].annual_pence)
    started = audits("plan.version_started")
    assert len(started) == 1 and started[0].data["copied_from"] == 1 and started[0].actor_id == world.holder.id
    # Only one draft at a time.
    response = holder.post(url, data={"starts_on": parts(today())})
    assert "There is already a draft version: change that one." in page_of(holder.get(response.location))
    assert db.session.query(Plan).filter_by(budget_id=world.dp.id).count() == 2

    # The draft's lines can change; the agreed version's cannot.
    gym2 = new["Gym"]
    response = holder.post(f"/budgets/{world.dp.id}/lines/{gym2.id}/edit", data=LINE)
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/plan"
    response = holder.post(f"/budgets/{world.dp.id}/lines/{old['Gym'].id}/edit", data=dict(LINE, unit_cost="99"))
    assert "cannot be changed" in page_of(holder.get(response.location))
    db.session.expire_all()
    assert db.session.get(BudgetLine, gym2.id).annual_pence == 3500 * 12
    assert db.session.get(BudgetLine, old["Gym"].id).annual_pence == 3000 * 12
    # Until it is agreed, the version in force is still the first.
    assert "Plan version 1: agreed" in page_of(holder.get(f"/budgets/{world.dp.id}"))

    cm = signed_in(app, "case_manager")
    assert cm.post(f"/budgets/{world.dp.id}/plan/agree").status_code == 303
    page = page_of(holder.get(f"/budgets/{world.dp.id}/plan"))
    assert "Version 2 (in force)" in page and "Version 1 (in force)" not in page
    budget = page_of(holder.get(f"/budgets/{world.dp.id}"))
    assert "Plan version 2: agreed by Cara Case" in budget
    line = budget[budget.index(f'id="line-{new["Personal assistant wages"].id}"'):]
    assert "Spent</dt><dd>£120.00</dd>" in line[:line.index("</li>")]  # the v1 spending counts on its v2 line
    assert f"Budget for the year</dt><dd>£{(1271 * 10 * 52 + 3500 * 12) / 100:,.2f}</dd>" in budget


@pytest.fixture
def two_versions(world):
    """v1 agreed; v2 (with an extra line) agreed and in force from ten days ago."""
    agree_v1(world)
    v2 = start_new_version(world.dp, today() - timedelta(days=10), world.holder)
    db.session.flush()
    values = {"item": "Night sitter", "outcome": "", "category": "agency_care", "unit": "hour",
              "quantity": 8, "unit_cost_pence": 2000, "frequency": "weekly"}
    save_line(world.dp, v2, values, world.holder)
    agree_plan(v2, world.case_manager)
    db.session.commit()
    lines = {(line.plan_id, line.item): line for line in db.session.query(BudgetLine).filter_by(budget_id=world.dp.id)}
    v1 = plan_of(world.dp)
    return {"v1": v1, "v2": v2, "wages1": lines[(v1.id, "Personal assistant wages")],
            "wages2": lines[(v2.id, "Personal assistant wages")], "night": lines[(v2.id, "Night sitter")]}


def payment(line, day, amount):
    return {"paid_on": parts(day), "amount": amount, "payee": "Maria Santos", "line_id": str(line.id), "note": ""}


def test_payments_follow_the_version_in_force_on_their_date(client, world, two_versions):
    v = two_versions
    assert line_in_force(world.dp, v["wages1"], today()) == v["wages2"]
    assert line_in_force(world.dp, v["wages2"], today() - timedelta(days=20)) == v["wages1"]
    assert line_in_force(world.dp, v["night"], today() - timedelta(days=20)) is None
    login(client, "holder@example.org")
    url = f"/budgets/{world.dp.id}/payments/new"
    form = page_of(client.get(url))
    offered = re.findall(r'<option value="(\d+)"', form)  # the lines in force, not the date boxes' values
    assert str(v["wages2"].id) in offered and str(v["wages1"].id) not in offered

    before, after = today() - timedelta(days=20), today() - timedelta(days=5)
    assert client.post(url, data=payment(v["wages2"], before, "50")).status_code == 303
    assert client.post(url, data=payment(v["wages2"], after, "30")).status_code == 303
    entries = {e.amount_pence: e for e in db.session.query(SpendingEntry).filter_by(budget_id=world.dp.id)}
    assert entries[5_000].line_id == v["wages1"].id  # before v2 started: on v1's line of the same lineage
    assert entries[3_000].line_id == v["wages2"].id
    # A line that only v2 has cannot take a payment from before v2 started.
    page = page_of(client.post(url, data=payment(v["night"], before, "40")))
    assert f"‘Night sitter’ was not in the plan on {long_date(before)}" in page
    assert db.session.query(SpendingEntry).filter_by(amount_pence=4_000).count() == 0

    figures = budget_figures(db.session.get(Budget, world.dp.id), today())
    assert figures.plan.id == v["v2"].id
    assert figures.for_line(v["wages2"].id).spent_pence == 12_000 + 5_000 + 3_000
    assert figures.spent_pence == 20_000 and figures.other_spent_pence == 0
    budget = page_of(client.get(f"/budgets/{world.dp.id}"))
    line = budget[budget.index(f'id="line-{v["wages2"].id}"'):]
    line = line[:line.index("</li>")]
    assert "Spent</dt><dd>£200.00</dd>" in line
    assert f"Left</dt><dd>£{(1271 * 10 * 52 - 20_000) / 100:,.2f}</dd>" in line
    summary = budget[budget.index('id="budget-summary"'):]
    assert "Spent</dt><dd>£200.00</dd>" in summary[:summary.index("</section>")]
    # The line's own spending list (its "Spending" link) agrees with the £200.00 the line shows.
    listed = page_of(client.get(f"/budgets/{world.dp.id}/spending?line={v['wages2'].id}"))
    assert "3 payments totalling <strong>£200.00</strong> on Personal assistant wages" in listed, \
        re.search(r"\d+ payments? totalling <strong>[^<]+</strong>[^<]*", listed).group(0)


def test_correcting_a_payment_on_an_earlier_versions_line(client, world, two_versions):
    """The £120 payment was recorded on v1's wages line; v2 is now in force. The correction form starts on the
    same line as it is in force today, and the corrected payment stays on the line in force on its date."""
    v = two_versions
    entry = world.entries["dp"]
    login(client, "holder@example.org")
    url = f"/budgets/{world.dp.id}/spending/{entry.id}/correct"
    form = page_of(client.get(url))
    chosen = re.search(r'<option[^>]*selected[^>]*>([^<]*)</option>', form)
    assert chosen and chosen.group(1) == "Personal assistant wages", "the form does not keep the payment's line"
    response = client.post(url, data=dict(payment(v["wages2"], entry.paid_on, "125"), reason="Typo in amount"))
    assert response.status_code == 303
    replacement = db.session.query(SpendingEntry).filter_by(amount_pence=12_500).one()
    assert replacement.line_id == v["wages1"].id  # paid before v2 started


def test_a_version_agreed_to_start_later_is_not_yet_in_force(client, world):
    agree_v1(world)
    v2 = start_new_version(world.dp, today() + timedelta(days=10), world.holder)
    agree_plan(v2, world.case_manager)
    db.session.commit()
    login(client, "holder@example.org")
    assert "Plan version 1: agreed" in page_of(client.get(f"/budgets/{world.dp.id}"))
    page = page_of(client.get(f"/budgets/{world.dp.id}/plan"))
    assert "Version 1 (in force)" in page and "Version 2 (in force)" not in page
    r = client.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world.lines["wages"], today(), "25"))
    assert r.status_code == 303
    assert db.session.query(SpendingEntry).filter_by(amount_pence=2_500).one().line_id == world.lines["wages"].id


def test_a_new_version_cannot_start_before_an_agreed_later_one(client, world):
    """v2 is agreed to start in 10 days; a v3 starting in 5 days would mean v2 never comes into force."""
    agree_v1(world)
    v2 = start_new_version(world.dp, today() + timedelta(days=10), world.holder)
    agree_plan(v2, world.case_manager)
    db.session.commit()
    login(client, "holder@example.org")
    response = client.post(f"/budgets/{world.dp.id}/plan/versions",
                           data={"starts_on": parts(today() + timedelta(days=5))})
    assert response.status_code == 200 and "must start after" in page_of(response)
    assert db.session.query(Plan).filter_by(budget_id=world.dp.id).count() == 2
