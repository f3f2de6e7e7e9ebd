"""Refused access is written to the audit log: who asked, for what, where. The answer stays a plain 404."""
from __future__ import annotations

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
