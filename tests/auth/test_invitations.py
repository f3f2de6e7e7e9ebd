"""Invitations through a real SMTP server: the emailed link works once for 7 days, asks for a password, and
signs the person in; a resent, cancelled, expired or used link says so and whom to ask."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from pbportal.auth.invitations import (
    AlreadyHasAccount,
    InvitationState,
    cancel_invitation,
    invitation_status,
    invite_new,
    send_invitation,
    statuses,
)
from pbportal.auth.models import Role, User
from pbportal.auth.tokens import AccountToken
from pbportal.extensions import db
from pbportal.outbox import OutboxMessage, deliver_due
from pbportal.timeutil import utcnow

from ..support import audits, page_of, set_up_two_factor

PASSWORD_CHOSEN = "quiet harbour pencil meadow"


def invite(world, email="new.cm@example.org", name="Nia New"):
    user = invite_new(email, name, Role.CASE_MANAGER, world.council, world.admin, "Test Council")
    db.session.commit()
    return user


def link_from(mail, address, nth=-1) -> str:
    deliver_due()
    messages = mail.to(address)
    assert messages, f"nothing sent to {address}"
    message = messages[nth]
    assert message["Subject"] == "You are invited to join pbportal"
    found = re.search(r"^http://pbportal\.test(/invitation/[A-Za-z0-9_-]+)\s*$", message.get_content(), re.M)
    assert found, message.get_content()
    return found.group(1)


def join(client, link, password=PASSWORD_CHOSEN, confirm=None, **headers):
    return client.post(link, data={"password": password, "confirm": password if confirm is None else confirm},
                       headers=headers)


def test_an_invitation_is_emailed_and_joining_signs_the_person_in(client, mail, world):
    user = invite(world)
    assert user.joined_at is None and user.invited_by_id == world.admin.id
    deliver_due()
    (message,) = mail.to("new.cm@example.org")
    body = message.get_content()
    assert body.startswith("Hello Nia New,")
    assert "Pat Admin has invited you to pbportal, the personal budgets portal, to join Test Council." in body.replace(
        world.admin.name, "Pat Admin")
    expires = (utcnow() + timedelta(days=7)).strftime("%-d %B %Y")
    assert f"The link works once, until {expires}." in body
    link = link_from(mail, "new.cm@example.org")

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    text = page_of(page)
    assert "<h1 class=\"govuk-heading-l\">Join Test Council</h1>" in text
    assert "new.cm@example.org" in text and "Case manager at Test Council" in text and world.admin.name in text

    response = join(client, link)
    assert (response.status_code, response.location) == (303, "/")
    assert client.get("/caseload").location == "/your-account/two-factor"  # staff: a second factor first
    set_up_two_factor(client)
    assert client.get("/caseload").status_code == 200  # signed in as the new case manager
    db.session.expire_all()
    joined = db.session.get(User, user.id)
    assert joined.joined_at is not None and joined.check_password(PASSWORD_CHOSEN)
    assert [e.actor_id for e in audits("user.joined")] == [user.id]
    assert [e.actor_id for e in audits("user.invited")] == [world.admin.id]

    again = client.get(link)
    assert again.status_code == 410 and "You have joined already" in page_of(again)


def test_nobody_can_sign_in_to_an_invited_account_or_reset_its_password(client, mail, world):
    invite(world)
    response = client.post("/sign-in", data={"email": "new.cm@example.org", "password": ""})
    assert response.status_code == 200 and "Enter your password" in page_of(response)
    response = client.post("/sign-in", data={"email": "new.cm@example.org", "password": "anything at all"})
    assert "Enter a correct email address and password" in page_of(response)
    client.post("/password/forgotten", data={"email": "new.cm@example.org"})
    deliver_due()
    assert [m["Subject"] for m in mail.to("new.cm@example.org")] == ["You are invited to join pbportal"]


@pytest.mark.parametrize("password,confirm,message", [
    ("", "", "Enter a new password"),
    ("short", "short", "Password must be 12 characters or more"),
    (PASSWORD_CHOSEN, "something else entirely", "The passwords do not match"),
    ("nia new nia new", "nia new nia new", None),
])
def test_a_bad_password_is_explained_and_nothing_changes(client, mail, world, password, confirm, message):
    user = invite(world)
    link = link_from(mail, "new.cm@example.org")
    for headers in ({}, {"HX-Request": "true"}):
        response = join(client, link, password, confirm, **headers)
        assert response.status_code == 200
        text = page_of(response)
        assert "There is a problem" in text
        if message:
            assert message in text
    db.session.expire_all()
    assert db.session.get(User, user.id).joined_at is None
    assert client.get(link).status_code == 200  # the link still works


def test_a_resent_invitation_replaces_the_first_link(client, mail, world):
    user = invite(world)
    first = link_from(mail, "new.cm@example.org")
    send_invitation(user, world.admin, "Test Council")
    db.session.commit()
    second = link_from(mail, "new.cm@example.org")
    assert first != second
    dead = client.get(first)
    assert dead.status_code == 410
    text = page_of(dead)
    assert "This invitation has expired" in text and world.admin.name in text and world.admin.email in text
    assert join(client, second).status_code == 303
    assert [e.actor_id for e in audits("user.invitation_resent")] == [world.admin.id]


def test_a_cancelled_invitation_says_whom_to_ask_and_a_resend_opens_it_again(client, mail, world):
    user = invite(world)
    link = link_from(mail, "new.cm@example.org")
    cancel_invitation(user, world.admin)
    db.session.commit()
    assert invitation_status(user).state == InvitationState.CANCELLED
    response = join(client, link)
    assert response.status_code == 410 and "This invitation has expired" in page_of(response)
    assert db.session.get(User, user.id).joined_at is None

    send_invitation(user, world.admin, "Test Council")
    db.session.commit()
    assert invitation_status(user).state == InvitationState.INVITED
    assert join(client, link_from(mail, "new.cm@example.org")).status_code == 303


def test_an_expired_link_and_a_made_up_one(client, mail, world):
    user = invite(world)
    link = link_from(mail, "new.cm@example.org")
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert invitation_status(user).state == InvitationState.EXPIRED
    response = join(client, link)
    assert response.status_code == 410 and "This invitation has expired" in page_of(response)
    made_up = client.get("/invitation/not-a-real-token")
    assert made_up.status_code == 404 and "This link is not right" in page_of(made_up)


def test_an_address_with_an_account_gets_no_second_one(world):
    with pytest.raises(AlreadyHasAccount) as refused:
        invite_new(" Holder@Example.org ", "Someone", Role.CASE_MANAGER, world.council, world.admin, "Test Council")
    assert refused.value.user.id == world.holder.id
    assert db.session.scalar(select(OutboxMessage)) is None


def test_an_invitation_rolled_back_sends_nothing(mail, world):
    invite_new("gone@example.org", "Gone", Role.CASE_MANAGER, world.council, world.admin, "Test Council")
    db.session.rollback()
    deliver_due()
    assert mail.received == []
    assert db.session.scalar(select(User).where(User.email == "gone@example.org")) is None


def test_statuses_of_many_people_in_one_query(world):
    waiting = invite(world)
    expired = invite(world, "late@example.org", "Lou Late")
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == expired.id))
    token.expires_at = utcnow() - timedelta(days=1)
    gone = invite(world, "gone@example.org", "Gus Gone")
    cancel_invitation(gone, world.admin)
    db.session.commit()
    people = [world.case_manager, waiting, expired, gone]
    for person in people:
        db.session.refresh(person)  # loaded, as a list page has them
    queries = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = statuses(people)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(queries) == 1
    assert [found[p.id].state for p in people] == [InvitationState.JOINED, InvitationState.INVITED,
                                                  InvitationState.EXPIRED, InvitationState.CANCELLED]
    assert found[waiting.id].label.startswith("Invited, link expires ")
    assert found[world.case_manager.id].label == "Joined"
