"""Changing the email address one signs in with, through a real SMTP server: a link to the new address confirms
it, the old one is told, other devices are signed out; nothing gives away whether an address is taken."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pbportal.auth.models import User
from pbportal.auth.tokens import AccountToken
from pbportal.extensions import db
from pbportal.outbox import deliver_due
from pbportal.timeutil import utcnow

from ..conftest import EMAIL, PASSWORD, login
from ..support import audits, page_of, signed_in


def ask(client, email, password=PASSWORD):
    return client.post("/your-account/email", data={"email": email, "current": password})


def link_in(mail, address) -> str:
    deliver_due()
    (message,) = [m for m in mail.to(address) if m["Subject"] == "Confirm your new pbportal email address"]
    return re.search(r"http://pbportal\.test(/your-account/email/confirm/\S+)", message.get_content()).group(1)


def test_the_new_address_confirms_the_change_and_the_old_one_is_told(app, world, mail):
    laptop = signed_in(app, "holder")
    phone = signed_in(app, "holder")
    response = ask(phone, "Alex.New@Example.org")
    assert (response.status_code, response.location) == (303, "/your-account/email/sent")
    assert "alex.new@example.org" in page_of(phone.get(response.location))
    link = link_in(mail, "alex.new@example.org")
    asked = [m for m in mail.to("holder@example.org") if "was asked for" in m["Subject"]]
    assert len(asked) == 1 and "alex.new@example.org" in asked[0].get_content()
    db.session.expire_all()
    assert db.session.get(User, world.holder.id).email == "holder@example.org"  # not until the link is used

    page = phone.get(link)
    assert page.headers["Cache-Control"] == "no-store" and "alex.new@example.org" in page_of(page)
    done = phone.post(link)
    assert (done.status_code, done.location) == (303, "/your-account")
    db.session.expire_all()
    assert db.session.get(User, world.holder.id).email == "alex.new@example.org"
    assert phone.get(f"/budgets/{world.dp.id}").status_code == 200 and laptop.get("/your-account").status_code == 302
    deliver_due()
    assert mail.to("holder@example.org")[-1]["Subject"] == "Your pbportal email address has changed"
    assert [(e.data["old"], e.data["new"]) for e in audits("user.email_changed")] == [
        ("holder@example.org", "alex.new@example.org")]
    assert app.test_client().post("/sign-in", data={"email": "alex.new@example.org",
                                                    "password": PASSWORD}).status_code == 303
    assert phone.post(link).status_code == 410  # used


def test_an_address_someone_has_gets_the_same_answer_and_no_email(app, world, mail):
    client = signed_in(app, "holder")
    taken = ask(client, "cm@example.org")
    free = ask(client, "free@example.org")
    assert taken.location == free.location == "/your-account/email/sent"
    deliver_due()
    assert mail.to("cm@example.org") == []
    assert len(mail.to("free@example.org")) == 1


@pytest.mark.parametrize("email, password, message", [
    ("new@example.org", "wrong password", "Your password is not right"),
    ("not an address", PASSWORD, "Enter an email address in the correct format"),
    ("HOLDER@example.org", PASSWORD, "This is already your email address"),
    ("", PASSWORD, "Enter your new email address"),
])
def test_mistakes_are_explained(app, world, mail, email, password, message):
    response = ask(signed_in(app, "holder"), email, password)
    assert response.status_code == 200 and message in page_of(response)
    deliver_due()
    assert mail.received == []


def test_an_expired_link_or_an_address_taken_meanwhile_changes_nothing(app, world, mail):
    client = signed_in(app, "holder")
    ask(client, "late@example.org")
    link = link_in(mail, "late@example.org")
    token = db.session.scalar(select(AccountToken).where(AccountToken.purpose == "email_change"))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(link).status_code == 410
    ask(client, "race@example.org")
    link = link_in(mail, "race@example.org")
    db.session.get(User, world.other_holder.id).email = "race@example.org"
    db.session.commit()
    response = client.post(link)
    assert response.status_code == 409 and "This address cannot be used" in page_of(response)
    db.session.expire_all()
    assert db.session.get(User, world.holder.id).email == "holder@example.org"


def test_resetting_the_password_stops_a_change_someone_else_asked_for(app, world, mail):
    ask(signed_in(app, "holder"), "thief@example.org")
    link = link_in(mail, "thief@example.org")
    holder = app.test_client()
    login(holder, EMAIL["holder"])
    new = "plum window orbit lantern"
    holder.post("/your-account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert app.test_client().post(link).status_code == 410


def test_signed_out_people_cannot_ask(client, world):
    assert client.get("/your-account/email").status_code == 302
    assert client.post("/your-account/email", data={"email": "x@example.org", "current": PASSWORD}).status_code == 302
