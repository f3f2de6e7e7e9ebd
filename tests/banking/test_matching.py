"""Matching managed accounts' statement lines to the plan: who may, bad input, htmx or not, stale pages,
closed periods, learned rules, undo."""
from __future__ import annotations

import re

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking.models import MatchRule, StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry

from ..conftest import EMAIL, ROLES, login
from .helpers import actions, fresh, made_from, second_account, title, url

HX = {"HX-Request": "true"}
STALE = "Someone else changed this line"


# ---- who may ------------------------------------------------------------------------------------


@pytest.fixture
def ids(world, acct):
    ma2, other = second_account(world)
    db.session.commit()
    return {"ma": world.ma.id, "dp": world.dp.id, "ma2": ma2.id, "other": other.id,
            **{key: line.id for key, line in acct.items()}}


# (method, path, who gets in, status for them, htmx?). Empty POSTs: allowed people see why (or are sent back).
ROUTES = [
    ("GET", "/budgets/{ma}/matching", {"staff"}, 200, False),
    ("GET", "/budgets/{ma}/matching?show=all&page=2", {"staff"}, 200, True),
    ("POST", "/budgets/{ma}/matching/{shop}/accept", {"staff"}, 303, False),  # no version: stale
    ("POST", "/budgets/{ma}/matching/{home1}/match", {"staff"}, 200, False),
    ("POST", "/budgets/{ma}/matching/{council}/match", {"staff"}, 200, True),
    ("GET", "/budgets/{ma}/matching/{home1}/split", {"staff"}, 200, False),
    ("POST", "/budgets/{ma}/matching/{home1}/split", {"staff"}, 200, False),
    ("GET", "/budgets/{ma}/matching/{home1}/set-aside", {"staff"}, 200, True),
    ("POST", "/budgets/{ma}/matching/{home1}/set-aside", {"staff"}, 200, False),
    ("GET", "/budgets/{ma}/matching/{home1}/undo", {"staff"}, 200, False),
    ("POST", "/budgets/{ma}/matching/{home1}/undo", {"staff"}, 200, False),
    ("POST", "/budgets/{ma}/matching/accept", {"staff"}, 303, False),
    ("GET", "/budgets/{ma2}/matching", {"staff"}, 200, False),
    # A direct payment's own account: its holder and a representative who may record spending match it. A
    # managed account's line through the direct payment's address: 404 for everyone.
    ("GET", "/budgets/{dp}/matching", {"holder", "rep"}, 200, False),
    ("POST", "/budgets/{dp}/matching/{home1}/match", set(), 200, False),
    ("GET", "/budgets/{dp}/matching/{home1}/split", set(), 200, False),
    ("POST", "/budgets/{dp}/matching/accept", {"holder", "rep"}, 303, False),
    # Another account's line through this account's URL: 404 for everyone.
    ("POST", "/budgets/{ma}/matching/{other}/accept", set(), 200, False),
    ("POST", "/budgets/{ma}/matching/{other}/match", set(), 200, False),
    ("GET", "/budgets/{ma}/matching/{other}/split", set(), 200, False),
    ("POST", "/budgets/{ma}/matching/{other}/set-aside", set(), 200, False),
    ("POST", "/budgets/{ma}/matching/{other}/undo", set(), 200, False),
    ("GET", "/budgets/{ma2}/matching/{home1}/undo", set(), 200, False),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, allowed, status, hx", ROUTES,
                         ids=[f"{m} {p}{' hx' if h else ''}" for m, p, _, _, h in ROUTES])
def test_route_access(client, ids, role, method, path, allowed, status, hx):
    login(client, EMAIL[role])
    before = len(actions())
    headers = HX if hx else {}
    target = path.format(**ids)
    response = client.get(target, headers=headers) if method == "GET" else client.post(target, data={},
                                                                                        headers=headers)
    assert response.status_code == (status if role in allowed else 404), response.get_data(as_text=True)[:300]
    assert len(actions()) == before  # nothing was saved


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_a_proper_match_by_anyone_else_is_refused(client, world, acct, role):
    login(client, EMAIL[role])
    home1 = acct["home1"]
    r = client.post(url(world, home1, "match"), data={"version": 1, "target": str(world.lines["ma"].id)})
    assert r.status_code == 404
    r = client.post(url(world, acct["agency"], "accept"), data={"version": 1})
    assert r.status_code == 404
    r = client.post(url(world) + "/accept", data={"line": [f"{acct['agency'].id}:1"]})
    assert r.status_code == 404
    assert fresh(StatementLine, home1.id).status == "unmatched" and made_from(home1) == []
    assert fresh(SpendingEntry, world.entries["ma"].id).statement_line_id is None


# ---- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, target, message", [
    ("home1", "", "Select the budget line this payment was for"),
    ("home1", "wages", "Select the budget line this payment was for"),  # a line of someone else's plan
    ("home1", "999999", "Select the budget line this payment was for"),
    ("council", "", "Select where the money came from"),
    ("council", "lottery", "Select where the money came from"),
])
def test_match_without_a_proper_target_says_so(staff, world, acct, key, target, message):
    line = acct[key]
    target = str(world.lines[target].id) if target in world.lines else target
    r = staff.post(url(world, line, "match"), data={"version": 1, "target": target})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and message in body
    assert "<html" in body and title(body).startswith("Error:")
    assert fresh(StatementLine, line.id).status == "unmatched"
    assert made_from(line) == [] and db.session.query(MoneyIn).count() == 0 and actions() == []


@pytest.mark.parametrize("lines, amounts, message", [
    (["ma", "fees"], ["40", "5"], "The parts add up to £45.00: they must add up to £44.00"),
    (["ma", "fees"], ["abc", "4"], "Part 1: Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    (["ma", "fees"], ["48", "-4"], "Part 2: Amount must be more than £0"),
    (["ma", "fees"], ["0", "44"], "Part 1: Amount must be more than £0"),
    (["ma", "fees"], ["44.001", "0"], "Part 1: Amount must not have more than 2 decimal places"),
    (["ma", ""], ["44", ""], "Enter at least two parts, or match the whole payment to one line"),
    (["ma"], ["44"], "Enter at least two parts, or match the whole payment to one line"),
    (["ma", ""], ["40", "4"], "Select the budget line for part 2"),
    (["wages", "fees"], ["40", "4"], "Select the budget line for part 1"),
])
def test_a_split_that_does_not_work_says_why(staff, world, acct, lines, amounts, message):
    shop = acct["shop"]
    r = staff.post(url(world, shop, "split"), data={
        "version": 1, "part_line": [str(world.lines[k].id) if k else "" for k in lines], "part_amount": amounts})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and message in body and title(body).startswith("Error:")
    assert 'name="part_amount"' in body  # the split form again, with what was typed
    assert fresh(StatementLine, shop.id).status == "unmatched" and made_from(shop) == [] and actions() == []


def test_a_good_split_records_each_part_and_teaches_no_rule(staff, world, acct):
    shop = acct["shop"]
    r = staff.post(url(world, shop, "split"), data={
        "version": 1, "part_line": [str(world.lines["ma"].id), str(world.lines["fees"].id)],
        "part_amount": ["40", "4"], "payee": "Corner Shop"})
    assert r.status_code == 303
    entries = sorted(made_from(shop), key=lambda e: e.amount_pence)
    assert [(e.amount_pence, e.line_id, e.payee, e.paid_on) for e in entries] == [
        (400, world.lines["fees"].id, "Corner Shop", shop.line_date),
        (4000, world.lines["ma"].id, "Corner Shop", shop.line_date)]
    assert "split across 2 budget lines" in staff.get(r.location).get_data(as_text=True)
    assert db.session.query(MatchRule).count() == 0
    event = db.session.query(AuditEvent).filter_by(action="statement_line.matched").one()
    assert event.object_id == shop.id and sorted(p["amount_pence"] for p in event.data["parts"]) == [400, 4000]


@pytest.mark.parametrize("action", ["set-aside", "undo"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_set_aside_and_undo_need_a_reason(staff, world, acct, action, reason):
    line = acct["home1"]
    if action == "undo":
        staff.post(url(world, line, "set-aside"), data={"version": 1, "reason": "A transfer"})
    status = fresh(StatementLine, line.id).status
    done = actions()
    r = staff.post(url(world, line, action), data={"version": fresh(StatementLine, line.id).version,
                                                    "reason": reason})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Enter a reason" in body and title(body).startswith("Error:")
    assert fresh(StatementLine, line.id).status == status and actions() == done


def test_set_aside_keeps_why_and_undo_puts_it_back(staff, world, acct):
    line = acct["home1"]
    r = staff.post(url(world, line, "set-aside"), data={"version": 1, "reason": "Transfer between accounts"})
    assert r.status_code == 303
    line = fresh(StatementLine, line.id)
    assert (line.status, line.note, line.changed_by_id) == ("ignored", "Transfer between accounts", world.staff.id)
    page = staff.get(url(world) + "?show=all").get_data(as_text=True)
    assert "Set aside: Transfer between accounts" in page
    r = staff.post(url(world, line, "undo"), data={"version": line.version, "reason": "It was care after all"})
    assert r.status_code == 303 and fresh(StatementLine, line.id).status == "unmatched"
    assert actions() == ["statement_line.set_aside", "statement_line.unmatched"]
    assert db.session.query(AuditEvent).filter_by(action="statement_line.set_aside").one().data["reason"] == \
        "Transfer between accounts"


def test_accepting_where_there_is_no_suggestion(staff, world, acct):
    r = staff.post(url(world, acct["shop"], "accept"), data={"version": 1})
    assert "There is no suggestion for this line: choose a budget line" in r.get_data(as_text=True)
    assert made_from(acct["shop"]) == [] and actions() == []


def test_bulk_accept_needs_a_choice_and_is_all_or_nothing(staff, world, acct):
    r = staff.post(url(world) + "/accept", data={})
    assert "Select the suggestions to accept." in staff.get(r.location).get_data(as_text=True)
    staff.post(url(world, acct["council"], "set-aside"), data={"version": 1, "reason": "Refund to the council"})
    r = staff.post(url(world) + "/accept", data={"line": [f"{acct['agency'].id}:1", f"{acct['council'].id}:1"]})
    page = staff.get(r.location).get_data(as_text=True)
    assert "Nothing was matched." in page
    assert fresh(SpendingEntry, world.entries["ma"].id).statement_line_id is None  # the first was rolled back
    assert fresh(StatementLine, acct["agency"].id).status == "unmatched"
    r = staff.post(url(world) + "/accept?every=1", data={"every": [f"{acct['agency'].id}:1"], "line": ["x"]})
    assert "1 suggestion accepted." in staff.get(r.location).get_data(as_text=True)
    assert fresh(SpendingEntry, world.entries["ma"].id).statement_line_id == acct["agency"].id


# ---- htmx or a full page --------------------------------------------------------------------------

def test_htmx_gets_the_row_and_the_totals_others_a_redirect_or_the_line_page(staff, world, acct):
    home1, home2 = acct["home1"], acct["home2"]
    target = str(world.lines["ma"].id)
    r = staff.post(url(world, home1, "match"), data={"version": 1, "target": target}, headers=HX)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body
    assert f'id="match-{home1.id}"' in body and "HOMECARE PARTNERS LTD REF 1 matched to Agency care." in body
    totals = re.search(r'<div id="match-totals"[^>]*>', body).group(0)
    assert 'hx-swap-oob="true"' in totals
    assert re.search(r"<dt>To match</dt><dd>4</dd>", body) and re.search(r"<dt>Matched</dt><dd>1</dd>", body)

    r = staff.post(url(world, home2, "match"), data={"version": 1, "target": target})
    assert r.status_code == 303 and r.location == url(world)
    assert "HOMECARE PARTNERS LTD REF 2 matched to Agency care." in staff.get(r.location).get_data(as_text=True)

    shop = acct["shop"]
    r = staff.post(url(world, shop, "match"), data={"version": 1, "target": ""}, headers=HX)
    body = r.get_data(as_text=True)
    assert "<html" not in body and "Select the budget line this payment was for" in body
    assert title(body).startswith("Error:") and 'id="match-totals"' in body
    r = staff.post(url(world, shop, "match"), data={"version": 1, "target": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" in body and title(body).startswith("Error:")
    assert "Match a statement line" in body and body.count('class="pb-match"') == 1  # just this line
    # The list itself: htmx gets only the list.
    listing = staff.get(url(world), headers=HX).get_data(as_text=True)
    assert "<html" not in listing and 'id="match-list"' in listing and "MIXED SHOP" in listing


# ---- stale pages ----------------------------------------------------------------------------------

def test_a_stale_version_changes_nothing_and_says_so(staff, world, acct):
    home1 = acct["home1"]
    staff.post(url(world, home1, "set-aside"), data={"version": 1, "reason": "Transfer"})  # now version 2
    done = actions()
    for action, data in [("match", {"target": str(world.lines["ma"].id)}), ("split", {
            "part_line": [str(world.lines["ma"].id), str(world.lines["fees"].id)], "part_amount": ["300", "43"]}),
            ("set-aside", {"reason": "Again"})]:
        r = staff.post(url(world, home1, action), data={"version": 1, **data})
        assert r.status_code == 303, action
        assert STALE in staff.get(r.location).get_data(as_text=True), action
        body = staff.post(url(world, home1, action), data={"version": 1, **data}, headers=HX).get_data(as_text=True)
        assert STALE in body and "<html" not in body, action
    r = staff.post(url(world, home1, "undo"), data={"version": 1, "reason": "Mistake"})
    assert STALE in staff.get(r.location).get_data(as_text=True)
    line = fresh(StatementLine, home1.id)
    assert (line.status, line.note, line.version) == ("ignored", "Transfer", 2)
    assert made_from(home1) == [] and actions() == done


def test_accepting_a_line_someone_else_matched_is_stale(staff, world, acct):
    agency = acct["agency"]
    assert staff.post(url(world, agency, "accept"), data={"version": 1}).status_code == 303
    r = staff.post(url(world, agency, "accept"), data={"version": 1})
    assert STALE in staff.get(r.location).get_data(as_text=True)
    assert actions() == ["statement_line.linked"]


def test_after_accepting_with_htmx_everything_that_counts_lines_agrees(staff, world, acct):
    """The totals said "0 to match" while the sentence above the list and the bulk buttons still said there was a
    line to match: now the sentence and the bulk form come out-of-band with the totals."""
    page = staff.get(url(world)).get_data(as_text=True)
    assert "5 lines to match." in page
    suggested = int(re.search(r"(\d+) lines? on this page (?:have|has) a suggestion", page).group(1))
    agency = acct["agency"]  # suggested: the payment recorded already
    on_screen = {**HX, "HX-Current-URL": f"http://localhost{url(world)}"}
    answer = staff.post(url(world, agency, "accept"), data={"version": agency.version}, headers=on_screen)
    body = answer.get_data(as_text=True)
    summary = body[body.index('<div id="match-summary" hx-swap-oob="true"'):]
    assert "4 lines to match." in summary
    left = suggested - 1
    if left:
        assert f"{left} line{'s' if left != 1 else ''} on this page" in summary
        assert f'value="{agency.id}:' not in summary  # the accepted line is out of the bulk form
    else:
        assert "Accept every suggestion" not in summary
    assert '<div id="match-totals" class="pb-summary" hx-swap-oob="true">' in body
    # From anywhere else (or a mangled header) only the row and the totals come back.
    home1 = acct["home1"]
    for current in ("http://localhost/somewhere", "http://[::1", ""):
        other = staff.post(url(world, home1, "set-aside"), data={"version": fresh(StatementLine, home1.id).version,
                                                                  "reason": "Test"},
                           headers={**HX, "HX-Current-URL": current})
        assert other.status_code == 200 and 'id="match-summary"' not in other.get_data(as_text=True)
