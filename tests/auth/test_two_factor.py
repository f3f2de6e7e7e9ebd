"""Two-factor sign-in: required for staff (set up with a QR code made here or a typed key), optional for holders;
a code works once; recovery codes are shown once and work once; an org admin resets a lost phone."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from pbportal.auth.models import User
from pbportal.auth.two_factor import RecoveryCode
from pbportal.extensions import db
from pbportal.outbox import deliver_due

from ..conftest import EMAIL, PASSWORD, login, make_user
from ..support import audits, page_of, set_up_two_factor


@pytest.fixture
def newcomer(world):
    """A case manager who must use two-factor sign-in (not exempt, as every invited member of staff)."""
    user = make_user("new.cm@example.org", "case_manager", "Nia New", world.council, exempt=False)
    db.session.commit()
    return user


def password_step(client, email):
    return client.post("/sign-in", data={"email": email, "password": PASSWORD})


def code_after(key, step_offset=0) -> str:
    totp = pyotp.TOTP(key)
    return totp.at(time.time() + step_offset * totp.interval)


def test_staff_must_set_it_up_before_anything_else(app, world, newcomer, mail):
    client = app.test_client()
    login(client, "new.cm@example.org")
    for path in ("/caseload", f"/budgets/{world.dp.id}", "/your-account", "/notifications"):
        assert client.get(path).location == "/your-account/two-factor", path
    page = page_of(client.get("/your-account/two-factor"))
    assert "Staff must sign in with a code from their phone" in page
    assert '<svg' in page and 'class="pb-qr"' in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    wrong = client.post("/your-account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 200 and "The code is not right" in page_of(wrong)
    key = set_up_two_factor(client)
    codes = page_of(client.get("/your-account/two-factor/recovery-codes"))
    assert "These codes are shown only once" in codes and len(re.findall(r"<code>[0-9a-f-]{14}</code>", codes)) == 10
    assert client.get("/your-account/two-factor/recovery-codes").location == "/your-account/two-factor"  # once
    assert client.get("/caseload").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, newcomer.id)
    assert user.has_two_factor and user.totp_secret == key
    assert db.session.scalar(select(RecoveryCode.code_hash)) not in codes  # only hashes are stored
    deliver_due()
    assert mail.to("new.cm@example.org")[-1]["Subject"] == "Two-factor sign-in is on for your pbportal account"


def test_signing_in_asks_for_the_code_and_a_code_works_once(app, world, newcomer):
    first = app.test_client()
    login(first, "new.cm@example.org")
    key = set_up_two_factor(first)
    client = app.test_client()
    response = password_step(client, "new.cm@example.org")
    assert response.location == "/sign-in/code"
    assert client.get("/caseload").status_code == 302  # not signed in yet
    wrong = client.post("/sign-in/code", data={"code": "123456" if code_after(key) != "123456" else "654321"})
    assert wrong.status_code == 200 and "The code is not right" in page_of(wrong)
    assert len(audits("user.two_factor_failed")) == 1
    used = code_after(key, 1)  # the next step's code: not yet used by setup
    assert client.post("/sign-in/code", data={"code": used}).status_code == 303
    assert client.get("/caseload").status_code == 200
    again = app.test_client()
    password_step(again, "new.cm@example.org")
    replay = again.post("/sign-in/code", data={"code": used})
    assert replay.status_code == 200 and "has been used" in page_of(replay)


def test_a_recovery_code_works_once_and_says_how_many_are_left(app, world, newcomer):
    first = app.test_client()
    login(first, "new.cm@example.org")
    set_up_two_factor(first)
    code = re.findall(r"<code>([0-9a-f-]{14})</code>", page_of(first.get("/your-account/two-factor/recovery-codes")))[0]
    client = app.test_client()
    password_step(client, "new.cm@example.org")
    response = client.post("/sign-in/code", data={"code": code.upper().replace("-", " ")})
    assert response.status_code == 303
    assert "You have 9 left" in page_of(client.get(response.location, follow_redirects=True))
    other = app.test_client()
    password_step(other, "new.cm@example.org")
    assert other.post("/sign-in/code", data={"code": code}).status_code == 200


def test_the_code_step_runs_out_after_five_minutes(app, world, newcomer):
    first = app.test_client()
    login(first, "new.cm@example.org")
    key = set_up_two_factor(first)
    client = app.test_client()
    password_step(client, "new.cm@example.org")
    with client.session_transaction() as session:
        pending = dict(session["two_factor_pending"])
        session["two_factor_pending"] = dict(pending, at=pending["at"] - 301)
    response = client.post("/sign-in/code", data={"code": code_after(key, 1)})
    assert response.location == "/sign-in"
    assert "the time to enter your code ran out" in page_of(client.get("/sign-in"))


def test_wrong_codes_lock_the_step_and_are_audited(app, world, newcomer):
    first = app.test_client()
    login(first, "new.cm@example.org")
    set_up_two_factor(first)
    client = app.test_client()
    password_step(client, "new.cm@example.org")
    answers = [client.post("/sign-in/code", data={"code": "000001"}).status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429
    assert len(audits("user.two_factor_locked")) == 1


def test_holders_choose_it_and_may_turn_it_off_with_their_password(app, world, mail):
    holder = app.test_client()
    login(holder, EMAIL["holder"])
    assert holder.get(f"/budgets/{world.dp.id}").status_code == 200  # not required
    set_up_two_factor(holder)
    page = page_of(holder.get("/your-account/two-factor"))
    assert "Turn off two-factor sign-in" in page
    bad = holder.post("/your-account/two-factor/off", data={"password": "wrong password"})
    assert bad.status_code == 200 and "Your password is not right" in page_of(bad)
    assert holder.post("/your-account/two-factor/off", data={"password": PASSWORD}).status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, world.holder.id).has_two_factor
    assert password_step(app.test_client(), EMAIL["holder"]).location == "/"


def test_staff_cannot_turn_it_off(app, world, newcomer):
    client = app.test_client()
    login(client, "new.cm@example.org")
    set_up_two_factor(client)
    assert "Staff cannot turn it off" in page_of(client.get("/your-account/two-factor"))
    assert client.post("/your-account/two-factor/off", data={"password": PASSWORD}).status_code == 404


def test_exempt_staff_are_offered_it(app, world):
    cm = app.test_client()
    login(cm, EMAIL["case_manager"])
    assert cm.get("/caseload").status_code == 200
    assert "Set up two-factor sign-in" in page_of(cm.get("/your-account"))


def test_new_recovery_codes_need_a_code(app, world, newcomer):
    client = app.test_client()
    login(client, "new.cm@example.org")
    key = set_up_two_factor(client)
    client.get("/your-account/two-factor/recovery-codes")
    bad = client.post("/your-account/two-factor/new-codes", data={"code": "000000"})
    assert bad.status_code == 200 and "The code is not right" in page_of(bad)
    assert client.post("/your-account/two-factor/new-codes",
                       data={"code": code_after(key, 1)}).location == "/your-account/two-factor/recovery-codes"


def test_an_org_admin_resets_a_lost_phone(app, world, newcomer, mail):
    phone = app.test_client()
    login(phone, "new.cm@example.org")
    set_up_two_factor(phone)
    admin_user = make_user("org.admin@example.org", "org_admin", "Ola Admin", world.council)
    db.session.commit()
    admin = app.test_client()
    login(admin, "org.admin@example.org")
    person = page_of(admin.get(f"/organisation/staff/{newcomer.id}"))
    assert "Reset<span class=\"govuk-visually-hidden\"> two-factor sign-in of Nia New" in person
    assert "Reset Nia New’s two-factor sign-in?" in page_of(admin.get(f"/organisation/staff/{newcomer.id}/two-factor"))
    assert admin.post(f"/organisation/staff/{newcomer.id}/two-factor").status_code == 303
    assert phone.get("/caseload").status_code == 302  # signed out
    db.session.expire_all()
    assert not db.session.get(User, newcomer.id).has_two_factor
    assert [e.actor_id for e in audits("user.two_factor_reset")] == [admin_user.id]
    deliver_due()
    assert mail.to("new.cm@example.org")[-1]["Subject"] == "Your pbportal two-factor sign-in has been reset"
    again = app.test_client()
    assert password_step(again, "new.cm@example.org").location == "/"  # no code: set it up again
    assert again.get("/caseload").location == "/your-account/two-factor"


@pytest.mark.parametrize("who", ["holder", "case_manager", "staff", "admin", "other.admin@example.org"])
def test_nobody_else_resets_it(app, world, newcomer, who):
    client = app.test_client()
    login(client, "new.cm@example.org")
    set_up_two_factor(client)
    make_user("other.admin@example.org", "org_admin", "Oz Other", world.provider_org)
    db.session.commit()
    other = app.test_client()
    login(other, EMAIL.get(who, who))
    assert other.get(f"/organisation/staff/{newcomer.id}/two-factor").status_code == 404
    assert other.post(f"/organisation/staff/{newcomer.id}/two-factor").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).has_two_factor
