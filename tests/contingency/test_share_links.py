"""Share links to a contingency plan: what the link opens, how the token is kept, revoking and expiry."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.contingency.models import ShareLink
from pbportal.contingency.services import create_share_link
from pbportal.extensions import db
from pbportal.timeutil import utcnow

from ..conftest import login
from ..support import audits, page_of, signed_in
from .helpers import add_arrangement


def _create_link(client, budget_id, label="Sam (back-up PA)", days="30") -> str:
    response = client.post(f"/budgets/{budget_id}/contingency/share", data={"label": label, "days": days})
    page = page_of(response)
    assert response.status_code == 200 and f"Link for {label} created" in page, page[:500]
    found = re.search(r'value="http://localhost(/share/[^"]+)"', page)
    assert found, page
    return found.group(1)


def test_a_share_link_opens_the_contingency_page_and_nothing_else(app, client, world):
    add_arrangement(world.dp, "pa_sick", 9000, what_happens="Sam covers the morning calls")
    db.session.commit()
    login(client, "holder@example.org")
    path = _create_link(client, world.dp.id)

    anon = app.test_client()
    response = anon.get(path)
    page = page_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "If something goes wrong" in page and "Shared with Sam (back-up PA) by Alex Holder" in page
    assert "Sam covers the morning calls" in page and 'href="tel:07700900123"' in page
    # Nothing else of the budget: no links into it, no money, no editing, no share list.
    assert "/budgets/" not in page and "Money held" not in page and "£120.00" not in page
    assert "Add an arrangement" not in page and "Turn off" not in page and "Sign out" not in page
    for other in (f"/budgets/{world.dp.id}", f"/budgets/{world.dp.id}/spending",
                  f"/budgets/{world.dp.id}/contingency", f"/budgets/{world.dp.id}/reviews"):
        blocked = anon.get(other)
        assert blocked.status_code == 302 and blocked.location.startswith("/sign-in"), other

    anon.get(path)
    db.session.expire_all()
    link = db.session.query(ShareLink).one()
    assert link.times_opened == 2 and link.last_opened_at is not None
    assert abs((link.expires_at - (utcnow() + timedelta(days=30))).total_seconds()) < 120
    opened = audits("share_link.opened")
    assert len(opened) == 2
    assert all(e.actor_id is None and e.budget_id == world.dp.id and e.object_id == link.id for e in opened)
    created = audits("share_link.created")
    assert len(created) == 1 and created[0].actor_id == world.holder.id and created[0].data["label"] == link.label
    owner_view = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "Sam (back-up PA)</strong>" in owner_view and "Opened 2 times" in owner_view


def test_the_token_is_not_stored_only_its_hash(app, client, world):
    login(client, "rep@example.org")
    token = _create_link(client, world.dp.id, label="Pat").rsplit("/", 1)[1]
    assert len(token) >= 40
    link = db.session.query(ShareLink).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.created_by_id == world.rep.id
    stored = [str(getattr(link, column.key)) for column in ShareLink.__table__.columns]
    assert not any(token in value for value in stored)
    for event in db.session.query(AuditEvent).all():
        assert token not in json.dumps(event.data)
    # The page that listed it afterwards does not show it again either.
    assert token not in page_of(client.get(f"/budgets/{world.dp.id}/contingency"))


def test_a_revoked_link_stops_working(app, client, world):
    link, token = create_share_link(world.dp.id, "Sam", 30, world.holder)
    db.session.commit()
    anon = app.test_client()
    assert anon.get(f"/share/{token}").status_code == 200
    login(client, "rep@example.org")
    response = client.post(f"/budgets/{world.dp.id}/contingency/share/{link.id}/revoke")
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/contingency#share"
    page = page_of(client.get(response.location.split("#")[0]))
    assert "The link for Sam no longer works." in page and "turned off" in page
    assert anon.get(f"/share/{token}").status_code == 404
    db.session.expire_all()
    link = db.session.get(ShareLink, link.id)
    assert link.revoked_at is not None and link.revoked_by_id == world.rep.id and link.times_opened == 1
    revoked = audits("share_link.revoked")
    assert len(revoked) == 1 and revoked[0].actor_id == world.rep.id and revoked[0].object_id == link.id
    assert len(audits("share_link.opened")) == 1


def test_an_expired_link_stops_working(app, client, world):
    link, token = create_share_link(world.dp.id, "Sam", 1, world.holder)
    db.session.commit()
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get(f"/share/{token}").status_code == 404
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).times_opened == 0
    assert audits("share_link.opened") == []
    login(client, "holder@example.org")
    page = page_of(client.get(f"/budgets/{world.dp.id}/contingency"))
    assert "expired" in page and "Turn off" not in page


def test_unknown_and_overlong_tokens_are_not_found(app, world):
    link, token = create_share_link(world.dp.id, "Sam", 30, world.holder)
    db.session.commit()
    anon = app.test_client()
    for bad in ("nope", token[:-1], token + "x", "a" * 100, "a" * 101, "a" * 5000, link.token_hash):
        assert anon.get(f"/share/{bad}").status_code == 404, bad
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).times_opened == 0
    assert audits("share_link.opened") == []


@pytest.mark.parametrize("label, days, message", [
    ("", "30", "Enter who the link is for"),
    ("Sam", "", "Enter how many days the link should work"),
    ("Sam", "366", "Enter a number of days from 1 to 365"),
    ("Sam", "-2", "Enter a number of days from 1 to 365"),
])
def test_bad_share_link_input(client, world, label, days, message):
    login(client, "holder@example.org")
    page = page_of(client.post(f"/budgets/{world.dp.id}/contingency/share", data={"label": label, "days": days}))
    assert "There is a problem" in page and message in page
    assert db.session.query(ShareLink).count() == 0


def test_only_the_holder_and_representative_see_the_share_section(app, world):
    holder_page = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/contingency"))
    assert "Share this page" in holder_page and "Create a link" in holder_page
    cm_page = page_of(signed_in(app, "case_manager").get(f"/budgets/{world.dp.id}/contingency"))
    assert "Share this page" not in cm_page and "Add an arrangement" in cm_page
    staff_page = page_of(signed_in(app, "staff").get(f"/budgets/{world.ma.id}/contingency"))
    assert "Share this page" not in staff_page and "Add an arrangement" not in staff_page
    assert "Add a risk" not in staff_page
