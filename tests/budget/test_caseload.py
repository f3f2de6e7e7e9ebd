"""A funder's admins assign people to case managers and hand caseloads over; providers accept or decline the
accounts they are named for; case managers end budgets, which become read-only and leave active lists."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbportal.budget.models import Budget
from pbportal.extensions import db
from pbportal.outbox import deliver_due
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import login, make_budget, make_org, make_user
from ..support import audits, page_of, parts, signed_in


@pytest.fixture
def org_admin(app, world):
    make_user("council.admin@example.org", "org_admin", "Cal Admin", world.council)
    db.session.commit()
    client = app.test_client()
    login(client, "council.admin@example.org")
    return client


def caseload_of(user) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Budget.person_name).where(Budget.case_manager_id == user.id)))


def test_the_people_page_lists_the_funders_budgets_with_their_case_managers(world, org_admin):
    page = page_of(org_admin.get("/organisation/people"))
    assert "Alex Holder" in page and "Olive Other" in page and "Mo Managed" in page
    assert "Cara Case" in page and "Otto Case" in page
    only = page_of(org_admin.get("/organisation/people", query_string={"case_manager": world.other_case_manager.id},
                                 headers={"HX-Request": "true"}))
    assert only.startswith('<div id="people">') and "Olive Other" in only and "Alex Holder" not in only


def test_assigning_many_at_once_moves_them_and_tells_both_case_managers(world, org_admin, mail):
    response = org_admin.post("/organisation/people/assign", data={
        "people": [str(world.dp.id), str(world.ma.id)], "case_manager": str(world.other_case_manager.id)})
    assert response.status_code == 303
    assert caseload_of(world.other_case_manager) == {"Alex Holder", "Mo Managed", "Olive Other"}
    assert caseload_of(world.case_manager) == set()
    assert len(audits("budget.case_manager_changed")) == 2
    deliver_due()
    assert "- Alex Holder" in mail.to("othercm@example.org")[-1].get_content()
    assert mail.to("cm@example.org")[-1]["Subject"] == "People have moved from your pbportal caseload"


@pytest.mark.parametrize("data, message", [
    ({"case_manager": "2"}, "Select at least one person"),
    ({"people": ["1"], "case_manager": ""}, "Choose a case manager of your organisation"),
    ({"people": ["1"], "case_manager": "99999"}, "Choose a case manager of your organisation"),
])
def test_an_assignment_with_a_mistake_says_so(world, org_admin, data, message):
    data = {k: ([str(world.dp.id)] if v == ["1"] else v) for k, v in data.items()}
    if data.get("case_manager") == "2":
        data["case_manager"] = str(world.other_case_manager.id)
    response = org_admin.post("/organisation/people/assign", data=data)
    assert response.status_code == 200 and message in page_of(response)
    assert caseload_of(world.case_manager) == {"Alex Holder", "Mo Managed"}


def test_a_budget_of_another_funder_cannot_be_assigned(app, world, org_admin):
    elsewhere = make_org("Other Council", "council")
    their_cm = make_user("their.cm@example.org", "case_manager", "Tia Theirs", elsewhere)
    holder = make_user("far@example.org", "holder", "Fay Far")
    budget = make_budget(holder, elsewhere, case_manager=their_cm)
    db.session.commit()
    response = org_admin.post("/organisation/people/assign", data={
        "people": [str(budget.id)], "case_manager": str(world.case_manager.id)})
    assert "Select people from the list" in page_of(response)
    assert caseload_of(their_cm) == {"Fay Far"}


def test_handing_over_a_caseload_moves_everyone_and_loses_nothing(world, org_admin):
    before = db.session.scalar(select(func.count()).select_from(SpendingEntry))
    response = org_admin.post("/organisation/people/hand-over", data={
        "from_case_manager": str(world.case_manager.id), "to_case_manager": str(world.other_case_manager.id)})
    assert response.status_code == 303
    assert caseload_of(world.other_case_manager) == {"Alex Holder", "Mo Managed", "Olive Other"}
    assert db.session.scalar(select(func.count()).select_from(SpendingEntry)) == before
    again = org_admin.post("/organisation/people/hand-over", data={
        "from_case_manager": str(world.case_manager.id), "to_case_manager": str(world.other_case_manager.id)})
    assert "Cara Case has nobody on their caseload" in page_of(again)
    same = org_admin.post("/organisation/people/hand-over", data={
        "from_case_manager": str(world.other_case_manager.id), "to_case_manager": str(world.other_case_manager.id)})
    assert "Choose a different case manager" in page_of(same)


def test_a_case_manager_who_has_left_can_have_their_caseload_handed_over_from_the_form(world, org_admin):
    world.case_manager.is_active_account = False  # deactivated: the people on their caseload are not
    db.session.commit()
    page = page_of(org_admin.get("/organisation/people"))
    whose = re.search(r'<select[^>]*name="from_case_manager".*?</select>', page, re.S).group(0)
    assert f'value="{world.case_manager.id}">Cara Case (no longer active)</option>' in whose
    to = re.search(r'<select[^>]*name="to_case_manager".*?</select>', page, re.S).group(0)
    assert "Cara Case" not in to  # nobody is handed to someone who has left
    response = org_admin.post("/organisation/people/hand-over", data={
        "from_case_manager": str(world.case_manager.id), "to_case_manager": str(world.other_case_manager.id)})
    assert response.status_code == 303
    assert caseload_of(world.other_case_manager) == {"Alex Holder", "Mo Managed", "Olive Other"}


@pytest.mark.parametrize("who", ["holder", "rep", "staff", "case_manager", "admin"])
def test_nobody_else_reaches_the_people_pages(app, world, who):
    client = signed_in(app, who)
    assert client.get("/organisation/people").status_code == 404
    assert client.post("/organisation/people/assign", data={
        "people": [str(world.dp.id)], "case_manager": str(world.other_case_manager.id)}).status_code == 404
    assert client.post("/organisation/people/hand-over", data={
        "from_case_manager": str(world.case_manager.id),
        "to_case_manager": str(world.other_case_manager.id)}).status_code == 404
    assert caseload_of(world.case_manager) == {"Alex Holder", "Mo Managed"}


def test_a_provider_admin_has_no_people_page(app, world):
    make_user("prov.admin@example.org", "org_admin", "Pru Prov", world.provider_org)
    db.session.commit()
    client = app.test_client()
    login(client, "prov.admin@example.org")
    assert client.get("/organisation/people").status_code == 404


def new_account(world):
    world.ma.provider_accepted_at = None
    db.session.commit()


def test_a_provider_accepts_a_new_account(app, world):
    new_account(world)
    staff = signed_in(app, "staff")
    page = page_of(staff.get("/accounts"))
    assert "New accounts" in page and "Accept<span class=\"govuk-visually-hidden\"> Mo Managed’s account" in page
    assert staff.post(f"/budgets/{world.ma.id}/provider/accept").status_code == 303
    assert "New accounts" not in page_of(staff.get("/accounts"))
    assert staff.post(f"/budgets/{world.ma.id}/provider/accept").status_code == 404  # accepted already


def test_a_provider_declines_with_a_reason_and_the_case_manager_chooses_another(app, world, mail):
    new_account(world)
    staff = signed_in(app, "staff")
    empty = staff.post(f"/budgets/{world.ma.id}/provider/decline", data={"reason": " "})
    assert empty.status_code == 200 and "Enter why you cannot hold this account" in page_of(empty)
    assert staff.post(f"/budgets/{world.ma.id}/provider/decline",
                      data={"reason": "We have no capacity in that area"}).status_code == 303
    assert staff.get(f"/budgets/{world.ma.id}").status_code == 404  # gone from the provider at once
    assert "Mo Managed" not in page_of(staff.get("/accounts"))
    deliver_due()
    told = mail.to("cm@example.org")[-1]
    assert told["Subject"] == "Test Managed Accounts has declined Mo Managed's managed account"
    assert "We have no capacity in that area" in told.get_content()
    cm = signed_in(app, "case_manager")
    assert "The provider declined this account" in page_of(cm.get(f"/budgets/{world.ma.id}"))
    response = cm.post(f"/budgets/{world.ma.id}/provider", data={"provider": str(world.other_provider.id)})
    assert response.status_code == 303
    other = signed_in(app, "other_staff")
    assert "New accounts" in page_of(other.get("/accounts")) and "Mo Managed" in page_of(other.get("/accounts"))
    assert [e.data["reason"] for e in audits("budget.provider_declined")] == ["We have no capacity in that area"]


@pytest.mark.parametrize("who", ["holder", "rep", "ma_holder", "case_manager", "other_staff", "admin"])
def test_only_the_named_providers_staff_accept_or_decline(app, world, who):
    new_account(world)
    client = signed_in(app, who)
    assert client.post(f"/budgets/{world.ma.id}/provider/accept").status_code == 404
    assert client.post(f"/budgets/{world.ma.id}/provider/decline", data={"reason": "No"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Budget, world.ma.id).provider_declined_at is None


def end_form(**overrides):
    data = {"reason": "dp_stopped", "note": "", "ended_on": parts(today())}
    data.update(overrides)
    return data


def test_an_ended_budget_is_read_only_and_leaves_the_caseload(app, world, mail):
    cm = signed_in(app, "case_manager")
    assert "End this budget" in page_of(cm.get(f"/budgets/{world.dp.id}"))
    response = cm.post(f"/budgets/{world.dp.id}/end", data=end_form())
    assert response.status_code == 303
    assert "Alex Holder’s budget has ended. It can still be read" in page_of(cm.get(response.location))
    assert "Alex Holder" not in page_of(cm.get("/caseload"))
    assert "Alex Holder" in page_of(cm.get("/caseload", query_string={"ended": "1"}))
    holder = signed_in(app, "holder")
    page = page_of(holder.get(f"/budgets/{world.dp.id}"))
    assert "This budget has ended" in page and "Record a payment" not in page
    for who in (holder, signed_in(app, "rep")):  # off their active list, found again with "Ended budgets"
        assert f'href="/budgets/{world.dp.id}"' not in page_of(who.get("/budgets"))
        ended = page_of(who.get("/budgets", query_string={"ended": "1"}))
        assert f'href="/budgets/{world.dp.id}"' in ended and "Ended budgets" in ended
    before = db.session.scalar(select(func.count()).select_from(SpendingEntry))
    refused = [holder.post(f"/budgets/{world.dp.id}/payments/new", data={"amount": "5"}),
               holder.post(f"/budgets/{world.dp.id}/spending/{world.entries['dp'].id}/void", data={"reason": "x"}),
               holder.post(f"/budgets/{world.dp.id}/lines/new", data={"item": "x"}),
               holder.post(f"/budgets/{world.dp.id}/contingency/risks/new", data={"description": "x"}),
               holder.post(f"/budgets/{world.dp.id}/reviews/request", data={"reason": "need"}),
               holder.post(f"/budgets/{world.dp.id}/pas/new", data={"name": "x"}),
               cm.post(f"/budgets/{world.dp.id}/end", data=end_form())]
    assert {r.status_code for r in refused} <= {404, 409}
    assert any("This budget has ended" in page_of(r) for r in refused)
    assert db.session.scalar(select(func.count()).select_from(SpendingEntry)) == before
    deliver_due()
    assert mail.to("holder@example.org")[-1]["Subject"] == "Your personal budget has ended"
    assert [e.data["reason"] for e in audits("budget.ended")] == ["dp_stopped"]


@pytest.mark.parametrize("data, message", [
    (end_form(reason=""), "Choose why the budget is ending"),
    (end_form(reason="other"), "Say why the budget is ending"),
    (end_form(ended_on=parts(today() + timedelta(days=1))), "cannot be in the future"),
    (end_form(ended_on=["1", "1", "2001"]), "cannot be before the plan started"),
])
def test_ending_with_a_mistake_says_so_and_changes_nothing(app, world, data, message):
    cm = signed_in(app, "case_manager")
    response = cm.post(f"/budgets/{world.dp.id}/end", data=data)
    assert response.status_code == 200 and message in page_of(response)
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).ended_on is None


@pytest.mark.parametrize("who", ["holder", "rep", "staff", "other_case_manager", "admin"])
def test_only_the_case_manager_ends_a_budget(app, world, who):
    client = signed_in(app, who)
    assert client.get(f"/budgets/{world.dp.id}/end").status_code == 404
    assert client.post(f"/budgets/{world.dp.id}/end", data=end_form()).status_code == 404


@pytest.mark.real_commits
def test_two_handovers_at_once_move_each_person_once(request, app, world):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    make_user("council.admin@example.org", "org_admin", "Cal Admin", world.council)
    third = make_user("third.cm@example.org", "case_manager", "Tom Third", world.council)
    db.session.commit()
    start = threading.Barrier(2, timeout=20)
    leaving, to_other, to_third = world.case_manager.id, world.other_case_manager.id, third.id

    def hand_over(to_id):
        client = app.test_client()
        login(client, "council.admin@example.org")
        start.wait()
        return client.post("/organisation/people/hand-over", data={
            "from_case_manager": str(leaving), "to_case_manager": str(to_id)}).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = [f.result(timeout=60) for f in [pool.submit(hand_over, to_other), pool.submit(hand_over, to_third)]]
    moved = audits("budget.case_manager_changed")
    assert len(moved) == 2, codes  # Alex and Mo, each once
    assert caseload_of(world.case_manager) == set()
    assert len(caseload_of(world.other_case_manager) | caseload_of(third)) >= 2
