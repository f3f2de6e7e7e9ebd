"""Two requests changing one payment at once (real concurrent requests on PostgreSQL): one wins, the other changes
nothing and is told so; the payment never counts twice and the audit log has exactly what happened."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from pbportal.audit import AuditEvent
from pbportal.extensions import db
from pbportal.spending import views as spending_views
from pbportal.spending.models import SpendingEntry

from ..conftest import EMAIL, login
from ..support import parts

pytestmark = pytest.mark.real_commits


def _both_at_once(app, monkeypatch, name, requests):
    """Run the requests in two threads; each reaches the change only when both have read the payment."""
    both_read = threading.Barrier(2, timeout=20)
    original = getattr(spending_views, name)

    def after_both_read(*args, **kwargs):
        both_read.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(spending_views, name, after_both_read)

    def send(request):
        client = app.test_client()
        login(client, EMAIL["holder"])
        return request(client)

    with ThreadPoolExecutor(2) as pool:
        return [f.result(timeout=60) for f in [pool.submit(send, r) for r in requests]]


def _events(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_two_voids_at_once_void_once(request, app, world, monkeypatch):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    entry_id = world.entries["dp"].id
    url = f"/budgets/{world.dp.id}/spending/{entry_id}/void"
    answers = _both_at_once(app, monkeypatch, "void_payment", [
        lambda c: c.post(url, data={"reason": "Recorded twice"}), lambda c: c.post(url, data={"reason": "Wrong"})])
    assert sorted(a.status_code for a in answers) == [303, 409]
    lost = next(a for a in answers if a.status_code == 409)
    assert "Someone else changed this first" in lost.get_data(as_text=True)
    (event,) = _events("spending.voided")
    entry = db.session.get(SpendingEntry, entry_id)
    assert entry.status == "voided" and entry.change_reason == event.data["reason"]


def test_two_corrections_at_once_leave_one_replacement(request, app, world, monkeypatch):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    entry = world.entries["dp"]
    url = f"/budgets/{world.dp.id}/spending/{entry.id}/correct"
    paid_on, line_id = parts(world.dp.plan_year_start), str(world.lines["wages"].id)
    dp_id, entry_id = world.dp.id, entry.id

    def correct(amount):
        return lambda c: c.post(url, data={"paid_on": paid_on, "amount": amount, "payee": "Maria Santos",
                                           "line_id": line_id, "note": "", "reason": f"Amount was {amount}"})

    answers = _both_at_once(app, monkeypatch, "correct_payment", [correct("130"), correct("140")])
    assert sorted(a.status_code for a in answers) == [303, 409]
    db.session.expire_all()
    replacements = db.session.scalar(select(func.count()).select_from(SpendingEntry)
                                     .where(SpendingEntry.corrects_id == entry_id))
    assert replacements == 1 and len(_events("spending.corrected")) == 1
    active = db.session.scalar(select(func.count()).select_from(SpendingEntry).where(
        SpendingEntry.budget_id == dp_id, SpendingEntry.status == "active"))
    assert active == 1  # the replacement only: the payment counts once
