"""The account and organisation routes, taken together: signed out, each sends to sign-in; signed in as someone
the page is not for, each answers 404 with and without htmx and changes nothing; and the site admin adds a
further admin to an organisation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from pbportal.auth.models import User
from pbportal.extensions import db
from pbportal.outbox import deliver_due

from ..conftest import EMAIL, login
from ..support import page_of

SIGNED_IN_ONLY = [
    ("GET", "/your-account"), ("GET", "/your-account/devices"), ("POST", "/your-account/devices/1/sign-out"),
    ("GET", "/your-account/two-factor"), ("GET", "/your-account/password"), ("GET", "/your-account/email"),
    ("GET", "/organisation/staff"), ("GET", "/organisation/staff/invite"), ("GET", "/organisation/people"),
    ("POST", "/organisation/people/assign"), ("POST", "/organisation/people/hand-over"),
    ("GET", "/organisations/new"), ("GET", "/organisations/{council}"), ("POST", "/organisations/{council}"),
    ("GET", "/caseload/new"), ("POST", "/caseload/new"), ("GET", "/budgets/{dp}/people"),
    ("GET", "/budgets/{dp}/end"), ("POST", "/budgets/{dp}/end"), ("GET", "/budgets/{ma}/provider"),
    ("POST", "/budgets/{ma}/provider"), ("GET", "/budgets/{ma}/provider/decline"),
    ("POST", "/budgets/{ma}/provider/accept"),
]


def _url(path, world):
    return path.format(council=world.council.id, dp=world.dp.id, ma=world.ma.id)


@pytest.mark.parametrize("method, path", SIGNED_IN_ONLY)
def test_signed_out_every_account_page_sends_to_sign_in(app, world, method, path):
    response = app.test_client().open(_url(path, world), method=method, data={})
    assert response.status_code == 302 and response.location.startswith("/sign-in")


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize("who", ["holder", "rep", "ma_holder", "staff", "other_case_manager", "admin"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_choosing_another_provider_is_for_the_budget_s_case_manager_only(app, world, who, method, hx):
    client = app.test_client()
    login(client, EMAIL[who])
    response = client.open(f"/budgets/{world.ma.id}/provider", method=method,
                           data={"provider": str(world.other_provider.id)},
                           headers={"HX-Request": "true"} if hx else {})
    assert response.status_code == 404
    db.session.expire_all()
    assert world.ma.provider_id == world.provider_org.id


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize("who", ["holder", "rep", "ma_holder", "case_manager", "admin", "other_staff"])
def test_declining_an_account_is_for_the_named_provider_s_staff_only(app, world, who, hx):
    world.ma.provider_accepted_at = None  # named, not yet accepted
    db.session.commit()
    client = app.test_client()
    login(client, EMAIL[who])
    headers = {"HX-Request": "true"} if hx else {}
    assert client.get(f"/budgets/{world.ma.id}/provider/decline", headers=headers).status_code == 404
    assert client.post(f"/budgets/{world.ma.id}/provider/decline", data={"reason": "No"},
                       headers=headers).status_code == 404
    db.session.expire_all()
    assert world.ma.provider_declined_at is None
    staff = app.test_client()
    login(staff, EMAIL["staff"])
    page = page_of(staff.get(f"/budgets/{world.ma.id}/provider/decline"))
    assert "Why can you not hold this account?" in page


def test_the_site_admin_adds_a_further_admin_to_an_organisation(app, world, mail):
    admin = app.test_client()
    login(admin, EMAIL["admin"])
    response = admin.post(f"/organisations/{world.council.id}", data={"name": "Nia New",
                                                                      "email": "nia.new@example.org"})
    assert response.status_code == 303
    assert "Nia New has been invited as an admin of Test Council" in page_of(admin.get(response.location))
    nia = db.session.scalar(select(User).where(User.email == "nia.new@example.org"))
    assert (nia.role, nia.organisation_id, nia.joined_at) == ("org_admin", world.council.id, None)
    deliver_due()
    assert "/invitation/" in mail.to("nia.new@example.org")[-1].get_content()
    taken = admin.post(f"/organisations/{world.council.id}", data={"name": "Again", "email": EMAIL["holder"]})
    assert taken.status_code == 200 and "already has a pbportal account" in page_of(taken)
