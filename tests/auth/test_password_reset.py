"""A forgotten password, end to end through a real SMTP server: the same answer for any address, a link that
works once for an hour, a new password that must be good, and every other session ended."""
from __future__ import annotations

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from pbportal.audit import AuditEvent
from pbportal.auth import password_views
from pbportal.auth.models import User
from pbportal.auth.tokens import AccountToken
from pbportal.extensions import db
from pbportal.outbox import OutboxMessage, deliver_due
from pbportal.timeutil import utcnow

from ..conftest import EMAIL, PASSWORD, login

NEW_PASSWORD = "plum window orbit lantern"


def ask(client, email):
    return client.post("/password/forgotten", data={"email": email})


def link_in(message) -> str:
    found = re.search(r"^http://pbportal\.test(/password/reset/[A-Za-z0-9_-]+)\s*$", message.get_content(), re.M)
    assert found, message.get_content()
    return found.group(1)


def emailed_link(mail, address) -> str:
    deliver_due()
    (message,) = mail.to(address)
    assert message["Subject"] == "Reset your pbportal password"
    return link_in(message)


def set_password(client, link, password, confirm=None):
    return client.post(link, data={"password": password, "confirm": password if confirm is None else confirm})


def signs_in(client, email, password) -> bool:
    return client.post("/sign-in", data={"email": email, "password": password}).status_code == 303


def test_the_sign_in_page_links_to_it(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<a class="govuk-link" href="/password/forgotten">Forgotten your password?</a>' in page


def test_a_known_address_gets_a_link_that_sets_a_new_password_and_signs_out_every_other_device(app, client, mail,
                                                                                                world):
    laptop = app.test_client()
    login(laptop, EMAIL["holder"])
    assert laptop.get(f"/budgets/{world.dp.id}").status_code == 200

    r = ask(client, "  Holder@Example.org ")
    assert (r.status_code, r.location) == (303, "/password/forgotten/sent")
    page = client.get(r.location).get_data(as_text=True)
    assert "Check your email" in page and "holder@example.org" in page

    deliver_due()
    (message,) = mail.to("holder@example.org")
    body = message.get_content()
    assert body.startswith("Hello Alex Holder,")
    assert "The link works once, for 1 hour." in body
    link = link_in(message)

    form = client.get(link)
    assert form.status_code == 200
    assert "Choose a new password" in form.get_data(as_text=True)
    assert form.headers["Cache-Control"] == "no-store" and form.headers["Referrer-Policy"] == "no-referrer"

    r = set_password(client, link, NEW_PASSWORD)
    assert (r.status_code, r.location) == (303, "/sign-in")
    assert "Your password has been changed. Sign in with your new password." in client.get("/sign-in").get_data(
        as_text=True)

    assert laptop.get(f"/budgets/{world.dp.id}").status_code == 302  # signed out there too
    assert not signs_in(app.test_client(), "holder@example.org", PASSWORD)
    assert signs_in(app.test_client(), "holder@example.org", NEW_PASSWORD)

    deliver_due()
    told = [m for m in mail.to("holder@example.org") if m["Subject"] == "Your pbportal password has been changed"]
    assert len(told) == 1 and "You have been signed out everywhere else." in told[0].get_content()

    again = client.get(link)
    assert again.status_code == 410
    assert "This link has expired" in again.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "User",
                                                                 AuditEvent.object_id == world.holder.id)).all()
    assert "user.password_reset_asked" in actions and "user.password_reset" in actions


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mail, world):
    known = client.get(ask(client, "holder@example.org").location).get_data(as_text=True)
    unknown_response = ask(client, "nobody@example.org")
    assert (unknown_response.status_code, unknown_response.location) == (303, "/password/forgotten/sent")
    unknown = client.get(unknown_response.location).get_data(as_text=True)
    assert unknown.replace("nobody@example.org", "ADDRESS") == known.replace("holder@example.org", "ADDRESS")
    deliver_due()
    assert mail.to("nobody@example.org") == []
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["holder@example.org"]


def test_a_deactivated_account_gets_no_link(client, mail, world):
    db.session.get(User, world.holder.id).is_active_account = False
    db.session.commit()
    assert ask(client, "holder@example.org").location == "/password/forgotten/sent"
    deliver_due()
    assert mail.received == []


def test_the_link_is_stored_only_as_a_hash(client, mail, world):
    ask(client, "holder@example.org")
    token = emailed_link(mail, "holder@example.org").rsplit("/", 1)[1]
    stored = db.session.scalars(select(AccountToken.token_hash)).one()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_the_link_expires_after_an_hour(client, mail, world):
    ask(client, "holder@example.org")
    link = emailed_link(mail, "holder@example.org")
    row = db.session.scalars(select(AccountToken)).one()
    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for response in (client.get(link), set_password(client, link, NEW_PASSWORD)):
        assert response.status_code == 410
        assert "This link has expired" in response.get_data(as_text=True)
    assert signs_in(client, "holder@example.org", PASSWORD)


def test_a_newer_link_replaces_the_older_one(client, mail, world):
    ask(client, "holder@example.org")
    first = emailed_link(mail, "holder@example.org")
    mail.clear()
    ask(client, "holder@example.org")
    second = emailed_link(mail, "holder@example.org")
    assert client.get(first).status_code == 410
    assert set_password(client, second, NEW_PASSWORD).status_code == 303


@pytest.mark.real_commits  # the two requests are threads with connections of their own
def test_two_requests_using_one_link_at_once_change_the_password_once(request, app, mail, world, monkeypatch):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    ask(app.test_client(), "holder@example.org")
    link = emailed_link(mail, "holder@example.org")
    both_found_it_live = threading.Barrier(2, timeout=20)
    redeem = password_views.redeem

    def after_both_looked(found):  # each request has checked the link is live before either uses it
        both_found_it_live.wait()
        return redeem(found)

    monkeypatch.setattr(password_views, "redeem", after_both_looked)
    choices = ["plum window orbit lantern", "kettle harbour violet stone"]
    with ThreadPoolExecutor(2) as pool:
        answers = [f.result(timeout=60) for f in
                   [pool.submit(set_password, app.test_client(), link, choice) for choice in choices]]
    assert sorted(a.status_code for a in answers) == [303, 410]
    won = choices[[a.status_code for a in answers].index(303)]
    assert [signs_in(app.test_client(), "holder@example.org", c) for c in choices] == [c == won for c in choices]
    deliver_due()
    assert [m["Subject"] for m in mail.to("holder@example.org")].count("Your pbportal password has been changed") == 1


def test_a_link_that_was_never_sent_says_it_is_not_right(client):
    for token in ("not-a-token", "x" * 500):
        response = client.get(f"/password/reset/{token}")
        assert response.status_code == 404
        assert "This link is not right" in response.get_data(as_text=True)


def test_a_new_password_must_be_long_enough_hard_to_guess_and_typed_twice_alike(client, mail, world):
    ask(client, "holder@example.org")
    link = emailed_link(mail, "holder@example.org")
    cases = [
        ("short one", None, "Password must be 12 characters or more"),
        ("x" * 129, None, "Password must be 128 characters or fewer"),
        ("password1234", None, "Choose a password that is harder to guess"),
        ("Alex.Holder.1990", None, "Choose a password that does not contain your name or email address"),
        (NEW_PASSWORD, "plum window orbit", "The passwords do not match"),
        ("", None, "Enter a new password"),
    ]
    for password, confirm, message in cases:
        response = set_password(client, link, password, confirm)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, password
        assert message in page and "<title>Error: Choose a new password" in page
        assert 'class="govuk-error-summary' in page
    assert signs_in(client, "holder@example.org", PASSWORD)  # nothing changed
    assert set_password(client, link, NEW_PASSWORD).status_code == 303


def test_a_bad_address_is_told_by_the_field(client, mail):
    for typed, message in [("", "Enter your email address"),
                           ("not an address", "Enter an email address in the correct format"),
                           ("a" * 250 + "@example.org", "Email address must be 254 characters or fewer")]:
        response = ask(client, typed)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    deliver_due()
    assert mail.received == []


def test_asking_for_links_to_one_address_is_limited(client, mail, world):
    for _ in range(5):
        assert ask(client, "holder@example.org").status_code == 303
    assert ask(client, "holder@example.org").status_code == 429


def test_the_forms_need_the_csrf_token(csrf_app, client, mail, world):
    assert ask(client, "holder@example.org").status_code == 400
    deliver_due()
    assert mail.received == []


# ---- changing it, signed in ----------------------------------------------------------------------

def change(client, current, new, confirm=None):
    return client.post("/your-account/password",
                       data={"current": current, "password": new, "confirm": new if confirm is None else confirm})


def test_your_account_shows_who_you_are_and_links_to_changing_the_password(client, world):
    login(client, EMAIL["case_manager"])
    page = client.get("/your-account").get_data(as_text=True)
    assert "Your account" in page and "cm@example.org" in page
    assert "Case manager at Test Council" in page
    assert 'href="/your-account/password"' in page
    assert 'href="/your-account"' in client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)  # the header


def test_changing_the_password_keeps_this_device_and_signs_out_the_others(app, client, mail, world):
    laptop = app.test_client()
    login(laptop, EMAIL["holder"])
    login(client, EMAIL["holder"])
    r = change(client, PASSWORD, NEW_PASSWORD)
    assert (r.status_code, r.location) == (303, "/your-account")
    assert "You have been signed out on every other device." in client.get("/your-account").get_data(as_text=True)
    assert client.get(f"/budgets/{world.dp.id}").status_code == 200  # still signed in here
    assert laptop.get(f"/budgets/{world.dp.id}").status_code == 302  # not there
    assert signs_in(app.test_client(), "holder@example.org", NEW_PASSWORD)
    deliver_due()
    assert [m["Subject"] for m in mail.to("holder@example.org")] == ["Your pbportal password has been changed"]
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "user.password_changed")).all()


def test_changing_the_password_needs_the_current_one_and_a_good_new_one(app, client, mail, world):
    login(client, EMAIL["holder"])
    for current, new, confirm, message in [
        ("wrong password", NEW_PASSWORD, None, "Your current password is not right"),
        ("", NEW_PASSWORD, None, "Enter your current password"),
        (PASSWORD, "password1234", None, "Choose a password that is harder to guess"),
        (PASSWORD, NEW_PASSWORD, "something else entirely", "The passwords do not match"),
    ]:
        response = change(client, current, new, confirm)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in page and "<title>Error: Change your password" in page
    assert signs_in(app.test_client(), "holder@example.org", PASSWORD)
    deliver_due()
    assert mail.received == []


def test_guessing_the_current_password_is_limited(client, world):
    login(client, EMAIL["holder"])
    for _ in range(10):
        assert change(client, "a wrong guess", NEW_PASSWORD).status_code == 200
    assert change(client, PASSWORD, NEW_PASSWORD).status_code == 429


def test_your_account_needs_signing_in(client):
    for path in ("/your-account", "/your-account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert client.post("/your-account/password", data={}).status_code == 302
