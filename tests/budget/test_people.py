"""A case manager adds a person and their budget and invites them (real email); holders and case managers choose
who else can see a budget and what each representative may do; nobody else reaches these pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbportal.auth.models import User
from pbportal.auth.tokens import AccountToken, digest
from pbportal.budget.models import Budget, BudgetLine, Plan, Representative
from pbportal.extensions import db
from pbportal.outbox import deliver_due
from pbportal.timeutil import today

from ..support import audits, page_of, parts, signed_in

PASSWORD_CHOSEN = "quiet harbour pencil meadow"


def person(**overrides):
    data = {"person_name": "Nadia Hassan", "date_of_birth": ["27", "3", "1958"], "email": "nadia@example.org",
            "held_as": "direct_payment", "provider": "", "plan_year_start": parts(today().replace(day=1)),
            "copy_from": ""}
    data.update(overrides)
    return data


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, Budget, Plan, BudgetLine))


def link_for(mail, address):
    deliver_due()
    body = mail.to(address)[-1].get_content()
    return re.search(r"http://pbportal\.test(/invitation/\S+)", body).group(1)


def join(app, link):
    client = app.test_client()
    assert client.post(link, data={"password": PASSWORD_CHOSEN, "confirm": PASSWORD_CHOSEN}).status_code == 303
    return client


def test_a_case_manager_adds_a_person_who_joins_and_sees_their_budget(app, world, mail):
    cm = signed_in(app, "case_manager")
    assert "Add a person" in page_of(cm.get("/caseload"))
    response = cm.post("/caseload/new", data=person())
    assert response.status_code == 303
    budget = db.session.scalar(select(Budget).where(Budget.person_name == "Nadia Hassan"))
    assert response.location == f"/budgets/{budget.id}/plan"
    assert (budget.funder_id, budget.case_manager_id, budget.held_as) == (world.council.id, world.case_manager.id,
                                                                         "direct_payment")
    assert budget.date_of_birth.isoformat() == "1958-03-27" and budget.holder.joined_at is None
    assert "Nadia Hassan" in page_of(cm.get("/caseload"))
    assert [e.data["person_name"] for e in audits("budget.created")] == ["Nadia Hassan"]

    link = link_for(mail, "nadia@example.org")
    token = link.rsplit("/", 1)[-1]
    stored = db.session.scalars(select(AccountToken.token_hash).where(AccountToken.user_id == budget.holder_id)).all()
    assert stored == [digest(token)] and token not in stored  # the link is kept only as its hash
    page = page_of(app.test_client().get(link))
    assert "Join Nadia Hassan’s personal budget" in page and "Cara Case" in page
    nadia = join(app, link)
    landing = nadia.get("/")
    assert landing.location == f"/budgets/{budget.id}"
    assert "Nadia Hassan’s budget" in page_of(nadia.get(landing.location))
    # Later, on another device: she signs in with the password she chose and sees her budget.
    later = app.test_client()
    signed = later.post("/sign-in", data={"email": "nadia@example.org", "password": PASSWORD_CHOSEN})
    assert signed.status_code == 303
    assert "Nadia Hassan’s budget" in page_of(later.get(later.get("/").location))
    used = app.test_client().get(link)  # used: the link says so rather than letting anyone join
    assert used.status_code == 410 and "You have joined already" in page_of(used)


def test_a_managed_account_needs_its_provider_and_appears_for_the_provider(app, world):
    cm = signed_in(app, "case_manager")
    response = cm.post("/caseload/new", data=person(held_as="managed_account"))
    assert "Choose the provider who will hold the account" in page_of(response)
    response = cm.post("/caseload/new", data=person(held_as="managed_account", provider=str(world.provider_org.id)))
    assert response.status_code == 303
    assert "Nadia Hassan" in page_of(signed_in(app, "staff").get("/accounts"))
    assert "Nadia Hassan" not in page_of(signed_in(app, "other_staff").get("/accounts"))


def test_the_lines_of_another_plan_on_the_caseload_can_be_copied(app, world):
    cm = signed_in(app, "case_manager")
    assert cm.post("/caseload/new", data=person(copy_from=str(world.dp.id))).status_code == 303
    budget = db.session.scalar(select(Budget).where(Budget.person_name == "Nadia Hassan"))
    copied = db.session.scalars(select(BudgetLine.item).where(BudgetLine.budget_id == budget.id)
                                .order_by(BudgetLine.id)).all()
    original = db.session.scalars(select(BudgetLine.item).where(BudgetLine.budget_id == world.dp.id)
                                  .order_by(BudgetLine.id)).all()
    assert copied == original and copied
    # another case manager's person cannot be copied
    response = cm.post("/caseload/new", data=person(email="x@example.org", copy_from=str(world.other_dp.id)))
    assert "Choose a budget from the list" in page_of(response)


@pytest.mark.parametrize("field, value, message", [
    ("person_name", "", "Enter their full name"),
    ("date_of_birth", ["31", "2", "1958"], "must be a real date"),
    ("date_of_birth", parts(today() + timedelta(days=1)), "Date of birth must be in the past"),
    ("email", "not-an-address", "Enter an email address in the correct format"),
    ("email", "HOLDER@example.org", "Someone already has a pbportal account"),
    ("held_as", "", "Choose how the budget is held"),
    ("provider", "999999", "Choose a provider from the list"),
    ("plan_year_start", ["1", "1", "2001"], "within 2 years of today"),
])
def test_each_mistake_is_explained_and_nothing_is_saved(app, world, field, value, message):
    cm = signed_in(app, "case_manager")
    before = counts()
    for headers in ({}, {"HX-Request": "true"}):
        response = cm.post("/caseload/new", data=person(**{field: value}), headers=headers)
        assert response.status_code == 200 and message in page_of(response)
        assert "There is a problem" in page_of(response)
    assert counts() == before


@pytest.mark.parametrize("who", ["holder", "rep", "staff", "admin", "other_holder"])
def test_only_case_managers_add_people(app, world, who):
    client = signed_in(app, who)
    before = counts()
    assert client.get("/caseload/new").status_code == 404
    assert client.post("/caseload/new", data=person()).status_code == 404
    assert counts() == before


def rep_form(**overrides):
    data = {"name": "Ravi Friend", "email": "ravi@example.org", "kind": "nominated", "may_record": "no"}
    data.update(overrides)
    return data


def test_a_holder_invites_a_see_only_representative_then_lets_them_record(app, world, mail):
    holder = signed_in(app, "holder")
    response = holder.post(f"/budgets/{world.dp.id}/people", data=rep_form())
    assert response.status_code == 303
    page = page_of(holder.get(response.location))
    assert "Ravi Friend" in page and "sees the budget only" in page and "Invited, link expires" in page
    ravi = join(app, link_for(mail, "ravi@example.org"))
    assert ravi.get(f"/budgets/{world.dp.id}").status_code == 200
    pay = {"paid_on": parts(today()), "amount": "12.50", "payee": "Corner Shop",
           "line_id": str(world.lines["gym"].id), "note": ""}
    assert ravi.post(f"/budgets/{world.dp.id}/payments/new", data=pay).status_code == 404
    assert "Record a payment" not in page_of(ravi.get(f"/budgets/{world.dp.id}"))
    rep = db.session.scalar(select(Representative).join(User).where(User.email == "ravi@example.org"))
    assert holder.post(f"/budgets/{world.dp.id}/people/{rep.id}", data={"may_record": "yes"}).status_code == 303
    assert ravi.post(f"/budgets/{world.dp.id}/payments/new", data=pay).status_code == 303
    assert [e.data["may_record_spending"] for e in audits("representative.changed")] == [True]


def test_someone_who_already_represents_another_holder_is_linked_and_told(app, world, mail):
    cm = signed_in(app, "case_manager")
    response = cm.post(f"/budgets/{world.ma.id}/people", data=rep_form(name="Rita", email="REP@example.org",
                                                                         may_record="yes"))
    assert response.status_code == 303
    deliver_due()
    (message,) = mail.to("rep@example.org")
    assert message["Subject"] == f"You can now see {world.ma.person_name}'s personal budget"
    assert signed_in(app, "rep").get(f"/budgets/{world.ma.id}").status_code == 200


@pytest.mark.parametrize("email, message", [("holder@example.org", "cannot be a representative"),
                                            ("cm@example.org", "cannot be a representative"),
                                            ("rep@example.org", "can already see this budget")])
def test_an_address_that_cannot_be_added_says_why(app, world, email, message):
    holder = signed_in(app, "holder")
    response = holder.post(f"/budgets/{world.dp.id}/people", data=rep_form(email=email))
    assert response.status_code == 200 and message in page_of(response)


def test_removing_a_representative_ends_their_access_at_once(app, world, mail):
    rita = signed_in(app, "rep")
    assert rita.get(f"/budgets/{world.dp.id}").status_code == 200
    rep = db.session.scalar(select(Representative).where(Representative.user_id == world.rep.id))
    holder = signed_in(app, "holder")
    page = page_of(holder.get(f"/budgets/{world.dp.id}/people/{rep.id}"))
    assert "Remove Rita Rep" in page
    assert holder.post(f"/budgets/{world.dp.id}/people/{rep.id}/remove").status_code == 303
    assert rita.get(f"/budgets/{world.dp.id}").status_code == 404
    deliver_due()
    told = mail.to("rep@example.org")[-1]["Subject"]
    assert told == f"You can no longer see {world.dp.person_name}'s personal budget"
    assert [e.data["user_id"] for e in audits("representative.removed")] == [world.rep.id]


PEOPLE_ROUTES = [("GET", "/budgets/{dp}/people"), ("POST", "/budgets/{dp}/people"),
                 ("GET", "/budgets/{dp}/people/{rep}"), ("POST", "/budgets/{dp}/people/{rep}"),
                 ("POST", "/budgets/{dp}/people/{rep}/remove"), ("POST", "/budgets/{dp}/people/holder/invite")]


@pytest.mark.parametrize("method, path", PEOPLE_ROUTES)
@pytest.mark.parametrize("who", ["rep", "other_holder", "other_case_manager", "staff", "admin"])
def test_nobody_else_manages_who_can_see_a_budget(app, world, method, path, who):
    rep = db.session.scalar(select(Representative).where(Representative.user_id == world.rep.id))
    client = signed_in(app, who)
    url = path.format(dp=world.dp.id, rep=rep.id)
    assert client.open(url, method=method, data=rep_form(may_record="yes")).status_code == 404
    db.session.expire_all()
    assert db.session.get(Representative, rep.id) is not None
    assert db.session.scalar(select(func.count()).select_from(Representative)) == 1


def test_a_representative_of_another_budget_cannot_be_reached_through_this_one(app, world):
    login_client = signed_in(app, "other_holder")
    rep = db.session.scalar(select(Representative).where(Representative.user_id == world.rep.id))
    assert login_client.get(f"/budgets/{world.other_dp.id}/people/{rep.id}").status_code == 404


def test_the_case_manager_resends_the_holders_invitation(app, world, mail):
    cm = signed_in(app, "case_manager")
    cm.post("/caseload/new", data=person())
    budget = db.session.scalar(select(Budget).where(Budget.person_name == "Nadia Hassan"))
    first = link_for(mail, "nadia@example.org")
    assert cm.post(f"/budgets/{budget.id}/people/holder/invite").status_code == 303
    second = link_for(mail, "nadia@example.org")
    assert first != second and app.test_client().get(first).status_code == 410
    assert cm.post(f"/budgets/{world.dp.id}/people/holder/invite").status_code == 404  # Alex has joined
