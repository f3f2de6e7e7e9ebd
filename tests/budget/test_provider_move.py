"""A managed account moving to another provider: the person loses nothing, the new provider carries on the whole
history (read-only before its first day), and the old provider keeps reading what it did, and nothing after."""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbportal.budget import caseload
from pbportal.budget.models import Budget, ProviderHandover
from pbportal.extensions import db
from pbportal.outbox import deliver_due
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import login, make_entry
from ..support import audits, long_date, page_of, parts, signed_in


def move_form(world, **overrides):
    data = {"provider": str(world.other_provider.id), "moves_on": parts(today() - timedelta(days=10)),
            "reason": "Mo chose a provider nearer home"}
    data.update(overrides)
    return data


def moved(world, days_ago=10):
    """The account moved (by the case manager) to the other provider `days_ago` days ago; the handover."""
    handover = caseload.move_provider(world.ma, world.other_provider, today() - timedelta(days=days_ago),
                                      "Mo chose a provider nearer home", world.case_manager)
    db.session.commit()
    return handover


def test_a_case_manager_moves_an_account_and_the_person_loses_nothing(app, world, mail):
    cm = signed_in(app, "case_manager")
    assert "Move the account to another provider" in page_of(cm.get(f"/budgets/{world.ma.id}"))
    form = page_of(cm.get(f"/budgets/{world.ma.id}/provider/move"))
    assert "Test Managed Accounts holds the account now" in form
    assert f'<option value="{world.other_provider.id}">Other Managed Accounts</option>' in form
    assert f'<option value="{world.provider_org.id}"' not in form  # not to the provider it is with
    first_day = today() - timedelta(days=10)
    response = cm.post(f"/budgets/{world.ma.id}/provider/move", data=move_form(world))
    assert response.status_code == 303
    assert (f"Mo Managed’s account moves from Test Managed Accounts to Other Managed Accounts from "
            f"{long_date(first_day)}") in page_of(cm.get(response.location))

    db.session.expire_all()
    budget = db.session.get(Budget, world.ma.id)
    assert (budget.provider_id, budget.provider_accepted_at, budget.ended_on) == (world.other_provider.id, None, None)
    handover = db.session.scalar(select(ProviderHandover))
    assert (handover.from_provider_id, handover.to_provider_id) == (world.provider_org.id, world.other_provider.id)
    assert (handover.held_from, handover.held_until) == (budget.plan_year_start, first_day - timedelta(days=1))
    assert [e.data["reason"] for e in audits("budget.provider_moved")] == ["Mo chose a provider nearer home"]
    deliver_due()
    assert mail.to("otherstaff@example.org")[-1]["Subject"] == "Mo Managed's managed account is moving to you"
    assert mail.to("staff@example.org")[-1]["Subject"] == \
        "Mo Managed's managed account has moved to Other Managed Accounts"
    told = mail.to("ma@example.org")[-1]
    assert told["Subject"] == "Your managed account is moving to Other Managed Accounts"
    assert "Nothing is lost" in told.get_content()

    # The new provider accepts it and sees the whole history.
    new = signed_in(app, "other_staff")
    assert "Mo Managed" in page_of(new.get("/accounts"))
    assert new.post(f"/budgets/{world.ma.id}/provider/accept").status_code == 303
    old_entry = world.entries["ma"]
    shown = new.get(f"/budgets/{world.ma.id}/spending/{old_entry.id}")
    assert shown.status_code == 200 and "Agency Ltd" in page_of(shown)
    # The person sees it all too, under the new provider's name.
    holder_page = page_of(signed_in(app, "ma_holder").get(f"/budgets/{world.ma.id}"))
    assert "held by Other Managed Accounts" in holder_page and "Agency Ltd" in holder_page
    assert db.session.scalar(select(func.count()).select_from(SpendingEntry)
                             .where(SpendingEntry.budget_id == world.ma.id)) == 1


def test_the_old_providers_time_is_closed_to_changes_by_anyone(app, world):
    moved(world)
    new = signed_in(app, "other_staff")
    old_entry = world.entries["ma"]
    refused = new.post(f"/budgets/{world.ma.id}/spending/{old_entry.id}/void", data={"reason": "Not ours"})
    assert refused.status_code == 409
    assert "Test Managed Accounts held this account until" in page_of(refused)
    db.session.expire_all()
    assert db.session.get(SpendingEntry, old_entry.id).status == "active"

    line = str(world.lines["ma"].id)
    before = {"paid_on": parts(today() - timedelta(days=11)), "amount": "20", "payee": "Backdated Ltd",
              "line_id": line, "note": "", "idempotency_key": "k-before"}
    response = new.post(f"/budgets/{world.ma.id}/payments/new", data=before)
    assert response.status_code == 200
    assert "Test Managed Accounts held this account until" in page_of(response)
    on_the_day = dict(before, paid_on=parts(today() - timedelta(days=10)), payee="First Day Ltd",
                      idempotency_key="k-day")
    assert new.post(f"/budgets/{world.ma.id}/payments/new", data=on_the_day).status_code == 303
    payees = set(db.session.scalars(select(SpendingEntry.payee).where(SpendingEntry.budget_id == world.ma.id)))
    assert payees == {"Agency Ltd", "First Day Ltd"}


def test_the_old_provider_reads_and_downloads_its_own_time_and_nothing_after(app, world):
    moved(world)
    make_entry(world.ma, world.lines["ma"], 4400, paid_on=today(), payee="Newco Care", by=world.other_staff)
    db.session.commit()
    old = signed_in(app, "staff")
    for path in (f"/budgets/{world.ma.id}", f"/budgets/{world.ma.id}/spending",
                 f"/budgets/{world.ma.id}/spending/{world.entries['ma'].id}"):
        assert old.get(path).status_code == 404, path
    assert "Mo Managed" not in page_of(old.get("/accounts"))
    listing = page_of(old.get("/accounts/former"))
    assert "Mo Managed" in listing and "moved to Other Managed Accounts" in listing
    assert f"Held {long_date(world.ma.plan_year_start)} to {long_date(today() - timedelta(days=11))}" in listing
    page = page_of(old.get(f"/budgets/{world.ma.id}/held-before"))
    assert "Agency Ltd" in page and "£70.00" in page
    assert "Newco Care" not in page and "£44.00" not in page
    assert "Mo chose a provider nearer home" in page
    download = old.get(f"/budgets/{world.ma.id}/held-before.csv")
    assert download.status_code == 200 and download.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Record", "Date", "Paid to or from"]
    assert [row[2] for row in rows[1:] if row[0] == "Payment"] == ["Agency Ltd"]
    assert len(audits("former.downloaded")) == 1
    # Its staff cannot change anything on it either.
    assert old.post(f"/budgets/{world.ma.id}/spending/{world.entries['ma'].id}/void",
                    data={"reason": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["holder", "rep", "ma_holder", "case_manager", "other_staff", "admin"])
def test_only_the_provider_moved_from_reaches_its_time(app, world, who):
    moved(world)
    client = signed_in(app, who)
    assert client.get(f"/budgets/{world.ma.id}/held-before").status_code == 404
    assert client.get(f"/budgets/{world.ma.id}/held-before.csv").status_code == 404
    former = client.get("/accounts/former")
    if who == "other_staff":
        assert "No account has moved from you" in page_of(former)
    else:
        assert former.status_code == 404


def test_a_provider_never_moved_from_finds_nothing_of_another_budget(app, world):
    moved(world)
    old = signed_in(app, "staff")
    assert old.get(f"/budgets/{world.dp.id}/held-before").status_code == 404
    assert old.get(f"/budgets/{world.other_dp.id}/held-before.csv").status_code == 404


@pytest.mark.parametrize("who", ["holder", "ma_holder", "staff", "other_staff", "other_case_manager", "admin"])
def test_only_the_case_manager_moves_an_account(app, world, who):
    client = signed_in(app, who)
    assert client.get(f"/budgets/{world.ma.id}/provider/move").status_code == 404
    assert client.post(f"/budgets/{world.ma.id}/provider/move", data=move_form(world)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProviderHandover)) == 0


def test_a_direct_payment_cannot_be_moved(app, world):
    cm = signed_in(app, "case_manager")
    assert "Move the account to another provider" not in page_of(cm.get(f"/budgets/{world.dp.id}"))
    assert cm.post(f"/budgets/{world.dp.id}/provider/move", data=move_form(world)).status_code == 404


@pytest.mark.parametrize("overrides, message", [
    ({"provider": ""}, "Choose the provider taking the account on"),
    ({"provider": "provider_org"}, "Choose a provider from the list"),
    ({"provider": "999999"}, "Choose a provider from the list"),
    ({"moves_on": parts(today() + timedelta(days=1))}, "cannot be in the future"),
    ({"moves_on": ["1", "1", "2001"]}, "The date must be after"),
    ({"moves_on": ["31", "2", "2026"]}, "must be a real date"),
    ({"reason": "  "}, "Enter why the account is moving"),
])
def test_moving_with_a_mistake_says_so_and_changes_nothing(app, world, overrides, message):
    if overrides.get("provider") == "provider_org":
        overrides = {"provider": str(world.provider_org.id)}
    cm = signed_in(app, "case_manager")
    response = cm.post(f"/budgets/{world.ma.id}/provider/move", data=move_form(world, **overrides))
    assert response.status_code == 200 and message in page_of(response)
    assert "govuk-error-summary" in page_of(response)
    db.session.expire_all()
    assert db.session.get(Budget, world.ma.id).provider_id == world.provider_org.id
    assert db.session.scalar(select(func.count()).select_from(ProviderHandover)) == 0


def test_a_second_move_starts_where_the_first_ended(app, world):
    first = moved(world, days_ago=20)
    world.ma.provider_accepted_at = first.created_at
    db.session.commit()
    second = caseload.move_provider(world.ma, world.provider_org, today() - timedelta(days=5), "Back again",
                                    world.case_manager)
    db.session.commit()
    assert second.held_from == first.moves_on
    with pytest.raises(caseload.CaseloadError, match="has not taken on the account yet"):
        caseload.move_provider(world.ma, world.other_provider, today(), "Again", world.case_manager)
    db.session.rollback()
    # Both stretches show to the provider that held it twice, each only its own.
    page = page_of(signed_in(app, "other_staff").get(f"/budgets/{world.ma.id}/held-before"))
    assert f"held it from {long_date(first.moves_on)} to {long_date(second.held_until)}" in page


@pytest.mark.real_commits
def test_two_moves_at_once_move_the_account_once(request, app, world):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite in memory has one connection)")
    start = threading.Barrier(2, timeout=20)
    path, form = f"/budgets/{world.ma.id}/provider/move", move_form(world)  # read here, not in the threads

    def move(reason):
        client = app.test_client()
        login(client, "cm@example.org")
        start.wait()
        return client.post(path, data=dict(form, reason=reason)).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(f.result(timeout=60) for f in [pool.submit(move, "First"), pool.submit(move, "Second")])
    assert codes[0] in (200, 303), codes
    assert len(audits("budget.provider_moved")) == 1, codes
    assert db.session.scalar(select(func.count()).select_from(ProviderHandover)) == 1


@pytest.mark.parametrize("page", ["-5", "0", "99999", "abc", "1e40"])
def test_the_old_providers_pages_take_any_page_number(app, world, page):
    moved(world)
    old = signed_in(app, "staff")
    for path in (f"/budgets/{world.ma.id}/held-before", "/accounts/former"):
        answer = old.get(path, query_string={"page": page})
        assert answer.status_code == 200 and "Mo Managed" in page_of(answer), path
