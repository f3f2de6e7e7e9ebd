"""An organisation's admins run its staff: invite (with real email), resend, cancel, change roles, deactivate and
reactivate; an organisation always keeps an admin; nobody else reaches these pages."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from pbportal.auth.models import User
from pbportal.extensions import db
from pbportal.organisations import services
from pbportal.outbox import deliver_due

from ..conftest import EMAIL, PASSWORD, login, make_org, make_user
from ..support import audits, page_of, set_up_two_factor

NEW_PASSWORD = "quiet harbour pencil meadow"


@pytest.fixture
def admins(world):
    """Two admins of the council, and one of the provider."""
    first = make_user("first.admin@example.org", "org_admin", "Fran First", world.council)
    second = make_user("second.admin@example.org", "org_admin", "Sid Second", world.council)
    provider_admin = make_user("provider.admin@example.org", "org_admin", "Pam Provider", world.provider_org)
    db.session.commit()
    return first, second, provider_admin


def as_admin(app, email="first.admin@example.org"):
    client = app.test_client()
    login(client, email)
    return client


def invitation_link(mail, address) -> str:
    deliver_due()
    message = mail.to(address)[-1]
    return re.search(r"http://pbportal\.test(/invitation/\S+)", message.get_content()).group(1)


def test_the_staff_list_shows_the_organisations_people_only(app, world, admins):
    page = page_of(as_admin(app).get("/organisation/staff"))
    assert "Cara Case" in page and "Otto Case" in page and "Fran First" in page
    assert "Stan Staff" not in page and "Pam Provider" not in page and "Alex Holder" not in page
    only = page_of(as_admin(app).get("/organisation/staff", query_string={"role": "org_admin"},
                                     headers={"HX-Request": "true"}))
    assert only.startswith('<div id="staff">') and "Fran First" in only and "Cara Case" not in only


def test_an_invited_case_manager_joins_by_the_emailed_link(app, world, admins, mail):
    admin = as_admin(app)
    response = admin.post("/organisation/staff/invite", data={"name": "Nia New", "email": "Nia.New@Example.org",
                                                              "role": "case_manager"})
    assert response.status_code == 303
    person = db.session.scalar(select(User).where(User.email == "nia.new@example.org"))
    assert person.organisation_id == world.council.id and person.role == "case_manager" and person.joined_at is None
    assert "Invited, link expires" in page_of(admin.get(response.location))
    link = invitation_link(mail, "nia.new@example.org")
    newcomer = app.test_client()
    assert "Join Test Council" in page_of(newcomer.get(link))
    joined = newcomer.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 303
    set_up_two_factor(newcomer)
    assert newcomer.get("/caseload").status_code == 200
    assert "Joined" in page_of(admin.get(f"/organisation/staff/{person.id}"))


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "x@example.org", "role": "case_manager"}, "Enter their full name"),
    ({"name": "X", "email": "not an address", "role": "case_manager"}, "Enter an email address in the correct"),
    ({"name": "X", "email": "x@example.org", "role": "provider_staff"}, "Not a valid choice"),
    ({"name": "X", "email": "x@example.org"}, "Choose their role"),
    ({"name": "X", "email": "HOLDER@example.org", "role": "case_manager"}, "already has a pbportal account"),
])
def test_an_invitation_with_a_mistake_says_so_and_makes_nobody(app, world, admins, data, message):
    before = db.session.scalar(select(User.id).order_by(User.id.desc()))
    response = as_admin(app).post("/organisation/staff/invite", data=data)
    assert response.status_code == 200 and message in page_of(response)
    assert db.session.scalar(select(User.id).order_by(User.id.desc())) == before


def test_resend_replaces_the_link_and_cancel_closes_it(app, world, admins, mail):
    first, _, _ = admins
    person = services.invite_staff(world.council, "Nia New", "nia@example.org", "case_manager", first)
    db.session.commit()
    old = invitation_link(mail, "nia@example.org")
    admin = as_admin(app)
    assert admin.post(f"/organisation/staff/{person.id}/resend").status_code == 303
    new = invitation_link(mail, "nia@example.org")
    assert old != new and app.test_client().get(old).status_code == 410
    assert admin.post(f"/organisation/staff/{person.id}/cancel").status_code == 303
    dead = app.test_client().get(new)
    assert dead.status_code == 410 and "Fran First" in page_of(dead)
    assert "Invitation cancelled" in page_of(admin.get(f"/organisation/staff/{person.id}"))
    assert [e.action for e in audits("user.invitation_cancelled")] == ["user.invitation_cancelled"]


def test_changing_a_role_tells_them_and_is_audited(app, world, admins, mail):
    admin = as_admin(app)
    response = admin.post(f"/organisation/staff/{world.case_manager.id}/role", data={"role": "org_admin"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.case_manager.id).role == "org_admin"
    assert [(e.data["before"], e.data["after"]) for e in audits("user.role_changed")] == [("case_manager",
                                                                                          "org_admin")]
    deliver_due()
    assert "You are now: Organisation administrator." in mail.to("cm@example.org")[-1].get_content()


def test_an_admin_cannot_change_their_own_role_nor_leave_the_organisation_without_an_admin(app, world, admins):
    first, second, _ = admins
    admin = as_admin(app)
    page = page_of(admin.get(f"/organisation/staff/{first.id}"))
    assert "This is you." in page and "Change the role" not in page
    response = admin.post(f"/organisation/staff/{first.id}/role", data={"role": "case_manager"})
    assert "You cannot change your own role" in page_of(response)
    assert admin.post(f"/organisation/staff/{second.id}/role", data={"role": "case_manager"}).status_code == 303
    sid = as_admin(app, "second.admin@example.org")
    assert sid.get("/organisation/staff").status_code == 404  # no longer an admin
    response = admin.post(f"/organisation/staff/{first.id}/deactivate")
    assert "You cannot deactivate yourself" in page_of(response)


def test_deactivating_signs_them_out_everywhere_and_keeps_their_records(app, world, admins, mail):
    laptop = app.test_client()
    login(laptop, EMAIL["case_manager"])
    assert laptop.get("/caseload").status_code == 200
    admin = as_admin(app)
    confirm = page_of(admin.get(f"/organisation/staff/{world.case_manager.id}/deactivate"))
    assert "Deactivate Cara Case?" in confirm and "hand it over to another case manager first" in confirm
    assert admin.post(f"/organisation/staff/{world.case_manager.id}/deactivate").status_code == 303
    assert laptop.get("/caseload").status_code == 302  # signed out at once
    assert app.test_client().post("/sign-in", data={"email": EMAIL["case_manager"],
                                                    "password": PASSWORD}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, world.case_manager.id) is not None  # the account and its records stay
    deliver_due()
    assert mail.to("cm@example.org")[-1]["Subject"] == "Your pbportal account has been deactivated"
    assert "Deactivated" in page_of(admin.get(f"/organisation/staff/{world.case_manager.id}"))
    assert admin.post(f"/organisation/staff/{world.case_manager.id}/reactivate").status_code == 303
    assert app.test_client().post("/sign-in", data={"email": EMAIL["case_manager"],
                                                    "password": PASSWORD}).status_code == 303


STAFF_ROUTES = [("GET", "/organisation/staff"), ("GET", "/organisation/staff/invite"),
                ("POST", "/organisation/staff/invite"), ("GET", "/organisation/staff/{cm}"),
                ("POST", "/organisation/staff/{cm}/role"), ("POST", "/organisation/staff/{cm}/resend"),
                ("POST", "/organisation/staff/{cm}/cancel"), ("GET", "/organisation/staff/{cm}/deactivate"),
                ("POST", "/organisation/staff/{cm}/deactivate"), ("POST", "/organisation/staff/{cm}/reactivate")]


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize("method, path", STAFF_ROUTES)
@pytest.mark.parametrize("who", ["holder", "rep", "ma_holder", "staff", "case_manager", "admin",
                                 "provider.admin@example.org"])
def test_nobody_but_the_organisations_own_admins_reaches_its_staff(app, world, admins, method, path, who, hx):
    client = app.test_client()
    login(client, EMAIL.get(who, who))
    url = path.format(cm=world.case_manager.id)
    refused_before = len(audits("access.refused"))
    response = client.open(url, method=method, data={"role": "org_admin", "name": "X", "email": "x@example.org"},
                           headers={"HX-Request": "true"} if hx else {})
    if who == "provider.admin@example.org" and "{cm}" not in path:
        assert response.status_code in (200, 303)  # their own organisation's pages
    else:
        assert response.status_code == 404
        refused = audits("access.refused")[refused_before:]  # who asked, for what and where, is noted
        actor = db.session.scalar(select(User).where(User.email == EMAIL.get(who, who)))
        assert [(e.actor_id, e.data["path"], e.data["method"]) for e in refused] == [(actor.id, url, method)]
    db.session.expire_all()
    assert db.session.get(User, world.case_manager.id).role == "case_manager"
    assert db.session.get(User, world.case_manager.id).is_active_account


def test_the_site_admin_adds_an_organisation_and_invites_its_first_admin(app, world, mail):
    admin = app.test_client()
    login(admin, EMAIL["admin"])
    response = admin.post("/organisations/new", data={"name": "Northshire Council", "kind": "council",
                                                      "admin_name": "Ola Lead", "admin_email": "ola@north.example"})
    assert response.status_code == 303
    page = page_of(admin.get(response.location))
    assert "Northshire Council" in page and "Ola Lead" in page and "Invited, link expires" in page
    link = invitation_link(mail, "ola@north.example")
    newcomer = app.test_client()
    newcomer.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    set_up_two_factor(newcomer)
    assert "Staff" in page_of(newcomer.get("/organisation/staff"))
    for data, message in [({"name": "northshire council", "kind": "council", "admin_name": "A",
                            "admin_email": "a@north.example"}, "already an organisation with that name"),
                          ({"name": "Eastshire", "kind": "council", "admin_name": "A",
                            "admin_email": "holder@example.org"}, "already has a pbportal account")]:
        response = admin.post("/organisations/new", data=data)
        assert response.status_code == 200 and message in page_of(response)
    assert "Eastshire" not in page_of(admin.get("/admin"))  # nothing half-made


@pytest.mark.parametrize("who", ["holder", "staff", "case_manager", "first.admin@example.org"])
def test_only_the_site_admin_adds_organisations(app, world, admins, who):
    client = app.test_client()
    login(client, EMAIL.get(who, who))
    assert client.get("/organisations/new").status_code == 404
    assert client.get(f"/organisations/{world.council.id}").status_code == 404
    assert client.post("/organisations/new", data={"name": "X", "kind": "council", "admin_name": "A",
                                                   "admin_email": "a@x.example"}).status_code == 404


@pytest.mark.real_commits
def test_two_admins_deactivating_each_other_at_once_leave_one(request, app, world, mail):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    org = make_org("Lone Council", "council")
    first = make_user("a1@example.org", "org_admin", "Ada One", org)
    second = make_user("a2@example.org", "org_admin", "Bo Two", org)
    db.session.commit()
    ids = first.id, second.id
    start = threading.Barrier(2, timeout=20)

    def deactivate(email, other_id):
        client = app.test_client()
        login(client, email)
        start.wait()
        return client.post(f"/organisation/staff/{other_id}/deactivate").status_code

    with ThreadPoolExecutor(2) as pool:
        codes = [f.result(timeout=60) for f in [pool.submit(deactivate, "a1@example.org", ids[1]),
                                                pool.submit(deactivate, "a2@example.org", ids[0])]]
    db.session.expire_all()
    active = [u for u in (db.session.get(User, i) for i in ids) if u.is_active_account]
    assert len(active) == 1, codes
    # The second is told why on the confirmation page (200) or, when the first had already ended its sessions
    # before its request was read, is sent to sign in (302); either way it deactivated nobody.
    assert sorted(codes) in ([200, 303], [302, 303]), codes
