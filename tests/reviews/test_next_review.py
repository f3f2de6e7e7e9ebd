"""When the next review is due: after the funder's first payment, then after each review; overdue reviews;
the funder's settings."""
from __future__ import annotations

import re
from datetime import timedelta

from pbportal.budget.models import Budget, MoneyIn
from pbportal.extensions import db
from pbportal.reviews.models import Review
from pbportal.reviews.services import add_months, refresh_next_review
from pbportal.timeutil import today

from ..conftest import login, make_budget, make_org, make_user
from ..support import audits, long_date, page_of, parts, pay_in, signed_in
from .helpers import review_form


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
    assert re.search(r'name="return_interval_months"[^>]*value="3"', form)

    for bad, message in [({"first_review_months": "0"}, "Enter a number of months from 1 to 12"),
                         ({"review_interval_months": "13"}, "Enter a number of months from 1 to 12"),
                         ({"first_review_months": ""}, "Enter the number of months"),
                         ({"contingency_weeks": "27"}, "Enter a number of weeks from 1 to 26"),
                         ({"surplus_weeks": "53"}, "Enter a number of weeks from 1 to 52"),
                         ({"return_interval_months": "0"}, "Enter a number of months from 1 to 12")]:
        data = {"first_review_months": "2", "review_interval_months": "9", "contingency_weeks": "6",
                "surplus_weeks": "10", "return_interval_months": "6", **bad}
        page = page_of(admin.post(url, data=data))
        assert "There is a problem" in page and message in page, message
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(paid, 6)

    response = admin.post(url, data={"first_review_months": "2", "review_interval_months": "9",
                                     "contingency_weeks": "6", "surplus_weeks": "10", "return_interval_months": "6"})
    assert response.status_code == 303 and response.location == "/admin"
    assert "Settings for Test Council saved; review dates of 3 budgets brought up to date." in \
        page_of(admin.get("/admin"))
    db.session.expire_all()
    council = db.session.get(type(world.council), world.council.id)
    assert (council.first_review_months, council.review_interval_months, council.contingency_weeks,
            council.surplus_weeks, council.return_interval_months) == (2, 9, 6, 10, 6)
    assert db.session.get(Budget, world.dp.id).next_review_due == add_months(paid, 2)
    assert db.session.get(Budget, world.other_dp.id).next_review_due == add_months(today(), 12)  # review wins
    assert db.session.get(Budget, nhs_budget.id).next_review_due == add_months(paid, 3)  # another funder
    assert db.session.get(Budget, world.ma.id).next_review_due is None
    changed = audits("funder.settings_changed")
    assert len(changed) == 1 and changed[0].actor_id == world.admin.id
    assert changed[0].data["before"] == [6, 12, 4, 8, 3] and changed[0].data["after"] == [2, 9, 6, 10, 6]

    # The new interval is the review form's limit.
    cm = signed_in(app, "case_manager")
    data = {k: v for k, v in review_form(add_months(today(), 10)).items() if not k.startswith("outcomes-")}
    response = cm.post(f"/budgets/{world.dp.id}/reviews/new", data=data)  # (this plan names no outcomes)
    assert "The next review must be within 9 months" in page_of(response)
