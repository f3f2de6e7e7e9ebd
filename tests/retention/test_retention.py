"""`flask retention`: lists, and only with --confirm removes, the personal data of budgets that ended more than
RETENTION_YEARS ago; money records stay whole, pay records keep their PA's name for 6 years after their tax year,
files go from the store, and each removal is audited. Running it again finds nothing."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func

from pbportal.audit import AuditEvent
from pbportal.budget.models import Budget, Representative
from pbportal.contingency.models import ContingencyPlan
from pbportal.employment.models import PersonalAssistant
from pbportal.extensions import db
from pbportal.spending.models import Receipt, SpendingEntry
from pbportal.timeutil import today

from ..conftest import EMAIL, login
from ..employment.helpers import make_pa, make_pay

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _years_ago(years: int, days: int = 0):
    day = today()
    return day.replace(year=day.year - years) - timedelta(days=days)


def _setup(app, client, world):
    # The holder's budget: a receipt, a representative, a contingency contact, and a PA last paid long ago.
    login(client, EMAIL["holder"])
    data = {"paid_on": [str(today().day), str(today().month), str(today().year)], "amount": "12.50",
            "payee": "Corner Shop", "line_id": str(world.lines["gym"].id), "note": "",
            "receipt": (io.BytesIO(PDF), "shop.pdf")}
    assert client.post(f"/budgets/{world.dp.id}/payments/new", data=data,
                       content_type="multipart/form-data").status_code == 303
    db.session.add(ContingencyPlan(budget_id=world.dp.id, last_resort_name="Aunt Jo", last_resort_phone="07700 900123",
                                   updated_by_id=world.holder.id))
    old_pa = make_pa(world.dp, "Pat Old", world.lines["wages"])
    make_pay(old_pa, world.holder, _years_ago(7, 60), paid_on=_years_ago(7, 30))
    recent_pa = make_pa(world.other_dp, "Robin Recent", world.lines["other"])
    make_pay(recent_pa, world.other_holder, _years_ago(6, 75), paid_on=_years_ago(6, 40))
    world.dp.ended_on, world.dp.end_reason = _years_ago(7), "moved"
    world.other_dp.ended_on, world.other_dp.end_reason = _years_ago(6, 30), "moved"
    world.ma.ended_on, world.ma.end_reason = _years_ago(1), "moved"  # not yet past retention
    db.session.commit()
    return old_pa, recent_pa


def _money():
    return db.session.query(func.count(SpendingEntry.id), func.sum(SpendingEntry.amount_pence)).one()


def test_it_lists_first_and_changes_nothing_without_confirm(app, client, world):
    _setup(app, client, world)
    money = _money()
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert f"Budget {world.dp.id} (Alex Holder)" in result.output
    assert f"Budget {world.other_dp.id} (Olive Other)" in result.output and "1 PA(s) kept for their pay records" in \
        result.output
    assert f"Budget {world.ma.id}" not in result.output and "Nothing was changed" in result.output
    db.session.expire_all()
    assert db.session.get(Budget, world.dp.id).person_name == "Alex Holder" and _money() == money


def test_confirmed_it_removes_personal_data_and_keeps_the_accounts(app, client, world):
    old_pa, recent_pa = _setup(app, client, world)
    receipt = db.session.query(Receipt).one()
    stored = Path(app.config["UPLOAD_DIR"]) / receipt.storage_key[:2] / receipt.storage_key
    assert stored.exists()
    money = _money()
    result = app.test_cli_runner().invoke(args=["retention", "--confirm"])
    assert result.exit_code == 0 and "Removed the personal data of 2 budget(s)." in result.output
    db.session.expire_all()
    dp = db.session.get(Budget, world.dp.id)
    assert dp.person_name == f"Person {dp.id}" and dp.ended_on == _years_ago(7)
    assert db.session.query(Representative).filter_by(budget_id=dp.id).count() == 0
    plan = db.session.query(ContingencyPlan).filter_by(budget_id=dp.id).one()
    assert (plan.last_resort_name, plan.last_resort_phone) == ("", "")
    assert not stored.exists() and db.session.get(Receipt, receipt.id).original_name == "removed"
    assert db.session.get(PersonalAssistant, old_pa.id).name == f"PA {old_pa.id}"
    assert db.session.get(PersonalAssistant, recent_pa.id).name == "Robin Recent"  # pay records within 6 years
    assert _money() == money  # money records are never removed
    assert db.session.get(Budget, world.ma.id).person_name == "Mo Managed"
    events = db.session.query(AuditEvent).filter_by(action="retention.removed").all()
    assert sorted(e.budget_id for e in events) == sorted([world.dp.id, world.other_dp.id])
    again = app.test_cli_runner().invoke(args=["retention", "--confirm"])
    assert "No budget ended more than 6 years ago still holds personal data." in again.output
