"""Refused access is written to the audit log: who asked, for what, where. The answer stays a plain 404."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pbportal.auth.sessions import UserSession
from pbportal.extensions import db

from ..support import audits, page_of, signed_in


def test_asking_for_another_persons_budget_is_refused_and_noted(app, world):
    client = signed_in(app, "other_holder")
    response = client.get(f"/budgets/{world.dp.id}/spending")
    assert response.status_code == 404 and world.dp.person_name not in page_of(response)
    (event,) = audits("access.refused")
    assert (event.actor_id, event.budget_id) == (world.other_holder.id, world.dp.id)
    assert event.data == {"object_type": "Budget", "object_id": world.dp.id, "path": f"/budgets/{world.dp.id}/spending",
                          "method": "GET"}


def test_a_record_of_another_budget_reached_through_ones_own_is_noted(app, world):
    client = signed_in(app, "holder")
    other_entry = world.entries["other"]
    assert client.get(f"/budgets/{world.dp.id}/spending/{other_entry.id}").status_code == 404
    (event,) = audits("access.refused")
    assert event.budget_id == world.other_dp.id and event.data["object_type"] == "SpendingEntry"


def test_an_action_the_role_may_not_take_is_noted(app, world):
    client = signed_in(app, "case_manager")
    assert client.post(f"/budgets/{world.dp.id}/payments/new", data={"amount": "5"}).status_code == 404
    assert [e.data["method"] for e in audits("access.refused")] == ["POST"]


def test_an_id_that_names_nothing_is_not_noted(app, world):
    client = signed_in(app, "holder")
    assert client.get("/budgets/987654/spending").status_code == 404
    assert audits("access.refused") == []
    db.session.rollback()


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize("who, method, path, what", [
    ("holder", "GET", "/organisations/new", "site administration"),
    ("case_manager", "POST", "/organisations/{council}", "site administration"),
    ("holder", "GET", "/caseload/new", "case manager pages"),
    ("staff", "POST", "/caseload/new", "case manager pages"),
    ("case_manager", "GET", "/organisation/people", "caseload assignment"),
    ("rep", "POST", "/organisation/people/hand-over", "caseload assignment"),
    ("holder", "GET", "/organisation/staff", "organisation staff pages"),
])
def test_a_page_for_another_role_is_refused_and_noted(app, world, who, method, path, what, hx):
    """Not only budgets: the site administrator's, an organisation admin's and a case manager's own pages answer
    404 to everyone else, with or without htmx, and each refusal is in the audit log."""
    client = signed_in(app, who)
    url = path.format(council=world.council.id)
    response = client.open(url, method=method, data={}, headers={"HX-Request": "true"} if hx else {})
    assert response.status_code == 404
    (event,) = audits("access.refused")
    assert event.actor_id == getattr(world, who).id and event.budget_id is None
    assert event.data == {"object_type": what, "object_id": None, "path": url, "method": method}


def test_signing_out_another_person_s_device_is_refused_and_noted(app, world):
    signed_in(app, "holder")
    theirs = db.session.scalar(select(UserSession.id).where(UserSession.user_id == world.holder.id))
    client = signed_in(app, "other_holder")
    page = client.get("/your-account/devices")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_of(page))
    response = client.post(f"/your-account/devices/{theirs}/sign-out",
                           data={"csrf_token": token.group(1) if token else ""})
    assert response.status_code == 404
    (event,) = audits("access.refused")
    assert event.actor_id == world.other_holder.id and event.data["object_type"] == "UserSession"
    assert event.data["object_id"] == theirs
