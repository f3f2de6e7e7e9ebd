"""Employing PAs, 1. access: every employment and rates route answers each role as it should, with and
without htmx; signed-out people are sent to sign in; readers see no buttons to change anything."""
from __future__ import annotations

import pytest

from pbportal.employment.models import (
    Absence,
    DelegatedTask,
    Employer,
    EmploymentCheck,
    PayRecord,
    PersonalAssistant,
    Training,
)
from pbportal.employment.rates import StatutoryRate
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry

from ..conftest import DP_READERS, DP_WRITERS, EMAIL, MA_READERS, MA_WRITERS, ROLES, login
from .helpers import MA_PA, PA, count

OTHER_READERS = {"other_holder", "other_case_manager"}
ADMIN = {"admin"}


# A POST with deliberately invalid data: allowed users get the form again (200) and nothing is saved.
BAD_EMPLOYER = {"insurance_premium": "lots"}

# (method, path, who gets in, post data). Everyone allowed gets 200; everyone else 404.
ROUTES = [
    ("GET", "/budgets/{dp}/pas", DP_READERS, None),
    ("GET", "/budgets/{dp}/pas/new", DP_WRITERS, None),
    ("POST", "/budgets/{dp}/pas/new", DP_WRITERS, {}),
    ("GET", PA, DP_READERS, None),
    ("GET", PA + "/edit", DP_WRITERS, None),
    ("POST", PA + "/edit", DP_WRITERS, {}),
    ("GET", PA + "/end", DP_WRITERS, None),
    ("POST", PA + "/end", DP_WRITERS, {}),
    ("POST", PA + "/checks", DP_WRITERS, {}),
    ("POST", PA + "/training", DP_WRITERS, {}),
    ("POST", PA + "/tasks", DP_WRITERS, {}),
    ("POST", PA + "/absences", DP_WRITERS, {}),
    ("POST", PA + "/pay", DP_WRITERS, {}),
    ("GET", PA + "/pay/{pay}/void", DP_WRITERS, None),
    ("POST", PA + "/pay/{pay}/void", DP_WRITERS, {}),
    ("GET", PA + "/pay/{pay}/payslip", DP_READERS, None),
    ("GET", PA + "/payslips", DP_READERS, None),
    ("GET", PA + "/payslips?year=2025&download=1", DP_READERS, None),
    ("GET", PA + "/checks/{check}/remove", DP_WRITERS, None),
    ("POST", PA + "/checks/{check}/remove", DP_WRITERS, {}),  # no reason: asked for one
    ("GET", "/budgets/{dp}/pas/{se_pa}/remove", DP_WRITERS, None),
    ("POST", PA + "/remove", DP_WRITERS, {"reason": "Twice"}),  # pay recorded: told to end employment instead
    ("GET", "/budgets/{dp}/pas/employer", DP_WRITERS, None),
    ("POST", "/budgets/{dp}/pas/employer", DP_WRITERS, BAD_EMPLOYER),
    ("GET", "/budgets/{dp}/pas/import", DP_WRITERS, None),
    ("POST", "/budgets/{dp}/pas/import", DP_WRITERS, {}),
    # A managed account: its provider's staff run the money.
    ("GET", "/budgets/{ma}/pas", MA_READERS, None),
    ("GET", MA_PA, MA_READERS, None),
    ("GET", "/budgets/{ma}/pas/new", MA_WRITERS, None),
    ("POST", "/budgets/{ma}/pas/new", MA_WRITERS, {}),
    ("GET", MA_PA + "/edit", MA_WRITERS, None),
    ("GET", MA_PA + "/end", MA_WRITERS, None),
    ("POST", MA_PA + "/checks", MA_WRITERS, {}),
    ("POST", MA_PA + "/absences", MA_WRITERS, {}),
    ("POST", MA_PA + "/pay", MA_WRITERS, {}),
    ("GET", MA_PA + "/pay/{ma_pay}/void", MA_WRITERS, None),
    ("GET", "/budgets/{ma}/pas/employer", MA_WRITERS, None),
    ("POST", "/budgets/{ma}/pas/employer", MA_WRITERS, BAD_EMPLOYER),
    ("GET", "/budgets/{ma}/pas/import", MA_WRITERS, None),
    ("POST", "/budgets/{ma}/pas/import", MA_WRITERS, {}),
    ("GET", "/budgets/{other}/pas", OTHER_READERS, None),
    ("GET", "/budgets/{other}/pas/{other_pa}", OTHER_READERS, None),
    ("GET", "/budgets/{other}/pas/{other_pa}/edit", {"other_holder"}, None),
    # Another budget's PA or pay reached through a budget the user may see, or another PA's pay: 404.
    ("GET", "/budgets/{dp}/pas/{other_pa}", set(), None),
    ("GET", "/budgets/{dp}/pas/{ma_pa}", set(), None),
    ("GET", "/budgets/{ma}/pas/{pa}", set(), None),
    ("GET", "/budgets/{dp}/pas/{other_pa}/edit", set(), None),
    ("POST", "/budgets/{dp}/pas/{ma_pa}/edit", set(), {}),
    ("GET", "/budgets/{dp}/pas/{other_pa}/end", set(), None),
    ("POST", "/budgets/{dp}/pas/{other_pa}/checks", set(), {}),
    ("POST", "/budgets/{ma}/pas/{pa}/training", set(), {}),
    ("POST", "/budgets/{dp}/pas/{other_pa}/pay", set(), {}),
    ("GET", PA + "/pay/{pay2}/void", set(), None),
    ("POST", PA + "/pay/{pay2}/void", set(), {"reason": "not this PA's"}),
    ("GET", PA + "/pay/{other_pay}/void", set(), None),
    ("GET", "/budgets/{dp}/pas/{other_pa}/pay/{other_pay}/void", set(), None),
    ("GET", PA + "/pay/{ma_pay}/void", set(), None),
    ("GET", PA + "/pay/{pay2}/payslip", set(), None),
    ("GET", PA + "/pay/{other_pay}/payslip", set(), None),
    ("GET", "/budgets/{dp}/pas/{other_pa}/payslips", set(), None),
    ("GET", "/budgets/{dp}/pas/{se_pa}/payslips", set(), None),
    ("GET", MA_PA + "/pay/{ma_pay}/payslip", MA_READERS, None),
    # Self-employed PAs are paid on invoice (ordinary payments), not through pay records.
    ("POST", "/budgets/{dp}/pas/{se_pa}/pay", set(), {}),
    ("GET", "/budgets/{dp}/pas/{se_pa}", DP_READERS, None),
    # Removing another PA's check, or a check through another budget: 404.
    ("GET", PA + "/checks/{other_check}/remove", set(), None),
    ("POST", "/budgets/{dp}/pas/{pa2}/checks/{check}/remove", set(), {"reason": "Not theirs"}),
    ("GET", "/budgets/{dp}/pas/{other_pa}/checks/{other_check}/remove", set(), None),
    ("POST", "/budgets/{dp}/pas/{other_pa}/remove", set(), {"reason": "Not mine"}),
    ("GET", MA_PA + "/remove", MA_WRITERS, None),
    ("GET", "/budgets/999999/pas", set(), None),
    ("GET", "/budgets/{dp}/pas/999999", set(), None),
    # The statutory figures: administrators only.
    ("GET", "/admin/rates", ADMIN, None),
    ("GET", "/admin/rates/nlw_21_plus/new", ADMIN, None),
    ("POST", "/admin/rates/nlw_21_plus/new", ADMIN, {}),
    ("GET", "/admin/rates/{rate}/edit", ADMIN, None),
    ("POST", "/admin/rates/{rate}/edit", ADMIN, {}),
    ("GET", "/admin/rates/not_a_kind/new", set(), None),
    ("GET", "/admin/rates/999999/edit", set(), None),
]


@pytest.fixture(autouse=True)
def _checks_to_remove(request):
    """A check on the holder's PA and one on another budget's PA, for the remove routes."""
    if "emp" not in request.fixturenames:
        return
    emp, world = request.getfixturevalue("emp"), request.getfixturevalue("world")
    made = [EmploymentCheck(pa_id=pa.id, budget_id=pa.budget_id, kind="contract", checked_on=world.dp.plan_year_start,
                            evidence="Signed", created_by_id=world.holder.id) for pa in (emp.pa, emp.other_pa)]
    db.session.add_all(made)
    db.session.commit()
    emp.ids.update(check=made[0].id, other_check=made[1].id)


def _snapshot():
    db.session.expire_all()
    models = (PersonalAssistant, EmploymentCheck, Training, DelegatedTask, Absence, PayRecord, SpendingEntry,
              Employer, StatutoryRate)
    return tuple(count(model) for model in models) + (
        count(PayRecord, PayRecord.status == "voided"),
        count(PersonalAssistant, PersonalAssistant.end_date.is_not(None)))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_it_should(client, emp, role):
    """Each role against every route (one test per role keeps the suite quick: one world, one sign-in)."""
    login(client, EMAIL[role])
    before = _snapshot()
    wrong = []
    for method, path, allowed, data in ROUTES:
        url = path.format(**emp.ids)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=data)
        expected = 200 if role in allowed else 404
        if response.status_code != expected:
            wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert wrong == []
    assert _snapshot() == before  # nothing was saved by any of it


def test_route_table_covers_every_employment_and_rates_endpoint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith(("employment.", "rates."))}
    covered = set()
    adapter = app.url_map.bind("localhost")
    for method, path, _, _ in ROUTES:
        url = path.format(dp=1, ma=2, other=3, pa=4, pa2=5, other_pa=6, ma_pa=7, pay=8, pay2=9, other_pay=10,
                          ma_pay=11, rate=12, se_pa=13, check=14, other_check=15)
        try:
            covered.add(adapter.match(url.split("?")[0], method=method)[0])
        except Exception:  # not_a_kind and the like still match; anything else would be a typo in the table
            raise AssertionError(f"{method} {url} matches no route") from None
    assert endpoints <= covered, endpoints - covered


@pytest.mark.parametrize("hx", [False, True])
def test_htmx_section_posts_follow_the_same_rules(client, emp, hx):
    headers = {"HX-Request": "true"} if hx else {}
    login(client, "cm@example.org")
    assert client.post(PA.format(**emp.ids) + "/checks", data={}, headers=headers).status_code == 404
    client.post("/sign-out")
    login(client, "rep@example.org")
    response = client.post(PA.format(**emp.ids) + "/checks", data={}, headers=headers)
    assert response.status_code == 200 and ("<html" in response.get_data(as_text=True)) is not hx


SIGNED_OUT = [("GET", "/budgets/{dp}/pas"), ("GET", PA), ("GET", "/budgets/{dp}/pas/new"),
              ("POST", "/budgets/{dp}/pas/new"), ("GET", PA + "/edit"), ("GET", PA + "/end"),
              ("POST", PA + "/checks"), ("POST", PA + "/training"), ("POST", PA + "/tasks"),
              ("POST", PA + "/absences"), ("POST", PA + "/pay"), ("GET", PA + "/pay/{pay}/void"),
              ("GET", "/budgets/{dp}/pas/employer"), ("POST", "/budgets/{dp}/pas/import"),
              ("GET", "/admin/rates"), ("GET", "/admin/rates/nlw_21_plus/new"), ("POST", "/admin/rates/{rate}/edit")]


def test_signed_out_people_are_sent_to_sign_in(client, emp):
    before = _snapshot()
    for method, path in SIGNED_OUT:
        url = path.format(**emp.ids)
        response = client.get(url) if method == "GET" else client.post(url, data={"reason": "x"})
        assert response.status_code == 302 and response.location.startswith("/sign-in"), (method, url)
    assert _snapshot() == before


def test_readers_see_no_buttons_to_change_anything(client, emp):
    login(client, "cm@example.org")
    index = client.get("/budgets/{dp}/pas".format(**emp.ids)).get_data(as_text=True)
    assert "Pat Jones" in index and "Add a PA" not in index and "Import payroll CSV" not in index
    page = client.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "Pat Jones" in page and "Change Pat Jones" not in page and "Add a check" not in page
    assert "Record pay for a period" not in page and "/void" not in page
