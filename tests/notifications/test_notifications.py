"""Notifications: told once per occasion, by the channel each person chose; the list, opening, marking read, and
choices; nobody reaches another person's notifications."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from pbportal.auth.models import User
from pbportal.extensions import db
from pbportal.notifications.models import Channel, Kind, Notification, NotificationSetting
from pbportal.notifications.services import notify, send_digests, settings_for
from pbportal.outbox import OutboxMessage, deliver_due
from pbportal.timeutil import today

from ..conftest import EMAIL, login
from ..support import audits, page_of, signed_in


def tell(user, occasion="o1", title="Maria Santos’s DBS check runs out in 30 days", kind=Kind.PA_CHECK_EXPIRING,
         budget=None):
    found = notify(user, kind, occasion, title, f"/budgets/{budget.id if budget else 1}", budget.id if budget else None)
    db.session.commit()
    return found


def outbox_to(address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)).all()


def test_one_occasion_tells_a_person_once_and_emails_them_straight_away(world, mail):
    first = tell(world.holder, budget=world.dp)
    assert first is not None and first.channel == Channel.EMAIL
    assert tell(world.holder, budget=world.dp) is None  # the same occasion again: nothing new
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    deliver_due()
    (message,) = mail.to("holder@example.org")
    assert message["Subject"] == "Maria Santos’s DBS check runs out in 30 days"
    body = message.get_content()
    assert f"http://pbportal.test/budgets/{world.dp.id}" in body
    assert "http://pbportal.test/notifications/settings" in body


def test_a_digest_gathers_a_days_notifications_into_one_email(world, mail):
    db.session.add(NotificationSetting(user_id=world.holder.id, kind=Kind.PA_CHECK_EXPIRING, channel=Channel.DIGEST))
    db.session.commit()
    tell(world.holder, "a", "First thing", budget=world.dp)
    tell(world.holder, "b", "Second thing", budget=world.dp)
    assert outbox_to("holder@example.org") == []
    assert send_digests() == 1
    assert send_digests() == 0  # each notification goes in one digest only
    deliver_due()
    (message,) = mail.to("holder@example.org")
    assert message["Subject"] == "pbportal: 2 new things for you today"
    body = message.get_content()
    assert body.index("- First thing") < body.index("- Second thing")
    assert "/notifications/settings" in body  # every email says where to change these choices


def test_a_digest_leaves_out_a_budget_that_has_ended_since(world, mail):
    db.session.add(NotificationSetting(user_id=world.holder.id, kind=Kind.PA_CHECK_EXPIRING, channel=Channel.DIGEST))
    db.session.commit()
    tell(world.holder, "a", "About the ended budget", budget=world.dp)
    world.dp.ended_on = today()
    db.session.commit()
    assert send_digests() == 0
    assert outbox_to("holder@example.org") == []


def test_portal_only_sends_no_email(world, mail):
    db.session.add(NotificationSetting(user_id=world.holder.id, kind=Kind.PA_CHECK_EXPIRING, channel=Channel.PORTAL))
    db.session.commit()
    assert tell(world.holder, budget=world.dp).channel == Channel.PORTAL
    send_digests()
    assert outbox_to("holder@example.org") == []


def test_a_deactivated_person_or_one_not_yet_joined_is_told_nothing(world):
    world.holder.is_active_account = False
    db.session.commit()
    assert tell(world.holder, budget=world.dp) is None
    world.rep.joined_at = None
    db.session.commit()
    assert tell(world.rep, budget=world.dp) is None
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_header_counts_unread_and_the_list_shows_newest_first(app, world):
    tell(world.holder, "a", "Older news", budget=world.dp)
    tell(world.holder, "b", "Newer news", budget=world.dp)
    tell(world.other_holder, "c", "Someone else's news", budget=world.other_dp)
    client = signed_in(app, "holder")
    page = page_of(client.get(f"/budgets/{world.dp.id}"))
    assert re.search(r'Notifications <span class="pb-count">2<span class="govuk-visually-hidden"> unread</span>', page)
    listing = page_of(client.get("/notifications"))
    assert listing.index("Newer news") < listing.index("Older news")
    assert "Someone else" not in listing
    assert "2 unread." in listing


def test_opening_one_marks_it_read_and_goes_to_what_it_is_about(app, world):
    item = tell(world.holder, budget=world.dp)
    client = signed_in(app, "holder")
    response = client.get(f"/notifications/{item.id}")
    assert (response.status_code, response.location) == (303, f"/budgets/{world.dp.id}")
    db.session.expire_all()
    assert db.session.get(Notification, item.id).read_at is not None
    assert "pb-count" not in page_of(client.get("/notifications"))


@pytest.mark.parametrize("htmx", [False, True])
def test_mark_one_and_mark_all_read(app, world, htmx):
    one = tell(world.holder, "a", "First", budget=world.dp)
    tell(world.holder, "b", "Second", budget=world.dp)
    tell(world.holder, "c", "Third", budget=world.dp)
    client = signed_in(app, "holder")
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(f"/notifications/{one.id}/read", headers=headers)
    if htmx:
        text = page_of(response)
        assert response.status_code == 200 and text.startswith('<div id="pb-notification-list">')
        assert 'hx-swap-oob="true"' in text and '<span class="pb-count">2<' in text
    else:
        assert (response.status_code, response.location) == (303, "/notifications")
    response = client.post("/notifications/read", headers=headers)
    if not htmx:
        assert "All your notifications are marked as read." in page_of(client.get(response.location))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.read_at.is_(None))) == 0


@pytest.mark.parametrize("role", ["rep", "other_holder", "case_manager", "staff", "admin"])
def test_nobody_reaches_another_persons_notification(app, world, role):
    item = tell(world.holder, budget=world.dp)
    client = signed_in(app, role)
    assert client.get(f"/notifications/{item.id}").status_code == 404
    assert client.post(f"/notifications/{item.id}/read").status_code == 404
    client.post("/notifications/read")
    db.session.expire_all()
    assert db.session.get(Notification, item.id).read_at is None
    assert "Maria Santos" not in page_of(client.get("/notifications"))


def test_signed_out_people_are_sent_to_sign_in(client, world):
    for path in ("/notifications", "/notifications/settings", "/notifications/count"):
        assert client.get(path).status_code == 302


def test_choices_offer_the_kinds_for_the_role_and_are_saved(app, world):
    client = signed_in(app, "holder")
    page = page_of(client.get("/notifications/settings"))
    assert "Checks, training and insurance running out" in page
    assert "Reviews overdue" not in page  # a case manager's kind
    # A direct-payment holder keeps their own books and sends the returns: they choose how they hear of them.
    assert "Returns queried" in page and "Returns accepted" in page
    chosen = {kind.value: channel.value for kind, channel in settings_for(world.holder).items()}
    response = client.post("/notifications/settings", data=dict(chosen, pa_check_expiring="digest"))
    assert (response.status_code, response.location) == (303, "/notifications/settings")
    assert settings_for(db.session.get(User, world.holder.id))[Kind.PA_CHECK_EXPIRING] == Channel.DIGEST
    assert [e.data["changed"] for e in audits("user.notification_settings_changed")] == [
        {"pa_check_expiring": "digest"}]
    cm = signed_in(app, "case_manager")
    page = page_of(cm.get("/notifications/settings"))
    assert "Reviews overdue" in page and "Checks, training" not in page


@pytest.mark.parametrize("value", ["", "sms", "x" * 5000])
def test_a_bad_choice_is_explained_and_nothing_changes(app, world, value):
    client = signed_in(app, "holder")
    chosen = {kind.value: channel.value for kind, channel in settings_for(world.holder).items()}
    response = client.post("/notifications/settings", data=dict(chosen, pa_check_expiring=value))
    assert response.status_code == 200
    text = page_of(response)
    assert "There is a problem" in text
    assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


def test_the_count_fragment_for_htmx(app, world):
    tell(world.holder, budget=world.dp)
    client = signed_in(app, "holder")
    fragment = page_of(client.get("/notifications/count", headers={"HX-Request": "true"}))
    assert fragment.startswith('<a id="pb-notifications"') and '<span class="pb-count">1<' in fragment


def test_login_still_works_with_the_header(client, world):
    login(client, EMAIL["holder"])
    assert "Notifications" in page_of(client.get("/notifications"))
