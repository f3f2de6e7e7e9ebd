"""Who can open what: every route, every role. Anything not theirs answers 404, never 403."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.spending.receipts import CheckedReceipt
from pbportal.spending.services import save_receipt
from pbportal.timeutil import today

from ..conftest import DP_READERS, DP_WRITERS, EMAIL, MA_READERS, MA_WRITERS, ROLES, login

LINE_EDITORS = {"holder", "rep", "case_manager"}
MA_LINE_EDITORS = {"ma_holder", "case_manager"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def ids(world, app):
    receipt = save_receipt(world.dp.id, CheckedReceipt(_png(), "image/png", "r.png"), world.holder,
                           app.config["UPLOAD_DIR"])
    ma_receipt = save_receipt(world.ma.id, CheckedReceipt(_png(), "image/png", "m.png"), world.staff,
                              app.config["UPLOAD_DIR"])
    world.entries["dp"].receipt = receipt
    money_in = MoneyIn(budget_id=world.dp.id, received_on=world.dp.plan_year_start, amount_pence=50000,
                       source="funder")
    ma_money_in = MoneyIn(budget_id=world.ma.id, received_on=world.ma.plan_year_start, amount_pence=60000,
                          source="funder")
    db.session.add_all([money_in, ma_money_in])
    db.session.commit()
    return {
        "dp": world.dp.id, "ma": world.ma.id, "other": world.other_dp.id,
        "entry": world.entries["dp"].id, "ma_entry": world.entries["ma"].id,
        "other_entry": world.entries["other"].id,
        "line": world.lines["wages"].id, "ma_line": world.lines["ma"].id, "other_line": world.lines["other"].id,
        "receipt": receipt.id, "ma_receipt": ma_receipt.id,
        "money_in": money_in.id, "ma_money_in": ma_money_in.id,
    }


# (method, path, who gets in, status for them, htmx?)
ROUTES = [
    ("GET", "/budgets/{dp}", DP_READERS, 200, False),
    ("GET", "/budgets/{dp}/spending", DP_READERS, 200, False),
    ("GET", "/budgets/{dp}/spending?line={line}", DP_READERS, 200, True),
    ("GET", "/budgets/{dp}/spending/{entry}", DP_READERS, 200, False),
    ("GET", "/budgets/{dp}/receipts/{receipt}", DP_READERS, 200, False),
    ("GET", "/budgets/{dp}/payments/new", DP_WRITERS, 200, False),
    ("POST", "/budgets/{dp}/payments/new", DP_WRITERS, 200, True),
    ("GET", "/budgets/{dp}/spending/{entry}/correct", DP_WRITERS, 200, False),
    ("GET", "/budgets/{dp}/spending/{entry}/void", DP_WRITERS, 200, False),
    ("POST", "/budgets/{dp}/spending/{entry}/void", DP_WRITERS, 200, False),
    ("GET", "/budgets/{dp}/lines/new", LINE_EDITORS, 200, False),
    ("GET", "/budgets/{dp}/lines/{line}/edit", LINE_EDITORS, 200, False),
    ("POST", "/budgets/{dp}/lines/{line}/edit", LINE_EDITORS, 200, False),
    ("GET", "/budgets/{dp}/money-in", DP_READERS, 200, False),
    ("GET", "/budgets/{dp}/money-in/new", DP_WRITERS, 200, False),
    ("POST", "/budgets/{dp}/money-in/new", DP_WRITERS, 200, False),
    ("GET", "/budgets/{dp}/money-in/{money_in}/void", DP_WRITERS, 200, False),
    ("POST", "/budgets/{dp}/money-in/{money_in}/void", DP_WRITERS, 200, False),
    ("GET", "/budgets/{dp}/money-in/{ma_money_in}/void", set(), 200, False),
    ("GET", "/budgets/{ma}/money-in", MA_READERS, 200, False),
    ("GET", "/budgets/{ma}/money-in/new", MA_WRITERS, 200, False),
    ("GET", "/budgets/{ma}", MA_READERS, 200, False),
    ("GET", "/budgets/{ma}/spending", MA_READERS, 200, True),
    ("GET", "/budgets/{ma}/spending/{ma_entry}", MA_READERS, 200, False),
    ("GET", "/budgets/{ma}/receipts/{ma_receipt}", MA_READERS, 200, False),
    ("GET", "/budgets/{ma}/payments/new", MA_WRITERS, 200, False),
    ("POST", "/budgets/{ma}/payments/new", MA_WRITERS, 200, True),
    ("GET", "/budgets/{ma}/spending/{ma_entry}/void", MA_WRITERS, 200, False),
    ("GET", "/budgets/{ma}/lines/{ma_line}/edit", MA_LINE_EDITORS, 200, False),
    # Objects of another budget reached through a budget the user may see: always 404.
    ("GET", "/budgets/{dp}/spending/{other_entry}", set(), 200, False),
    ("GET", "/budgets/{dp}/spending/{ma_entry}/void", set(), 200, False),
    ("GET", "/budgets/{dp}/receipts/{ma_receipt}", set(), 200, False),
    ("GET", "/budgets/{dp}/lines/{other_line}/edit", set(), 200, False),
    ("GET", "/budgets/{other}", {"other_holder", "other_case_manager"}, 200, False),
    ("GET", "/budgets/{other}/spending", {"other_holder", "other_case_manager"}, 200, True),
    ("GET", "/budgets/999999", set(), 200, False),
    # Homes
    ("GET", "/accounts", {"staff", "other_staff"}, 200, False),
    ("GET", "/accounts?q=Mo", {"staff", "other_staff"}, 200, True),
    ("GET", "/caseload", {"case_manager", "other_case_manager"}, 200, False),
    ("GET", "/budgets", {"holder", "rep", "other_holder", "ma_holder"}, 200, False),
    ("GET", "/admin", {"admin"}, 200, False),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, allowed, status, hx", ROUTES,
                         ids=[f"{m} {p}{' hx' if h else ''}" for m, p, _, _, h in ROUTES])
def test_route_access(client, ids, role, method, path, allowed, status, hx):
    login(client, EMAIL[role])
    url = path.format(**ids)
    headers = {"HX-Request": "true"} if hx else {}
    if method == "GET":
        response = client.get(url, headers=headers)
    else:
        # A deliberately invalid submission: allowed users see the form again with errors (200),
        # nothing is saved, and everyone else gets 404 before any validation.
        response = client.post(url, data={}, headers=headers)
    if role in allowed:
        assert response.status_code == status, response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == 404


ANON_PATHS = ["/", "/budgets/{dp}", "/budgets/{dp}/spending", "/budgets/{dp}/receipts/{receipt}",
              "/budgets/{dp}/payments/new", "/budgets/{dp}/spending/{entry}/void", "/accounts", "/caseload",
              "/admin", "/budgets/{dp}/lines/new"]


@pytest.mark.parametrize("path", ANON_PATHS)
def test_signed_out_people_are_sent_to_sign_in(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_anonymous_post_is_refused(client, ids):
    response = client.post(f"/budgets/{ids['dp']}/payments/new", data={"amount": "5"})
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_nothing_is_saved_by_someone_without_access(client, world, ids):
    from pbportal.spending.models import SpendingEntry

    login(client, "other@example.org")
    before = db.session.query(SpendingEntry).count()
    day = today()
    response = client.post(f"/budgets/{ids['dp']}/payments/new", data={
        "paid_on": [str(day.day), str(day.month), str(day.year)], "amount": "10", "payee": "Me",
        "line_id": str(ids["line"])})
    assert response.status_code == 404
    response = client.post(f"/budgets/{ids['dp']}/spending/{ids['entry']}/void", data={"reason": "mine now"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.query(SpendingEntry).count() == before
    assert db.session.get(SpendingEntry, ids["entry"]).status == "active"


def test_line_from_another_budget_is_refused(client, world, ids):
    login(client, "holder@example.org")
    day = today()
    response = client.post(f"/budgets/{ids['dp']}/payments/new", data={
        "paid_on": [str(day.day), str(day.month), str(day.year)], "amount": "10", "payee": "Shop",
        "line_id": str(ids["other_line"])})
    assert response.status_code == 200
    assert "Select the budget line this payment is for" in response.get_data(as_text=True)


@pytest.mark.parametrize("role, target", [
    ("holder", "/budgets/{dp}"), ("rep", "/budgets/{dp}"), ("ma_holder", "/budgets/{ma}"),
    ("staff", "/accounts"), ("case_manager", "/caseload"), ("admin", "/admin"),
])
def test_each_role_lands_on_its_home(client, ids, role, target):
    response = login(client, EMAIL[role])
    assert response.location == "/"
    home = client.get("/")
    assert home.location == target.format(**ids)


def test_lists_show_only_what_the_user_may_see(client, world):
    login(client, "staff@example.org")
    page = client.get("/accounts").get_data(as_text=True)
    assert "Mo Managed" in page and "Alex Holder" not in page and "Olive Other" not in page
    client.post("/sign-out")
    login(client, "otherstaff@example.org")
    page = client.get("/accounts").get_data(as_text=True)
    assert "Mo Managed" not in page and "0 people" in page
    client.post("/sign-out")
    login(client, "cm@example.org")
    page = client.get("/caseload").get_data(as_text=True)
    assert "Alex Holder" in page and "Mo Managed" in page and "Olive Other" not in page
