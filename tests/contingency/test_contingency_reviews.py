"""Contingency plans, risks and share links; review requests and reviews; plan versions; funder settings;
the caseload's filters. What people see, who may see it, and what the data must be."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.budget.models import Budget, BudgetLine, MoneyIn, Plan
from pbportal.budget.services import agree_plan, budget_figures, line_in_force, save_line, start_new_version
from pbportal.contingency.models import Arrangement, ContingencyPlan, Risk, ShareLink
from pbportal.contingency.services import create_share_link
from pbportal.dates import plan_year_for
from pbportal.extensions import db
from pbportal.reviews.models import RequestEvent, Review, ReviewOutcome, ReviewRequest
from pbportal.reviews.services import add_months, create_request, move_request, refresh_next_review
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today, utcnow

from ..conftest import DP_READERS, EMAIL, ROLES, login, make_budget, make_line, make_org, make_user

DP_EDITORS = {"holder", "rep", "case_manager"}
DP_SHARERS = {"holder", "rep"}
MA_READERS = {"ma_holder", "staff", "case_manager"}
MA_EDITORS = {"ma_holder", "case_manager"}
OTHER_READERS = {"other_holder", "other_case_manager"}
NOBODY: set[str] = set()


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def short(day: date) -> str:
    return f"{day:%-d %b %Y}"


def signed_in(app, role: str):
    client = app.test_client()
    login(client, EMAIL[role])
    return client


def page_of(response) -> str:
    return response.get_data(as_text=True)


def audits(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def add_arrangement(budget, scenario="pa_sick", cost=None, **values) -> Arrangement:
    arrangement = Arrangement(budget_id=budget.id, scenario=scenario, title=values.get("title", ""),
                              what_happens=values.get("what_happens", "Sam covers the calls"),
                              who_steps_in=values.get("who_steps_in", "Sam Backup"),
                              contact=values.get("contact", "07700 900123"), expected_cost_pence=cost)
    db.session.add(arrangement)
    if db.session.query(ContingencyPlan).filter_by(budget_id=budget.id).first() is None:
        db.session.add(ContingencyPlan(budget_id=budget.id))
    db.session.flush()
    return arrangement


def add_risk(budget, by, **values) -> Risk:
    risk = Risk(budget_id=budget.id, description=values.get("description", "Falls at night"),
                status=values.get("status", "mitigated"), mitigation=values.get("mitigation", "A bed sensor"),
                accepted_by=values.get("accepted_by", ""), accepted_on=values.get("accepted_on"),
                review_on=values.get("review_on", today() + timedelta(days=60)), recorded_by_id=by.id)
    db.session.add(risk)
    db.session.flush()
    return risk


def pay_in(budget, pence, day=None, source="funder") -> MoneyIn:
    item = MoneyIn(budget_id=budget.id, received_on=day or budget.plan_year_start, amount_pence=pence,
                   source=source)
    db.session.add(item)
    db.session.flush()
    return item


def plan_of(budget, version=1) -> Plan:
    return db.session.query(Plan).filter_by(budget_id=budget.id, version=version).one()


def agree_v1(world, budget=None):
    plan = plan_of(budget or world.dp)
    agree_plan(plan, world.case_manager)
    db.session.commit()
    return plan


# ==== access: every route, every role ========================================================================

@pytest.fixture
def ids(world):
    w = world
    arrangement = add_arrangement(w.dp)
    other_arrangement = add_arrangement(w.other_dp)
    risk = add_risk(w.dp, w.holder)
    other_risk = add_risk(w.other_dp, w.other_holder)
    link, _ = create_share_link(w.dp.id, "Sam", 30, w.holder)
    other_link, _ = create_share_link(w.other_dp.id, "Olly", 30, w.other_holder)
    request = create_request(w.dp, "need", "More help at night", "soon", w.holder)
    other_request = create_request(w.other_dp, "need", "Something else", "routine", w.other_holder)
    db.session.commit()
    return {
        "dp": w.dp.id, "ma": w.ma.id, "other": w.other_dp.id,
        "arrangement": arrangement.id, "other_arrangement": other_arrangement.id,
        "risk": risk.id, "other_risk": other_risk.id, "link": link.id, "other_link": other_link.id,
        "request": request.id, "other_request": other_request.id,
        "council": w.council.id, "provider": w.provider_org.id,
    }


# (method, path, who gets in, the status they get). POSTs send an empty form: those allowed see the form again
# with errors (200) or are redirected (303); everyone else gets 404 before any validation. Each role walks the
# whole list in order, so the one POST that changes something (agreeing dp's plan) comes last.
ROUTES = [
    # Contingency
    ("GET", "/budgets/{dp}/contingency", DP_READERS, 200),
    ("GET", "/budgets/{ma}/contingency", MA_READERS, 200),
    ("GET", "/budgets/{other}/contingency", OTHER_READERS, 200),
    ("GET", "/budgets/{dp}/contingency/arrangements/new", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/new", DP_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/arrangements/{arrangement}/edit", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/{arrangement}/edit", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/arrangements/new", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/last-resort", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/last-resort", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/last-resort", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/risks/new", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/risks/new", DP_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/risks/{risk}/edit", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/risks/new", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/share", DP_SHARERS, 200),
    ("POST", "/budgets/{dp}/contingency/share", DP_SHARERS, 200),
    ("POST", "/budgets/{dp}/contingency/share/{link}/revoke", DP_SHARERS, 303),
    ("GET", "/budgets/{ma}/contingency/share", {"ma_holder"}, 200),
    # Reviews
    ("GET", "/budgets/{dp}/reviews", DP_READERS, 200),
    ("GET", "/budgets/{ma}/reviews", MA_READERS, 200),
    ("GET", "/budgets/{dp}/reviews/request", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/reviews/request", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/reviews/request", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/reviews/requests/{request}", DP_READERS, 200),
    ("POST", "/budgets/{dp}/reviews/requests/{request}/status", {"case_manager"}, 200),
    ("GET", "/budgets/{dp}/reviews/new", {"case_manager"}, 200),
    ("POST", "/budgets/{dp}/reviews/new", {"case_manager"}, 200),
    ("GET", "/budgets/{ma}/reviews/new", {"case_manager"}, 200),
    ("GET", "/budgets/{other}/reviews/new", {"other_case_manager"}, 200),
    # Funder settings
    ("GET", "/admin/funders/{council}", {"admin"}, 200),
    ("POST", "/admin/funders/{council}", {"admin"}, 200),
    ("GET", "/admin/funders/{provider}", NOBODY, 200),
    ("GET", "/admin/funders/999999", NOBODY, 200),
    # Other people's objects through a budget the user may see, and budgets that do not exist: always 404.
    ("GET", "/budgets/{dp}/contingency/arrangements/{other_arrangement}/edit", NOBODY, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/{other_arrangement}/edit", NOBODY, 200),
    ("GET", "/budgets/{dp}/contingency/risks/{other_risk}/edit", NOBODY, 200),
    ("POST", "/budgets/{dp}/contingency/share/{other_link}/revoke", NOBODY, 303),
    ("GET", "/budgets/{dp}/reviews/requests/{other_request}", NOBODY, 200),
    ("POST", "/budgets/{dp}/reviews/requests/{other_request}/status", NOBODY, 200),
    ("GET", "/budgets/999999/contingency", NOBODY, 200),
    ("GET", "/budgets/999999/reviews", NOBODY, 200),
    ("GET", "/budgets/999999/plan", NOBODY, 200),
    # Plan versions
    ("GET", "/budgets/{dp}/plan", DP_READERS, 200),
    ("GET", "/budgets/{ma}/plan", MA_READERS, 200),
    ("POST", "/budgets/{dp}/plan/versions", DP_EDITORS, 303),  # a draft exists: sent back to the plan page
    ("POST", "/budgets/{ma}/plan/versions", MA_EDITORS, 303),
    ("POST", "/budgets/{dp}/plan/agree", {"case_manager"}, 303),
]


@pytest.mark.parametrize("role", ROLES)
def test_route_access(app, ids, role):
    client = signed_in(app, role)
    wrong = []
    for method, path, allowed, status in ROUTES:
        url = path.format(**ids)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        expected = status if role in allowed else 404
        if response.status_code != expected:
            wrong.append((method, path, response.status_code, expected))
    assert not wrong, wrong
    db.session.expire_all()
    assert (plan_of(db.session.get(Budget, ids["dp"])).status == "agreed") is (role == "case_manager")


def test_nothing_changes_through_someone_elses_budget(app, world, ids):
    """The other holder's link, request and arrangement stay as they were after everyone tried them via dp."""
    for role in ROLES:
        client = signed_in(app, role)
        client.post(f"/budgets/{ids['dp']}/contingency/share/{ids['other_link']}/revoke")
        client.post(f"/budgets/{ids['dp']}/reviews/requests/{ids['other_request']}/status",
                    data={"action": "declined", "note": "No", "version": "1"})
        client.post(f"/budgets/{ids['dp']}/contingency/arrangements/{ids['other_arrangement']}/edit",
                    data={"scenario": "emergency", "what_happens": "x", "who_steps_in": "x", "contact": "x"})
    db.session.expire_all()
    assert db.session.get(ShareLink, ids["other_link"]).revoked_at is None
    assert db.session.get(ReviewRequest, ids["other_request"]).status == "requested"
    assert db.session.get(Arrangement, ids["other_arrangement"]).scenario == "pa_sick"


ANON_PATHS = ["/budgets/{dp}/contingency", "/budgets/{dp}/contingency/share", "/budgets/{dp}/reviews",
              "/budgets/{dp}/reviews/requests/{request}", "/budgets/{dp}/reviews/new", "/budgets/{dp}/plan",
              "/admin/funders/{council}"]


def test_signed_out_people_are_sent_to_sign_in(app, ids):
    client = app.test_client()
    for path in ANON_PATHS:
        response = client.get(path.format(**ids))
        assert response.status_code == 302 and response.location.startswith("/sign-in"), path
    response = client.post(f"/budgets/{ids['dp']}/contingency/share/{ids['link']}/revoke")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    db.session.expire_all()
    assert db.session.get(ShareLink, ids["link"]).revoked_at is None


# ==== share links ==============================================================================================

def _create_link(client, budget_id, label="Sam (back-up PA)", days="30") -> str:
    response = client.post(f"/budgets/{budget_id}/contingency/share", data={"label": label, "days": days})
    page = page_of(response)
    assert response.status_code == 200 and f"Link for {label} created" in page, page[:500]
    found = re.search(r'value="http://localhost(/share/[^"]+)"', page)
    assert found, page
    return found.group(1)


def test_a_share_link_opens_the_contingency_page_and_nothing_else(app, client, world):
    add_arrangement(world.dp, "pa_sick", 9000, what_happens="Sam covers the morning calls")
    db.session.commit()
    login(client, "holder@example.org")
    path = _create_link(client, world.dp.id)

    anon = app.test_client()
    response = anon.get(path)
    page = page_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "If something goes wrong" in page and "Shared with Sam (back-up PA) by Alex Holder" in page
    assert "Sam covers the morning calls" in page and 'href="tel:07700900123"' in page
    # Nothing else of the budget: no links into it, no money, no editing, no share list.
    assert "/budgets/" not in page and "Money held" not in page and "£120.00" not in page
    assert "Add an arrangement" not in page and "Turn off" not in page and "Sign out" not in page
    for other in (f"/budgets/{world.dp.id}", f"/budgets/{world.dp.id}/spending",
                  f"/budgets/{world.dp.id}/contingency", f"/budgets/{world.dp.id}/reviews"):
        blocked = anon.get(other)
        assert blocked.status_code == 302 and blocked.location.startswith("/sign-in"), other

    anon.get(path)
    db.session.expire_all()
    link = db.session.query(ShareLink).one()
    assert link.times_opened == 2 and link.last_opened_at is not None
    assert abs((link.expires_at - (utcnow() + timedelta(days=30))).total_seconds()) < 120
    opened = audits("share_link.opened")
    assert len(opened) == 2
    assert all(e.actor_id is None and e.budget_id == world.dp.id and e.object_id == link.id for e in opened)
    created = audits("share_link.created")
    assert len(created) == 1 and created[0].actor_id == world.holder.id and created[0].data["label"] == link.label
    owner_view = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "Sam (back-up PA)</strong>" in owner_view and "Opened 2 times" in owner_view


def test_the_token_is_not_stored_only_its_hash(app, client, world):
    login(client, "rep@example.org")
    token = _create_link(client, world.dp.id, label="Pat").rsplit("/", 1)[1]
    assert len(token) >= 40
    link = db.session.query(ShareLink).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.created_by_id == world.rep.id
    stored = [str(getattr(link, column.key)) for column in ShareLink.__table__.columns]
    assert not any(token in value for value in stored)
    for event in db.session.query(AuditEvent).all():
        assert token not in json.dumps(event.data)
    # The page that listed it afterwards does not show it again either.
    assert token not in page_of(client.get(f"/budgets/{world.dp.id}/contingency"))


def test_a_revoked_link_stops_working(app, client, world):
    link, token = create_share_link(world.dp.id, "Sam", 30, world.holder)
    db.session.commit()
    anon = app.test_client()
    assert anon.get(f"/share/{token}").status_code == 200
    login(client, "rep@example.org")
    response = client.post(f"/budgets/{world.dp.id}/contingency/share/{link.id}/revoke")
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/contingency#share"
    page = page_of(client.get(response.location.split("#")[0]))
    assert "The link for Sam no longer works." in page and "turned off" in page
    assert anon.get(f"/share/{token}").status_code == 404
    db.session.expire_all()
    link = db.session.get(ShareLink, link.id)
    assert link.revoked_at is not None and link.revoked_by_id == world.rep.id and link.times_opened == 1
    revoked = audits("share_link.revoked")
    assert len(revoked) == 1 and revoked[0].actor_id == world.rep.id and revoked[0].object_id == link.id
    assert len(audits("share_link.opened")) == 1


def test_an_expired_link_stops_working(app, client, world):
    link, token = create_share_link(world.dp.id, "Sam", 1, world.holder)
    db.session.commit()
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get(f"/share/{token}").status_code == 404
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).times_opened == 0
    assert audits("share_link.opened") == []
    login(client, "holder@example.org")
    page = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "expired" in page and "Turn off" not in page


def test_unknown_and_overlong_tokens_are_not_found(app, world):
    link, token = create_share_link(world.dp.id, "Sam", 30, world.holder)
    db.session.commit()
    anon = app.test_client()
    for bad in ("nope", token[:-1], token + "x", "a" * 100, "a" * 101, "a" * 5000, link.token_hash):
        assert anon.get(f"/share/{bad}").status_code == 404, bad
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).times_opened == 0
    assert audits("share_link.opened") == []


@pytest.mark.parametrize("label, days, message", [
    ("", "30", "Enter who the link is for"),
    ("Sam", "", "Enter how many days the link should work"),
    ("Sam", "366", "Enter a number of days from 1 to 365"),
    ("Sam", "-2", "Enter a number of days from 1 to 365"),
])
def test_bad_share_link_input(client, world, label, days, message):
    login(client, "holder@example.org")
    page = page_of(client.post(f"/budgets/{world.dp.id}/contingency/share", data={"label": label, "days": days}))
    assert "There is a problem" in page and message in page
    assert db.session.query(ShareLink).count() == 0


def test_only_the_holder_and_representative_see_the_share_section(app, world):
    holder_page = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/contingency"))
    assert "Share this page" in holder_page and "Create a link" in holder_page
    cm_page = page_of(signed_in(app, "case_manager").get(f"/budgets/{world.dp.id}/contingency"))
    assert "Share this page" not in cm_page and "Add an arrangement" in cm_page
    staff_page = page_of(signed_in(app, "staff").get(f"/budgets/{world.ma.id}/contingency"))
    assert "Share this page" not in staff_page and "Add an arrangement" not in staff_page
    assert "Add a risk" not in staff_page


# ==== contingency arrangements, last resort, risks ==========================================================

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
    assert "the money held covers the costliest arrangement for 4 weeks" in budget
    assert "Money held (£380.00) covers the costliest arrangement" in contingency
    assert "£90.00 a week) for 4 weeks" in contingency

    costliest.expected_cost_pence = 9_500  # exactly £380
    db.session.commit()
    assert "the money held covers the costliest arrangement for 4 weeks" in pages()[0]

    costliest.expected_cost_pence = 10_000  # £400: not covered
    db.session.commit()
    budget, contingency = pages()
    assert "the money held <strong>does not cover</strong> the costliest arrangement for 4 weeks" in budget
    assert "Money held (£380.00) does not cover the costliest arrangement" in contingency

    world.council.contingency_weeks_setting = 3  # the funder's own setting: £300 is covered
    db.session.commit()
    budget, contingency = pages()
    assert "the money held covers the costliest arrangement for 3 weeks" in budget
    assert "for 3 weeks" in contingency


def test_no_priced_arrangement_says_nothing_about_cover(client, world):
    add_arrangement(world.dp, "pa_leave", None)
    db.session.commit()
    login(client, "holder@example.org")
    budget = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert "No plan yet" not in budget and "costliest" not in budget
    assert "Money held" not in page_of(client.get(f"/budgets/{world.dp.id}/contingency"))


# ==== review requests ==========================================================================================

def request_form(**overrides):
    data = {"reason": "need", "details": "I need help getting up at night now", "urgency": "soon"}
    data.update(overrides)
    return data


def status_url(world, req_id):
    return f"/budgets/{world.dp.id}/reviews/requests/{req_id}/status"


def make_request(world, by=None) -> ReviewRequest:
    req = create_request(world.dp, "need", "I need help getting up at night now", "soon", by or world.holder)
    db.session.commit()
    return req


def fresh(req: ReviewRequest) -> ReviewRequest:
    db.session.expire_all()
    return db.session.get(ReviewRequest, req.id)


def hidden_version(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert tag, page
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


@pytest.mark.parametrize("field, value, message", [
    ("reason", "", "Select why you want a review"),
    ("details", "", "Enter what has changed"),
    ("urgency", "", "Select how soon the review is needed"),
    ("urgency", "yesterday", "Not a valid choice"),
])
def test_bad_review_request(client, world, field, value, message):
    login(client, "holder@example.org")
    page = page_of(client.post(f"/budgets/{world.dp.id}/reviews/request", data=request_form(**{field: value})))
    assert "There is a problem" in page and message in page
    assert db.session.query(ReviewRequest).count() == 0


def test_the_holder_asks_for_a_review_and_follows_each_step(app, world):
    holder = signed_in(app, "holder")
    response = holder.post(f"/budgets/{world.dp.id}/reviews/request", data=request_form())
    req = db.session.query(ReviewRequest).one()
    assert response.status_code == 303
    assert response.location == f"/budgets/{world.dp.id}/reviews/requests/{req.id}"
    page = page_of(holder.get(response.location))
    assert "Your request for a review has been sent to the case manager" in page
    assert "My needs have changed" in page and "Soon (within a month)" in page
    assert "Requested</strong>" in page and "Requested</strong> by Alex Holder" in page
    assert "What happens next?" not in page  # the holder cannot move it on
    created = audits("review_request.created")
    assert len(created) == 1 and created[0].actor_id == world.holder.id and created[0].data["reason"] == "need"
    assert "1 request in progress" in page_of(holder.get(f"/budgets/{world.dp.id}"))

    cm = signed_in(app, "case_manager")
    form = page_of(cm.get(response.location))
    assert "What happens next?" in form and hidden_version(form) == "1"
    r = cm.post(status_url(world, req.id), data={"action": "acknowledged", "note": "I will call you this week",
                                                 "version": "1"})
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/reviews/requests/{req.id}"
    assert "Request acknowledged." in page_of(cm.get(r.location))
    review_day = today() + timedelta(days=14)
    r = cm.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(review_day),
                                                 "version": "2"})
    assert r.status_code == 303

    page = page_of(holder.get(response.location))
    assert re.search(rf"Status: <strong[^>]*>Scheduled</strong>\s*for {long_date(review_day)}", page)
    assert re.search(r"Acknowledged</strong> by Cara Case, \d+ \w+ \d{4} at [\d:]+[ap]m: I will call you this week",
                     page)
    assert f"Scheduled</strong> for {long_date(review_day)} by Cara Case" in page
    # A scheduled review can be moved to another date.
    later = review_day + timedelta(days=7)
    r = cm.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(later), "version": "3"})
    assert r.status_code == 303 and fresh(req).scheduled_for == later
    review_day = later
    assert re.search(rf"Status: <strong[^>]*>Scheduled</strong>\s*for {long_date(later)}",
                     page_of(holder.get(response.location)))
    index = page_of(holder.get(f"/budgets/{world.dp.id}/reviews"))
    assert "My needs have changed</a>, asked" in index and f"Scheduled</strong> for {long_date(review_day)}" in index

    req = fresh(req)
    assert req.status == "scheduled" and req.scheduled_for == review_day and req.version == 4
    events = db.session.query(RequestEvent).filter_by(request_id=req.id).order_by(RequestEvent.id).all()
    assert [(e.status, e.by_id) for e in events] == [("requested", world.holder.id),
                                                      ("acknowledged", world.case_manager.id),
                                                      ("scheduled", world.case_manager.id),
                                                      ("scheduled", world.case_manager.id)]
    changes = audits("review_request.status_changed")
    assert [(e.data["before"], e.data["after"]) for e in changes] == [("requested", "acknowledged"),
                                                                      ("acknowledged", "scheduled"),
                                                                      ("scheduled", "scheduled")]


def test_scheduling_in_the_past_or_without_a_date_is_refused(client, world):
    req = make_request(world)
    login(client, "cm@example.org")
    past = today() - timedelta(days=1)
    page = page_of(client.post(status_url(world, req.id),
                               data={"action": "scheduled", "scheduled_for": parts(past), "version": "1"}))
    assert "The review cannot be scheduled in the past" in page
    page = page_of(client.post(status_url(world, req.id), data={"action": "scheduled", "version": "1"}))
    assert "Enter the date of the review" in page
    req = fresh(req)
    assert req.status == "requested" and req.scheduled_for is None and req.version == 1
    assert db.session.query(RequestEvent).count() == 1
    assert audits("review_request.status_changed") == []
    # Today is fine.
    r = client.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(today()),
                                                     "version": "1"})
    assert r.status_code == 303 and fresh(req).scheduled_for == today()


def test_declining_needs_a_reason_which_the_holder_sees(app, world):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    page = page_of(cm.post(status_url(world, req.id), data={"action": "declined", "note": " ", "version": "1"}))
    assert "Enter why the request is declined" in page
    assert fresh(req).status == "requested"
    r = cm.post(status_url(world, req.id), data={"action": "declined", "version": "1",
                                                 "note": "A review was held last month"})
    assert r.status_code == 303
    req = fresh(req)
    assert req.status == "declined" and req.decline_reason == "A review was held last month"
    page = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert "Declined</strong>" in page and "Reason: A review was held last month" in page
    assert "Declined</strong> by Cara Case" in page


@pytest.mark.parametrize("start, action, message", [
    ("declined", "completed", "A request that is declined cannot be marked completed"),
    ("declined", "scheduled", "A request that is declined cannot be scheduled"),
    ("declined", "acknowledged", "A request that is declined cannot be marked acknowledged"),
    ("requested", "completed", "A request that is requested cannot be marked completed"),
    ("acknowledged", "acknowledged", "A request that is acknowledged cannot be marked acknowledged"),
])
def test_a_change_the_request_cannot_make_is_refused_and_changes_nothing(client, world, start, action, message):
    req = make_request(world)
    if start != "requested":
        move_request(req, start, world.case_manager, today=today(), note="Not needed now")
        db.session.commit()
    before = fresh(req)
    version, status, events = before.version, before.status, len(before.events)
    login(client, "cm@example.org")  # (signing in is itself audited)
    audit_count = db.session.query(AuditEvent).count()
    response = client.post(status_url(world, req.id), data={
        "action": action, "scheduled_for": parts(today() + timedelta(days=7)), "note": "Trying", "version": version})
    page = page_of(response)
    assert response.status_code == 200
    assert message in page, "the refusal is not shown to the case manager"
    after = fresh(req)
    assert (after.version, after.status, len(after.events)) == (version, status, events)
    assert after.scheduled_for is None
    assert db.session.query(AuditEvent).count() == audit_count


def test_a_stale_form_is_refused(app, world):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    stale = page_of(cm.get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert hidden_version(stale) == "1"
    # Someone else moves it on first.
    move_request(req, "acknowledged", world.other_case_manager, today=today())
    db.session.commit()
    assert fresh(req).version == 2
    page = page_of(cm.post(status_url(world, req.id), data={"action": "declined", "note": "Not needed",
                                                           "version": "1"}))
    assert "Someone else changed this request while you were looking at it" in page
    req = fresh(req)
    assert req.status == "acknowledged" and req.version == 2 and len(req.events) == 2
    assert "Status: <strong" in page and "Acknowledged</strong>" in page
    # Trying again from the form shown with the message must work: it carries the request's current version.
    assert hidden_version(page) == "2", "the form shown after a stale refusal still carries the stale version"


def test_htmx_status_change_returns_the_status_component(client, world):
    req = make_request(world)
    login(client, "cm@example.org")
    headers = {"HX-Request": "true", "HX-Target": "request-status"}
    response = client.post(status_url(world, req.id), data={"action": "acknowledged", "version": "1"},
                           headers=headers)
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="request-status">')
    assert "Request acknowledged." in page and "Acknowledged</strong> by Cara Case" in page
    assert hidden_version(page) == "2"
    # A refusal comes back the same way, with its message.
    response = client.post(status_url(world, req.id), data={"action": "scheduled", "version": "2",
                                                            "scheduled_for": parts(today() - timedelta(days=3))},
                           headers=headers)
    page = page_of(response)
    assert "<html" not in page and 'id="request-status"' in page
    assert "The review cannot be scheduled in the past" in page
    assert fresh(req).status == "acknowledged"


# ==== recording a review =====================================================================================

OUTCOMES = ["See my friends every week", "Stay living at home"]


@pytest.fixture
def outcomes(world):
    world.lines["wages"].outcome = "Stay living at home"
    world.lines["gym"].outcome = "See my friends every week"
    taxi = make_line(world.dp, "Taxi", category="transport", unit="item", quantity="2", unit_cost_pence=1000)
    taxi.outcome = "See my friends every week"  # two lines, one outcome: rated once
    db.session.commit()
    return OUTCOMES


def review_form(next_on=None, request_id="", **overrides):
    day = today()
    data = {"held_on": parts(day), "money_notes": "", "decision": "change", "decision_notes": "More hours at night",
            "next_review_on": parts(next_on or add_months(day, 6)), "request_id": str(request_id)}
    for i, (outcome, rating, comment) in enumerate([(OUTCOMES[0], "met", "Goes every Tuesday"),
                                                    (OUTCOMES[1], "partly", "")]):
        data[f"outcomes-{i}-outcome"] = outcome
        data[f"outcomes-{i}-rating"] = rating
        data[f"outcomes-{i}-comment"] = comment
    data.update(overrides)
    return data


def test_record_a_review_with_outcomes_money_and_the_next_date(app, world, outcomes):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    form = page_of(cm.get(f"/budgets/{world.dp.id}/reviews/new?request={req.id}"))
    assert form.index(OUTCOMES[0]) < form.index(OUTCOMES[1]) and form.count(f">{OUTCOMES[0]}</legend>") == 1
    # The money position, pre-filled: the plan's year, what it expected by today, what was spent.
    total = 1271 * 10 * 52 + 3000 * 12 + 1000 * 2 * 52
    year = plan_year_for(world.dp.plan_year_start, today())
    expected = total * year.days_elapsed(today()) // year.days
    assert f"Plan for the year</dt><dd>£{total / 100:,.2f}</dd>" in form
    assert f"Expected by today</dt><dd>£{expected / 100:,.2f}</dd>" in form
    assert "Spent</dt><dd>£120.00</dd>" in form
    assert f'<option value="{req.id}" selected>' in form
    assert f'value="{parts(add_months(today(), 12))[0]}"' in form  # next review suggested at the interval

    next_on = add_months(today(), 6)
    response = cm.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(next_on, req.id))
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/reviews"
    page = page_of(cm.get(response.location))
    assert f"Review recorded. The next review is due by {long_date(next_on)}." in page
    assert f"{long_date(today())}: Change the plan" in page and "More hours at night" in page
    assert "See my friends every week: <strong>Met</strong>. Goes every Tuesday" in page
    assert "Stay living at home: <strong>Partly met</strong>" in page
    assert f"Next review due by <strong>{long_date(next_on)}</strong>" in page

    review = db.session.query(Review).one()
    assert (review.plan_pence, review.expected_pence, review.spent_pence, review.received_pence) == \
        (total, expected, 12_000, 0)
    assert review.decision == "change" and review.next_review_on == next_on and review.request_id == req.id
    assert review.recorded_by_id == world.case_manager.id
    assert [(o.outcome, o.rating, o.comment) for o in review.outcomes] == [
        (OUTCOMES[0], "met", "Goes every Tuesday"), (OUTCOMES[1], "partly", "")]
    req = fresh(req)
    assert req.status == "completed" and req.events[-1].status == "completed"
    assert req.events[-1].note == f"Review held on {long_date(today())} recorded"
    assert db.session.get(Budget, world.dp.id).next_review_due == next_on
    recorded = audits("review.recorded")
    assert len(recorded) == 1 and recorded[0].object_id == review.id
    assert recorded[0].data["money"]["spent_pence"] == 12_000
    assert audits("review_request.status_changed")[-1].data["after"] == "completed"
    holder_view = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert "Completed</strong>" in holder_view


def test_review_form_mistakes_save_nothing(client, world, outcomes):
    login(client, "cm@example.org")
    url = f"/budgets/{world.dp.id}/reviews/new"
    cases = [
        (review_form(add_months(today(), 12) + timedelta(days=1)),
         f"The next review must be within 12 months, by {long_date(add_months(today(), 12))}"),
        (review_form(today()), "The next review must be after this one"),
        (review_form(**{"outcomes-1-rating": ""}), "Select whether the outcome is being met"),
        (review_form(decision=""), "Select the decision"),
        (review_form(held_on=parts(today() + timedelta(days=1))), "The date of the review must be today or in"),
    ]
    for data, message in cases:
        page = page_of(client.post(url, data=data))
        assert "There is a problem" in page and message in page, message
    assert db.session.query(Review).count() == 0 and db.session.query(ReviewOutcome).count() == 0
    assert db.session.get(Budget, world.dp.id).next_review_due is None


def test_a_declined_request_cannot_be_completed_by_a_review(client, world, outcomes):
    req = make_request(world)
    move_request(req, "declined", world.case_manager, today=today(), note="Held last month")
    db.session.commit()
    login(client, "cm@example.org")
    response = client.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(request_id=req.id))
    page = page_of(response)
    assert response.status_code == 200
    assert "That request is declined, so a review cannot complete it" in page
    assert db.session.query(Review).count() == 0 and db.session.query(ReviewOutcome).count() == 0
    assert audits("review.recorded") == []
    assert fresh(req).status == "declined"
    assert db.session.get(Budget, world.dp.id).next_review_due is None


@pytest.mark.parametrize("posted", ["none", "forged"])
def test_outcomes_must_be_the_plans(client, world, outcomes, posted):
    """A form whose outcomes differ from the plan's (changed meanwhile, or hand-made) is refused."""
    login(client, "cm@example.org")
    data = review_form()
    if posted == "none":
        data = {k: v for k, v in data.items() if not k.startswith("outcomes-")}
    else:
        data["outcomes-1-outcome"] = "An outcome that is not in the plan"
    page = page_of(client.post(f"/budgets/{world.dp.id}/reviews/new", data=data))
    assert "The plan’s outcomes changed while you were writing" in page
    assert db.session.query(Review).count() == 0


# ==== next review dates ========================================================================================

def money_in_form(day, source="funder", amount="1,000"):
    return {"received_on": parts(day), "amount": amount, "source": source, "note": ""}


def test_next_review_follows_the_first_funder_payment_then_reviews(client, world, outcomes):
    login(client, "holder@example.org")
    url = f"/budgets/{world.dp.id}/money-in/new"
    assert "first review due 6 months after the first payment" in page_of(client.get(f"/budgets/{world.dp.id}"))
    start = world.dp.plan_year_start
    assert client.post(url, data=money_in_form(start + timedelta(days=3), "contribution")).status_code == 303
    assert db.session.get(Budget, world.dp.id).next_review_due is None  # only the funder's payment counts
    assert client.post(url, data=money_in_form(start + timedelta(days=20))).status_code == 303
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(start + timedelta(days=20), 6)
    client.post(url, data=money_in_form(start + timedelta(days=50)))  # a later payment changes nothing
    client.post(url, data=money_in_form(start + timedelta(days=10)))  # an earlier one does
    db.session.expire_all()
    due = add_months(start + timedelta(days=10), 6)
    assert db.session.get(Budget, world.dp.id).next_review_due == due
    assert f"next due by {long_date(due)}" in page_of(client.get(f"/budgets/{world.dp.id}"))
    # Voiding that payment moves the clock back to the first payment that still counts.
    earliest = db.session.query(MoneyIn).filter_by(received_on=start + timedelta(days=10)).one()
    assert client.post(f"/budgets/{world.dp.id}/money-in/{earliest.id}/void",
                       data={"reason": "Recorded twice"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(start + timedelta(days=20), 6)
    # A review's own next date then wins.
    client.post("/sign-out")
    login(client, "cm@example.org")
    next_on = add_months(today(), 9)
    assert client.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(next_on)).status_code == 303
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).next_review_due == next_on


def test_an_overdue_review_is_flagged_on_the_budget_page(client, world):
    pay_in(world.dp, 10_000, day=today() - timedelta(days=200))
    refresh_next_review(world.dp)
    db.session.commit()
    due = add_months(today() - timedelta(days=200), 6)
    assert due < today()
    login(client, "holder@example.org")
    page = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert f"next due by {long_date(due)} <strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>" in page
    assert "Overdue" in page_of(client.get(f"/budgets/{world.dp.id}/reviews"))


def test_funder_settings_recompute_that_funders_review_dates(app, world):
    nhs = make_org("Test NHS Board", "nhs")
    nhs_holder = make_user("nhs@example.org", "holder", "Nell Health")
    nhs_budget = make_budget(nhs_holder, nhs, case_manager=world.case_manager)
    paid = world.dp.plan_year_start + timedelta(days=5)
    for budget in (world.dp, world.other_dp, nhs_budget):
        pay_in(budget, 20_000, day=paid)
    reviewed = Review(budget_id=world.other_dp.id, held_on=today(), plan_pence=0, expected_pence=0, spent_pence=0,
                      received_pence=0, decision="maintain", next_review_on=add_months(today(), 12),
                      recorded_by_id=world.other_case_manager.id)
    db.session.add(reviewed)
    db.session.flush()
    for budget in (world.dp, world.other_dp, nhs_budget, world.ma):
        refresh_next_review(budget)
    db.session.commit()
    assert world.dp.next_review_due == add_months(paid, 6) and nhs_budget.next_review_due == add_months(paid, 3)
    assert world.ma.next_review_due is None

    admin = signed_in(app, "admin")
    assert f'href="/admin/funders/{world.council.id}"' in page_of(admin.get("/admin"))
    form = page_of(admin.get(f"/admin/funders/{nhs.id}"))
    assert re.search(r'name="first_review_months"[^>]*value="3"', form)
    url = f"/admin/funders/{world.council.id}"
    form = page_of(admin.get(url))
    assert re.search(r'name="first_review_months"[^>]*value="6"', form)
    assert re.search(r'name="review_interval_months"[^>]*value="12"', form)
    assert re.search(r'name="contingency_weeks"[^>]*value="4"', form)
    assert re.search(r'name="surplus_weeks"[^>]*value="8"', form)

    for bad, message in [({"first_review_months": "0"}, "Enter a number of months from 1 to 12"),
                         ({"review_interval_months": "13"}, "Enter a number of months from 1 to 12"),
                         ({"first_review_months": ""}, "Enter the number of months"),
                         ({"contingency_weeks": "27"}, "Enter a number of weeks from 1 to 26"),
                         ({"surplus_weeks": "53"}, "Enter a number of weeks from 1 to 52")]:
        data = {"first_review_months": "2", "review_interval_months": "9", "contingency_weeks": "6",
                "surplus_weeks": "10", **bad}
        page = page_of(admin.post(url, data=data))
        assert "There is a problem" in page and message in page, message
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(paid, 6)

    response = admin.post(url, data={"first_review_months": "2", "review_interval_months": "9",
                                     "contingency_weeks": "6", "surplus_weeks": "10"})
    assert response.status_code == 303 and response.location == "/admin"
    assert "Settings for Test Council saved; review dates of 3 budgets brought up to date." in \
        page_of(admin.get("/admin"))
    db.session.expire_all()
    council = db.session.get(type(world.council), world.council.id)
    assert (council.first_review_months, council.review_interval_months, council.contingency_weeks,
            council.surplus_weeks) == (2, 9, 6, 10)
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(paid, 2)
    assert db.session.get(Budget, world.other_dp.id).next_review_due == add_months(today(), 12)  # review wins
    assert db.session.get(Budget, nhs_budget.id).next_review_due == add_months(paid, 3)  # another funder
    assert db.session.get(Budget, world.ma.id).next_review_due is None
    changed = audits("funder.settings_changed")
    assert len(changed) == 1 and changed[0].actor_id == world.admin.id
    assert changed[0].data["before"] == [6, 12, 4, 8] and changed[0].data["after"] == [2, 9, 6, 10]

    # The new interval is the review form's limit.
    cm = signed_in(app, "case_manager")
    data = {k: v for k, v in review_form(add_months(today(), 10)).items() if not k.startswith("outcomes-")}
    response = cm.post(f"/budgets/{world.dp.id}/reviews/new", data=data)  # (this plan names no outcomes)
    assert "The next review must be within 9 months" in page_of(response)


# ==== plan versions ============================================================================================

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


# ==== the caseload ============================================================================================

@pytest.fixture
def caseload(world):
    from pbportal.employment.models import PersonalAssistant

    w = world
    w.dp.next_review_due = today() + timedelta(days=30)
    add_arrangement(w.dp, "pa_sick", 9000)
    open_request = create_request(w.dp, "need", "More help", "soon", w.holder)
    closed = create_request(w.dp, "other", "Old", "routine", w.holder)
    move_request(closed, "declined", w.case_manager, today=today(), note="Not needed")
    late_holder = make_user("bea@example.org", "holder", "Bea Late")
    late = make_budget(late_holder, w.council, case_manager=w.case_manager)
    make_line(late, "Support")
    late.next_review_due = today() - timedelta(days=3)
    add_arrangement(late, "emergency", None)
    db.session.add(PersonalAssistant(budget_id=late.id, name="Sol Trader", start_date=today() - timedelta(days=30),
                                     employment_type="self_employed"))
    db.session.commit()
    return {"late": late, "request": open_request}


def rows_of(page: str) -> dict[str, str]:
    body = page[page.index("<tbody"):page.index("</tbody>")]
    rows = body.split('<tr class="govuk-table__row">')[1:]
    return {re.search(r'<a class="govuk-link" href="/budgets/\d+">([^<]+)</a>', row).group(1): row for row in rows}


def names_in(page: str) -> list[str]:
    return list(rows_of(page)) if "<tbody" in page else []


def test_caseload_columns(client, world, caseload):
    login(client, "cm@example.org")
    page = page_of(client.get("/caseload"))
    assert "3 people" in page and names_in(page) == ["Alex Holder", "Bea Late", "Mo Managed"]
    rows = rows_of(page)
    late_due = today() - timedelta(days=3)
    assert short(late_due) in rows["Bea Late"]
    assert re.search(r'</a> <strong class="govuk-tag govuk-tag--red">Overdue</strong>', rows["Bea Late"])
    assert short(today() + timedelta(days=30)) in rows["Alex Holder"] and "Overdue" not in rows["Alex Holder"]
    assert "Not yet due" in rows["Mo Managed"]
    cells = lambda row: re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)  # noqa: E731
    assert cells(rows["Alex Holder"])[1] == "1"  # open requests: the declined one does not count
    assert cells(rows["Bea Late"])[1] == "0"
    assert cells(rows["Mo Managed"])[4] == '<strong class="govuk-tag govuk-tag--red">None</strong>'
    assert cells(rows["Alex Holder"])[4].startswith("Yes, updated")
    assert cells(rows["Bea Late"])[5].startswith('<strong class="govuk-tag govuk-tag--red">1</strong>')  # PA warning
    assert cells(rows["Mo Managed"])[5] == "None"


@pytest.mark.parametrize("query, names, summary", [
    ("overdue=1", ["Bea Late"], "1 person. Showing only: review overdue."),
    ("requests=1", ["Alex Holder"], "1 person. Showing only: open review requests."),
    ("no_contingency=1", ["Mo Managed"], "1 person. Showing only: no contingency plan."),
    ("overdue=1&no_contingency=1", [], "0 people. Showing only: review overdue, no contingency plan."),
    ("sort=review", ["Bea Late", "Alex Holder", "Mo Managed"], "3 people."),
    ("sort=name", ["Alex Holder", "Bea Late", "Mo Managed"], "3 people."),
    ("sort=nonsense", ["Alex Holder", "Bea Late", "Mo Managed"], "3 people."),
    ("q=late&sort=review", ["Bea Late"], "1 person matching ‘late’."),
])
def test_caseload_filters_and_sort(client, world, caseload, query, names, summary):
    login(client, "cm@example.org")
    page = page_of(client.get(f"/caseload?{query}"))
    assert names_in(page) == names
    assert summary in page
    for key in ("overdue", "requests", "no_contingency"):
        checked = f'id="filter-{key}" name="{key}" type="checkbox" value="1" checked' in page
        assert checked is (f"{key}=1" in query), key


def test_caseload_requests_filter_counts_only_open_requests(client, world, caseload):
    move_request(caseload["request"], "scheduled", world.case_manager, today=today(),
                 scheduled_for=today() + timedelta(days=3))
    db.session.commit()
    login(client, "cm@example.org")
    assert names_in(page_of(client.get("/caseload?requests=1"))) == ["Alex Holder"]
    move_request(fresh(caseload["request"]), "completed", world.case_manager, today=today())
    db.session.commit()
    assert names_in(page_of(client.get("/caseload?requests=1"))) == []


def test_caseload_search_with_htmx_returns_only_the_table(client, world, caseload):
    login(client, "cm@example.org")
    response = client.get("/caseload?q=Bea&overdue=1", headers={"HX-Request": "true"})
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="budget-table"') and "Search by name" not in page
    assert names_in(page) == ["Bea Late"] and "Alex Holder" not in page
    assert "1 person matching ‘Bea’" in page and "review overdue." in page


def test_a_review_cannot_name_another_budgets_request(client, world):
    from pbportal.reviews.models import Review
    from pbportal.reviews.services import create_request

    elsewhere = create_request(world.other_dp, "need", "Not Alex's", "routine", world.other_holder)
    db.session.commit()
    login(client, "cm@example.org")
    day = today()
    r = client.post(f"/budgets/{world.dp.id}/reviews/new", data={
        "held_on": [str(day.day), str(day.month), str(day.year)], "decision": "maintain",
        "next_review_on": [str(day.day), str(day.month), str(day.year + 1 if day.month > 1 else day.year)],
        "request_id": str(elsewhere.id)})
    assert "Choose one of this person’s review requests, or none" in r.get_data(as_text=True)
    assert db.session.query(Review).count() == 0
