"""Employing PAs, 4. warnings and the true cost: the cost panel, warnings on the budget, PA and caseload
pages, and pages that load in a fixed number of queries."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

import pytest

from pbportal.dates import plan_year_for
from pbportal.employment.models import AllowanceClaim, DelegatedTask
from pbportal.employment.rates import rates_on, tax_year_start
from pbportal.employment.services import employment_for
from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import login, make_line
from .helpers import PA, make_check, make_pa, make_pay, norm, section_of


def _expected_cost(weekly_pence: int, provided_pence: int, budget, pa) -> dict:
    """The true cost worked out here from the statutory figures, independently of costs.py: for each Friday (the
    usual pay day) of the plan year in force from the PA's start, NI and pension with that week's thresholds
    (NI rounds half a penny down, as HMRC does)."""
    def half_up(value: Decimal) -> int:
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    year = plan_year_for(budget.plan_year_start, today())
    day = max(year.start, pa.start_date)
    fridays = [day + timedelta(days=n) for n in range((year.end - day).days + 1)
               if (day + timedelta(days=n)).weekday() == 4]
    r = rates_on(today())
    annual = weekly_pence * len(fridays)
    holiday = half_up(weekly_pence * r["holiday_weeks"])
    pension = ni = 0
    for friday in fridays:
        week = rates_on(friday)
        if weekly_pence > week.pence("pension_trigger_weekly"):
            qualifying = min(weekly_pence, week.pence("pension_upper_weekly")) - week.pence("pension_lower_weekly")
            pension += half_up(qualifying * week["pension_employer_rate"] / 100)
        above = max(weekly_pence - week.pence("employer_ni_threshold_weekly"), 0)
        ni += int((above * week["employer_ni_rate"] / 100).quantize(Decimal(1), rounding=ROUND_HALF_DOWN))
    total = annual + holiday + pension + ni
    return {"wages": annual, "holiday": holiday, "pension": pension, "ni": ni, "total": total,
            "headroom": provided_pence - total}


def _money(pence: int) -> str:
    return f"£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def test_cost_panel_shows_the_true_cost_and_the_shortfall_or_headroom(client, world, rates):
    pa = make_pa(world.dp, "Pat Jones", world.lines["wages"], rates=(("day", 1300, "20"), ("night", 1400, "10")))
    db.session.commit()
    login(client, "rep@example.org")
    provided = world.lines["wages"].annual_pence  # the gym line does not pay for PAs
    assert provided == 1271 * 10 * 52
    want = _expected_cost(1300 * 20 + 1400 * 10, provided, world.dp, pa)
    assert want["headroom"] < 0
    cost = section_of(client.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True), "employment-cost")
    for label, key in (("Wages", "wages"), ("Holiday cover", "holiday"), ("Employer pension", "pension")):
        assert re.search(rf">{label}</dt><dd[^>]*>{re.escape(_money(want[key]))}</dd>", cost), (label, cost)
    assert f"<strong>{_money(want['total'])}</strong>" in cost
    assert f"{_money(provided)}" in cost and "Personal assistant wages" in cost and "Gym" not in cost
    assert re.search(rf">Shortfall</dt><dd[^>]*><strong class=\"pb-negative\">{re.escape(_money(want['headroom']))}"
                     r"</strong>", cost)
    assert "Employment Allowance not claimed" in cost
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert f"{_money(want['headroom'])} a year short of the true cost" in page
    # A line for HMRC big enough to cover it turns the shortfall into headroom.
    make_line(world.dp, "HMRC and pension", category="hmrc", unit="year", quantity="1", unit_cost_pence=2_000_000,
              frequency="yearly")
    db.session.commit()
    cost = section_of(client.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True), "employment-cost")
    headroom = provided + 2_000_000 - want["total"]
    assert headroom > 0
    assert re.search(rf">Headroom</dt><dd[^>]*><strong>{re.escape(_money(headroom))}</strong>", cost)
    assert "a year short" not in client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)


def test_a_claimed_employment_allowance_takes_off_the_employer_ni(client, world, rates):
    pa = make_pa(world.dp, "Pat Jones", world.lines["wages"], rates=(("day", 1300, "30"),))
    db.session.add(AllowanceClaim(budget_id=world.dp.id, tax_year_start=tax_year_start(today()), claimed=True))
    db.session.commit()
    login(client, "holder@example.org")
    want = _expected_cost(1300 * 30, 0, world.dp, pa)
    assert want["ni"] > 0
    cost = section_of(client.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True), "pa-cost")
    assert re.search(rf"before Employment Allowance <span[^>]*>\(15% of pay above the weekly threshold on \d+ of "
                     rf"\d+ pay days\)</span></dt><dd[^>]*>{re.escape(_money(want['ni']))}<", cost)
    assert re.search(r"after Employment Allowance</dt><dd[^>]*>£0.00<", cost)
    assert f"<strong>{_money(want['total'] - want['ni'])}</strong>" in cost


def test_warnings_on_the_budget_page_and_as_a_count_on_the_caseload(client, world, rates):
    pa = make_pa(world.dp, "Pat Jones", world.lines["wages"])
    db.session.commit()
    login(client, "holder@example.org")
    page = norm(client.get(f"/budgets/{world.dp.id}").get_data(as_text=True))
    warnings = page[page.index('id="budget-warnings"'):]
    warnings = warnings[:warnings.index("</ul>")]
    # No contract, no right to work check, no DBS check, no insurance, and the plan is short of the true cost.
    assert "5 things to check" in warnings
    for text in ("No written contract recorded for Pat Jones", "No right to work check recorded for Pat Jones",
                 "No DBS check recorded for Pat Jones", "No employer’s liability insurance recorded",
                 "a year short of the true cost"):
        assert text in warnings, text
    client.post("/sign-out")
    login(client, "cm@example.org")

    def caseload_count():
        row = client.get("/caseload").get_data(as_text=True)
        row = row[row.index(f'href="/budgets/{world.dp.id}"'):]
        row = row[:row.index("</tr>")]
        found = re.search(r'govuk-tag--red">(\d+)</strong>', row)
        return int(found.group(1)) if found else row

    assert caseload_count() == 5
    make_check(pa, "contract", world.holder)
    db.session.commit()
    assert caseload_count() == 4
    caseload = client.get("/caseload").get_data(as_text=True)
    ma_row = caseload[caseload.index(f'href="/budgets/{world.ma.id}"'):]
    assert ">None</td>" in ma_row[:ma_row.index("</tr>")]  # no PAs there, nothing to check


def test_each_kind_of_warning_shows_on_the_pa_page(client, world, rates):
    kinds = {
        "low_rate": "’s day rate of £5.00 an hour is below the National Living Wage",
        "expired_dbs": "’s DBS check (renewal date) expired on",
        "rtw_soon": "’s right to work expires on",
        "no_signoff": "’s delegated task ‘Suction’ has no competence sign-off",
        "relative": " is a relative: record the funder’s exception before paying them",
        "low_pay": "works out at £2.50 an hour for the hours awake and working, below the National Living Wage for a "
                   "pay period starting then",
    }
    pas = {}
    for setup in kinds:
        name = f"PA {setup.replace('_', ' ')}"
        pa = pas[setup] = make_pa(world.dp, name, world.lines["wages"],
                                  rates=(("day", 500 if setup == "low_rate" else 1300, "20"),),
                                  is_relative=setup == "relative")
        if setup == "expired_dbs":
            make_check(pa, "dbs", world.holder, today() - timedelta(days=400),
                       expires_on=today() - timedelta(days=1), dbs_level="enhanced")
        if setup == "rtw_soon":
            make_check(pa, "right_to_work", world.holder, today() - timedelta(days=400),
                       expires_on=today() + timedelta(days=10))
        if setup == "no_signoff":
            db.session.add(DelegatedTask(pa_id=pa.id, budget_id=world.dp.id, task="Suction",
                                         practitioner="Nurse Ng", practitioner_registration="NMC 1"))
        if setup == "low_pay":
            make_pay(pa, world.holder, today() - timedelta(days=40), hours="100", gross=25000, net=25000)
    db.session.commit()
    login(client, "holder@example.org")
    for setup, text in kinds.items():
        page = norm(client.get(f"/budgets/{world.dp.id}/pas/{pas[setup].id}").get_data(as_text=True))
        warnings = section_of(page, "pa-warnings").split('id="pa-cost"')[0]
        assert text in warnings, (setup, warnings)
        # A PA's page shows only that PA's warnings.
        assert [other for other, pa in pas.items() if other != setup and pa.name in warnings] == []


def test_a_pa_who_has_left_raises_no_warnings_and_no_cost(client, world, rates):
    make_pa(world.dp, "Pat Jones", world.lines["wages"], end_date=today() - timedelta(days=1), end_reason="Left")
    db.session.commit()
    login(client, "holder@example.org")
    page = client.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "Pat Jones" in page and "No written contract" not in page and "No PAs are working for you now" in page


def test_without_statutory_figures_the_cost_panel_says_so(client, world):
    make_pa(world.dp, "Pat Jones", world.lines["wages"])
    db.session.commit()
    login(client, "holder@example.org")
    r = client.get(f"/budgets/{world.dp.id}/pas")
    assert r.status_code == 200 and "No National Living Wage is recorded for" in r.get_data(as_text=True)


def test_pages_load_in_a_fixed_number_of_queries(client, emp, world, app):
    from sqlalchemy import event

    def queries(url):
        seen = []

        def on_execute(*args):
            seen.append(1)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return len(seen)

    login(client, "holder@example.org")
    index_before = queries(f"/budgets/{world.dp.id}/pas")
    show_before = queries(PA.format(**emp.ids))
    for n in range(6):
        pa = make_pa(world.dp, f"Extra {n}", world.lines["wages"])
        make_check(pa, "dbs", world.holder, dbs_level="basic")
        make_pay(pa, world.holder, today() - timedelta(days=40))
        make_pay(emp.pa, world.holder, today() - timedelta(days=40 + n))
    db.session.commit()
    assert queries(f"/budgets/{world.dp.id}/pas") == index_before
    assert queries(PA.format(**emp.ids)) == show_before


@pytest.mark.parametrize("level, fee", [("basic", 2150), ("standard", 2150), ("enhanced", 4950),
                                        ("enhanced_barred", 4950)])
def test_a_dbs_check_costs_the_fee_for_its_level(world, emp, level, fee):
    """Basic and standard checks are £21.50, enhanced £49.50 (domain brief); the Update Service is £16 a year."""
    pa = make_pa(world.dp, "Dee Bee", world.lines["wages"])
    make_check(pa, "dbs", world.holder, today(), dbs_level=level)
    db.session.commit()
    costs = employment_for(world.dp.id, today()).cost.on_costs
    assert costs["DBS checks and Update Service"] == fee
    make_check(pa, "dbs", world.holder, today(), dbs_level=level, dbs_update_service=True)
    db.session.commit()
    assert employment_for(world.dp.id, today()).cost.on_costs["DBS checks and Update Service"] == 2 * fee + 1600
