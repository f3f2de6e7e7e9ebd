"""One server-side session per signed-in device: signing in on one device leaves the others signed in; each device
can be seen and signed out; sessions run out when idle and at their absolute lifetime; the CSRF token is new at
sign-in; only a hash of each session's token is stored."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from pbportal.auth.models import User
from pbportal.auth.sessions import UserSession, describe_device
from pbportal.extensions import db
from pbportal.timeutil import utcnow

from ..conftest import EMAIL, PASSWORD
from ..support import audits, page_of

PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile "
         "Safari/537.36")
LAPTOP = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 "
          "Safari/605.1.15")


def device(app, agent, email=EMAIL["holder"]):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def signed_in(client, world) -> bool:
    return client.get(f"/budgets/{world.dp.id}").status_code == 200


def sessions_of(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)).all()


def test_signing_in_on_a_phone_leaves_the_laptop_signed_in(app, world):
    laptop = device(app, LAPTOP)
    phone = device(app, PHONE)
    assert signed_in(laptop, world) and signed_in(phone, world)
    assert [s.device for s in sessions_of(world.holder)] == ["Safari on Mac", "Chrome on Android"]
    phone.post("/sign-out")
    assert not signed_in(phone, world)
    assert signed_in(laptop, world)  # signing out there ends that device only


def test_the_devices_page_lists_each_and_signs_one_out(app, world):
    laptop = device(app, LAPTOP)
    phone = device(app, PHONE)
    page = page_of(phone.get("/your-account/devices"))
    assert "Chrome on Android</strong> <strong class=\"govuk-tag govuk-tag--green\">This device</strong>" in page
    assert "Safari on Mac" in page and page.count("Sign out<span") == 1  # not this device: the header does that
    laptop_session = sessions_of(world.holder)[0]
    response = phone.post(f"/your-account/devices/{laptop_session.id}/sign-out")
    assert (response.status_code, response.location) == (303, "/your-account/devices")
    assert "You have signed out on Safari on Mac." in page_of(phone.get("/your-account/devices"))
    assert not signed_in(laptop, world) and signed_in(phone, world)
    assert [e.data["device"] for e in audits("user.device_signed_out")] == ["Safari on Mac"]
    this_one = sessions_of(world.holder)[1]
    assert phone.post(f"/your-account/devices/{this_one.id}/sign-out").status_code == 404


def test_sign_out_of_all_other_devices_with_htmx(app, world):
    first, second = device(app, LAPTOP), device(app, LAPTOP)
    phone = device(app, PHONE)
    response = phone.post("/your-account/devices/sign-out-others", headers={"HX-Request": "true"})
    text = page_of(response)
    assert response.status_code == 200 and text.startswith('<div id="devices">')
    assert "You have signed out on every other device." in text and "Safari on Mac" not in text
    assert not signed_in(first, world) and not signed_in(second, world) and signed_in(phone, world)
    assert [e.data["sessions"] for e in audits("user.sessions_ended")] == [2]


@pytest.mark.parametrize("role", ["rep", "other_holder", "case_manager", "staff", "admin"])
def test_nobody_signs_out_another_persons_device(app, world, role):
    laptop = device(app, LAPTOP)
    other = device(app, PHONE, EMAIL[role])
    mine = sessions_of(world.holder)[0]
    assert other.post(f"/your-account/devices/{mine.id}/sign-out").status_code == 404
    assert "Safari on Mac" not in page_of(other.get("/your-account/devices"))
    assert signed_in(laptop, world)


def test_a_session_runs_out_when_idle_and_at_its_absolute_lifetime(app, world):
    phone = device(app, PHONE)
    (session,) = sessions_of(world.holder)
    session.last_used_at = utcnow() - timedelta(minutes=121)
    db.session.commit()
    response = phone.get(f"/budgets/{world.dp.id}")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert "You have been signed out because pbportal was not used for a while" in page_of(phone.get("/sign-in"))
    assert sessions_of(world.holder)[0].ended_at is not None

    busy = device(app, PHONE)
    session = sessions_of(world.holder)[1]
    session.created_at = utcnow() - timedelta(hours=12, minutes=1)  # used a moment ago, but signed in long ago
    db.session.commit()
    assert not signed_in(busy, world)


def test_last_used_is_written_at_most_once_a_minute(app, world):
    phone = device(app, PHONE)
    (session,) = sessions_of(world.holder)
    session.last_used_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.startswith("UPDATE user_session"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert signed_in(phone, world)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(writes) == 1


def test_only_a_hash_of_the_token_is_stored(app, world):
    phone = device(app, PHONE)
    cookie = phone.get_cookie("session")
    assert cookie is not None
    (session,) = sessions_of(world.holder)
    assert len(session.token_hash) == 64 and session.token_hash not in cookie.value


def test_the_csrf_token_is_new_at_sign_in(csrf_app, world):
    client = csrf_app.test_client()
    page = page_of(client.get("/sign-in"))
    before = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": EMAIL["holder"], "password": PASSWORD, "csrf_token": before})
    page = page_of(client.get(f"/budgets/{world.dp.id}"))
    after = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert after != before
    assert client.post("/sign-out", data={"csrf_token": before}).status_code == 400  # the old one is no good
    assert client.post("/sign-out", data={"csrf_token": after}).status_code == 303


def test_a_changed_password_keeps_this_device_and_ends_the_others(app, world):
    laptop, phone = device(app, LAPTOP), device(app, PHONE)
    new = "plum window orbit lantern"
    response = phone.post("/your-account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 303
    assert signed_in(phone, world) and not signed_in(laptop, world)


def test_a_deactivated_person_is_signed_out_everywhere_at_once(app, world):
    laptop, phone = device(app, LAPTOP), device(app, PHONE)
    db.session.get(User, world.holder.id).is_active_account = False
    db.session.commit()
    assert not signed_in(laptop, world) and not signed_in(phone, world)


@pytest.mark.parametrize("agent, expected", [
    (PHONE, "Chrome on Android"), (LAPTOP, "Safari on Mac"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 "
     "Edg/131.0", "Edge on Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
    ("curl/8.5.0", "curl8.5.0"), ("", "Unknown device"),
])
def test_devices_are_described_as_people_know_them(agent, expected):
    assert describe_device(agent) == expected
