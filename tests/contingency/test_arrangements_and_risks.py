"""Contingency arrangements, the last-resort contact and risks; whether the money held covers the costliest
arrangement."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pbportal.contingency.models import Arrangement, ContingencyPlan, Risk
from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import login
from ..support import audits, long_date, page_of, parts, pay_in, signed_in
from .helpers import add_arrangement, add_risk


def arrangement_form(**overrides):
    data = {"scenario": "pa_sick", "title": "", "what_happens": "Sam covers the morning calls",
            "who_steps_in": "Sam Backup", "contact": "07700 900123", "expected_cost": "150", "line_id": "0"}
    data.update(overrides)
    return data


def test_add_an_arrangement_and_see_it(client, world):
    login(client, "holder@example.org")
    budget_page = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert "No plan yet" in budget_page
    response = client.post(f"/budgets/{world.dp.id}/contingency/arrangements/new",
                           data=arrangement_form(line_id=str(world.lines["wages"].id)))
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/contingency"
    page = page_of(client.get(response.location))
    assert "Arrangement saved." in page and "A PA is off sick" in page and "Sam covers the morning calls" in page
    assert 'href="tel:07700900123"' in page
    assert "About £150.00 extra a week, paid from Personal assistant wages." in page
    arrangement = db.session.query(Arrangement).one()
    assert arrangement.expected_cost_pence == 15_000 and arrangement.line_id == world.lines["wages"].id
    assert arrangement.title == "" and arrangement.position == 1
    plan = db.session.query(ContingencyPlan).filter_by(budget_id=world.dp.id).one()
    assert plan.updated_by_id == world.holder.id
    added = audits("contingency.arrangement_added")
    assert len(added) == 1 and added[0].actor_id == world.holder.id and added[0].budget_id == world.dp.id
    assert added[0].object_id == arrangement.id and added[0].data["expected_cost_pence"] == 15_000
    budget_page = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert "No plan yet" not in budget_page and "If something goes wrong</a>:" in budget_page


def test_an_arrangement_of_your_own_needs_a_title(client, world):
    login(client, "rep@example.org")
    url = f"/budgets/{world.dp.id}/contingency/arrangements/new"
    page = page_of(client.post(url, data=arrangement_form(scenario="own", title="  ")))
    assert "There is a problem" in page and "Enter what the arrangement is for" in page
    assert db.session.query(Arrangement).count() == 0
    assert client.post(url, data=arrangement_form(scenario="own", title="Power cut")).status_code == 303
    # A title only counts for an arrangement of your own.
    assert client.post(url, data=arrangement_form(scenario="bad_weather", title="Ignored")).status_code == 303
    page = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert ">Power cut</h2>" in page and ">Bad weather</h2>" in page and "Ignored" not in page
    assert [a.title for a in db.session.query(Arrangement).order_by(Arrangement.id)] == ["Power cut", ""]


@pytest.mark.parametrize("field, value, message", [
    ("expected_cost", "abc", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("expected_cost", "-5", "Expected cost must be more than £0"),
    ("expected_cost", "0", "Expected cost must be more than £0"),
    ("expected_cost", "1.234", "Expected cost must not have more than 2 decimal places"),
    ("line_id", "other", "Select a budget line from the plan"),
    ("line_id", "999999", "Select a budget line from the plan"),
    ("scenario", "", "Select what this arrangement is for"),
    ("scenario", "flood", "Not a valid choice"),
    ("what_happens", "", "Enter what happens"),
    ("who_steps_in", "", "Enter who steps in"),
    ("contact", "", "Enter how to reach them"),
])
def test_bad_arrangement_input(client, world, field, value, message):
    if value == "other":
        value = str(world.lines["other"].id)
    login(client, "holder@example.org")
    response = client.post(f"/budgets/{world.dp.id}/contingency/arrangements/new",
                           data=arrangement_form(**{field: value}))
    page = page_of(response)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert db.session.query(Arrangement).count() == 0
    assert audits("contingency.arrangement_added") == []


def test_change_an_arrangement_records_what_changed(app, world):
    holder = signed_in(app, "holder")
    holder.post(f"/budgets/{world.dp.id}/contingency/arrangements/new", data=arrangement_form())
    arrangement = db.session.query(Arrangement).one()
    cm = signed_in(app, "case_manager")
    url = f"/budgets/{world.dp.id}/contingency/arrangements/{arrangement.id}/edit"
    form = page_of(cm.get(url))
    assert 'value="150.00"' in form and 'value="Sam Backup"' in form
    response = cm.post(url, data=arrangement_form(expected_cost="200", who_steps_in="Kim Agency"))
    assert response.status_code == 303
    db.session.expire_all()
    arrangement = db.session.get(Arrangement, arrangement.id)
    assert arrangement.expected_cost_pence == 20_000 and arrangement.who_steps_in == "Kim Agency"
    changed = audits("contingency.arrangement_changed")
    assert len(changed) == 1 and changed[0].actor_id == world.case_manager.id
    assert changed[0].data["changes"] == {"who_steps_in": ["Sam Backup", "Kim Agency"],
                                          "expected_cost_pence": [15_000, 20_000]}
    plan = db.session.query(ContingencyPlan).filter_by(budget_id=world.dp.id).one()
    assert plan.updated_by_id == world.case_manager.id
    assert "by Cara Case" in page_of(holder.get(f"/budgets/{world.dp.id}/contingency"))


def test_last_resort_contact(client, world):
    login(client, "holder@example.org")
    url = f"/budgets/{world.dp.id}/contingency/last-resort"
    page = page_of(client.post(url, data={"last_resort_name": "", "last_resort_phone": ""}))
    assert "Enter who to call if nothing else works" in page and "Enter their phone number" in page
    assert db.session.query(ContingencyPlan).count() == 0
    response = client.post(url, data={"last_resort_name": "Out of hours team", "last_resort_phone": "0300 123 4567"})
    assert response.status_code == 303
    page = page_of(client.get(response.location))
    assert "Last-resort contact saved." in page and "If nothing else works, call" in page
    assert 'Out of hours team: <a class="govuk-link" href="tel:03001234567">0300 123 4567</a>' in page
    assert "Change the last-resort contact" in page
    assert 'value="Out of hours team"' in page_of(client.get(url))
    plan = db.session.query(ContingencyPlan).one()
    assert (plan.last_resort_name, plan.last_resort_phone, plan.updated_by_id) == \
        ("Out of hours team", "0300 123 4567", world.holder.id)
    changed = audits("contingency.last_resort_changed")
    assert len(changed) == 1 and changed[0].data == {"name": "Out of hours team", "phone": "0300 123 4567"}
    assert changed[0].budget_id == world.dp.id and changed[0].actor_id == world.holder.id


def risk_form(**overrides):
    day = today() + timedelta(days=90)
    data = {"description": "Falls when getting up at night", "status": "mitigated",
            "mitigation": "A bed sensor calls the back-up PA", "accepted_by": "", "review_on": parts(day)}
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides, message", [
    ({"mitigation": ""}, "Enter how the risk is reduced"),
    ({"status": "accepted", "accepted_by": ""}, "Enter who accepted the risk"),
    ({"review_on": parts(today() - timedelta(days=2))}, "The date to look at it again must be today or later"),
    ({"review_on": ["", "", ""]}, "Enter the date to look at it again"),
    ({"review_on": ["31", "2", "2030"]}, "The date to look at it again must be a real date"),
    ({"status": ""}, "Select how the risk is handled"),
    ({"description": ""}, "Enter the risk"),
])
def test_bad_risk_input(client, world, overrides, message):
    login(client, "holder@example.org")
    response = client.post(f"/budgets/{world.dp.id}/contingency/risks/new", data=risk_form(**overrides))
    page = page_of(response)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert db.session.query(Risk).count() == 0


def test_a_mitigated_risk(client, world):
    login(client, "holder@example.org")
    response = client.post(f"/budgets/{world.dp.id}/contingency/risks/new",
                           data=risk_form(accepted_by="Not kept for a mitigated risk"))
    assert response.status_code == 303 and response.location.endswith("/contingency#risks")
    risk = db.session.query(Risk).one()
    assert risk.status == "mitigated" and risk.mitigation == "A bed sensor calls the back-up PA"
    assert risk.accepted_by == "" and risk.accepted_on is None and risk.recorded_by_id == world.holder.id
    page = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "Mitigated: A bed sensor calls the back-up PA" in page
    assert f"Look again {long_date(today() + timedelta(days=90))}" in page
    added = audits("risk.added")
    assert len(added) == 1 and added[0].data["status"] == "mitigated" and added[0].object_id == risk.id


def test_an_accepted_risk_records_who_accepted_it_when_and_who_recorded_it(app, world):
    rep = signed_in(app, "rep")
    response = rep.post(f"/budgets/{world.dp.id}/contingency/risks/new",
                        data=risk_form(status="accepted", description="Going out alone at night",
                                       accepted_by="Alex, who has capacity to decide", mitigation="Not kept"))
    assert response.status_code == 303
    risk = db.session.query(Risk).one()
    assert risk.status == "accepted" and risk.accepted_on == today() and risk.mitigation == ""
    assert risk.accepted_by == "Alex, who has capacity to decide" and risk.recorded_by_id == world.rep.id
    page = page_of(rep.get(f"/budgets/{world.dp.id}/contingency"))
    assert (f"Accepted as Alex Holder’s own choice by Alex, who has capacity to decide on {long_date(today())}, "
            "recorded by Rita Rep") in page

    # Changing an accepted risk keeps the date it was accepted and records who changed it.
    earlier = today() - timedelta(days=40)
    risk.accepted_on = earlier
    db.session.commit()
    cm = signed_in(app, "case_manager")
    url = f"/budgets/{world.dp.id}/contingency/risks/{risk.id}/edit"
    assert "Going out alone at night" in page_of(cm.get(url))
    response = cm.post(url, data=risk_form(status="accepted", description="Going out alone late at night",
                                           accepted_by="Alex, who has capacity to decide"))
    assert response.status_code == 303
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.accepted_on == earlier and risk.recorded_by_id == world.case_manager.id
    changed = audits("risk.changed")
    assert changed[-1].actor_id == world.case_manager.id
    assert changed[-1].data["changes"]["description"] == ["Going out alone at night", "Going out alone late at night"]
    # Turning it into a mitigated risk clears who accepted it.
    assert cm.post(url, data=risk_form(description="Going out alone late at night")).status_code == 303
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.status == "mitigated" and risk.accepted_by == "" and risk.accepted_on is None


def test_a_risk_due_for_another_look_is_flagged(client, world):
    add_risk(world.dp, world.holder, review_on=today() - timedelta(days=1))
    db.session.commit()
    login(client, "holder@example.org")
    page = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "Falls at night" in page and "Overdue</strong>" in page


def test_whether_the_money_held_covers_the_costliest_arrangement(client, world):
    # Held: £500 received less £120 spent = £380.
    pay_in(world.dp, 50_000)
    add_arrangement(world.dp, "emergency", 5_000)
    costliest = add_arrangement(world.dp, "pa_sick", 9_000)
    add_arrangement(world.dp, "money_late", None)
    db.session.commit()
    login(client, "holder@example.org")

    def pages():
        budget = page_of(client.get(f"/budgets/{world.dp.id}"))
        return budget, page_of(client.get(f"/budgets/{world.dp.id}/contingency"))

    budget, contingency = pages()  # £90 × 4 weeks = £360: covered
    assert ("the money held covers the costliest arrangement for 4.2 weeks, meeting the 4 weeks the funder asks "
            "for") in budget
    assert "£90.00 a week) for 4 weeks: £360.00. Money held (£380.00) covers it for 4.2 weeks, so it meets that" \
        in contingency

    costliest.expected_cost_pence = 9_500  # exactly £380
    db.session.commit()
    assert "covers the costliest arrangement for 4.0 weeks, meeting the 4 weeks" in pages()[0]

    costliest.expected_cost_pence = 10_000  # £400: not covered
    db.session.commit()
    budget, contingency = pages()
    assert "covers the costliest arrangement for 3.8 weeks, <strong>short of</strong> the 4 weeks" in budget
    assert "Money held (£380.00) covers it for 3.8 weeks, so it <strong>does not meet</strong> that" in contingency

    world.council.contingency_weeks_setting = 3  # the funder's own setting: £300 is covered
    db.session.commit()
    budget, contingency = pages()
    assert "for 3.8 weeks, meeting the 3 weeks the funder asks for" in budget
    assert "for 3 weeks: £300.00" in contingency


def test_no_priced_arrangement_says_nothing_about_cover(client, world):
    add_arrangement(world.dp, "pa_leave", None)
    db.session.commit()
    login(client, "holder@example.org")
    budget = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert "No plan yet" not in budget and "costliest" not in budget
    assert "Money held" not in page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
