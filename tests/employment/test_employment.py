"""Employing PAs: who may see and change what, records and their sections with and without htmx, pay and the
payments it makes, payroll import, warnings, the true cost and the statutory figures behind it."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from pbportal.audit import AuditEvent
from pbportal.budget.models import Budget
from pbportal.budget.services import budget_figures, current_plan, plan_lines
from pbportal.employment.models import (
    Absence,
    AllowanceClaim,
    DelegatedTask,
    Employer,
    EmploymentCheck,
    PayRate,
    PayRecord,
    PayRecordEntry,
    PersonalAssistant,
    Training,
)
from pbportal.employment.rates import StatutoryRate, rates_on, seed_statutory_rates, tax_year_start
from pbportal.employment.services import employment_lines, record_pay
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import DP_READERS, DP_WRITERS, EMAIL, MA_READERS, MA_WRITERS, ROLES, login, make_line

# ---- factories and helpers ---------------------------------------------------------------------------


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def make_pa(budget, name="Pat Jones", line=None, *, rates=(("day", 1300, "20"),), start=None, **values):
    pa = PersonalAssistant(budget_id=budget.id, name=name, start_date=start or budget.plan_year_start,
                           line_id=line.id if line else None, **values)
    db.session.add(pa)
    db.session.flush()
    for kind, pence, hours in rates:
        pa.rates.append(PayRate(budget_id=budget.id, kind=kind, hourly_pence=pence, hours_per_week=Decimal(hours)))
    pa.hours_per_week = sum((Decimal(h) for _, _, h in rates), Decimal(0))
    db.session.flush()
    return pa


def make_pay(pa, actor, period_start, *, days=27, hours="80", gross=100000, net=80000, employer_ni=0,
             employee_pension=0, employer_pension=0, paid_on=None):
    budget = db.session.get(Budget, pa.budget_id)
    lines = {"wages": pa.line, **employment_lines(plan_lines(current_plan(budget)))}
    return record_pay(pa, {
        "period_start": period_start, "period_end": period_start + timedelta(days=days), "hours": Decimal(hours),
        "gross_pence": gross, "net_pence": net, "employer_ni_pence": employer_ni,
        "employee_pension_pence": employee_pension, "employer_pension_pence": employer_pension,
        "paid_on": paid_on or today(),
    }, lines, actor)


def make_check(pa, kind, by, checked_on=None, **values):
    check = EmploymentCheck(pa_id=pa.id, budget_id=pa.budget_id, kind=kind, checked_on=checked_on or today(),
                            evidence="Seen", created_by_id=by.id, **values)
    db.session.add(check)
    db.session.flush()
    return check


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def spent(budget_id: int) -> int:
    db.session.expire_all()
    return budget_figures(db.session.get(Budget, budget_id), today()).spent_pence


def section_of(page: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its (non-nested) section or div."""
    start = page.index(f'id="{element_id}"')
    ends = [i for i in (page.find("</section>", start), page.find("</dl>", start)) if i != -1]
    return page[start:min(ends)] if ends else page[start:]


def norm(html: str) -> str:
    """Apostrophes as the page may spell them (' escaped as &#39;, or a typographic ’) all as ’."""
    return html.replace("&#39;", "’").replace("'", "’")


def assert_error(page: str, message: str, times: int = 2):
    """The GOV.UK error summary is there and the message shows in it and by the field."""
    page, message = norm(page), norm(message)
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert "govuk-error-message" in page
    assert page.count(message) == times, (message, re.findall(r'govuk-error-message">(.*?)</', page, re.S))


def payroll_csv(rows, header=("PA", "Period start", "Period end", "Hours", "Gross pay", "Employer NI",
                              "Employee pension", "Employer pension", "Net pay", "Date paid")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row])
    return out.getvalue().encode("utf-8")


def prefixed(section: str, data: dict) -> dict:
    """The PA page's forms may name their fields with a prefix ("pay-gross") to keep five forms' ids apart;
    send both spellings so the tests hold either way (a form ignores names it does not own)."""
    return {**data, **{f"{section}-{key}": value for key, value in data.items()}}


def post_pa(client, emp, section: str, data: dict, **kwargs):
    return client.post(PA.format(**emp.ids) + f"/{section}", data=prefixed(section, data), **kwargs)


def upload(client, budget_id, content: bytes, name="payroll.csv"):
    return client.post(f"/budgets/{budget_id}/pas/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


# ---- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def rates(app):
    seed_statutory_rates()
    db.session.commit()


@pytest.fixture
def emp(world, rates):
    """PAs on every budget, with HMRC and pension lines on the holder's plan and a pay record each."""
    w = world
    w.lines["hmrc"] = make_line(w.dp, "HMRC", category="hmrc", unit="month", quantity="1", unit_cost_pence=20000,
                                frequency="monthly")
    w.lines["pension"] = make_line(w.dp, "Pension", category="pension", unit="month", quantity="1",
                                   unit_cost_pence=5000, frequency="monthly")
    pa = make_pa(w.dp, "Pat Jones", w.lines["wages"])
    pa2 = make_pa(w.dp, "Sam Second", w.lines["wages"], rates=(("day", 1350, "10"),))
    other_pa = make_pa(w.other_dp, "Olly Other", w.lines["other"])
    ma_pa = make_pa(w.ma, "Mia Managed", w.lines["ma"])
    se_pa = make_pa(w.dp, "Sol Trader", w.lines["wages"], employment_type="self_employed")
    first = today() - timedelta(days=100)
    pay = make_pay(pa, w.holder, first)
    pay2 = make_pay(pa2, w.holder, first)
    other_pay = make_pay(other_pa, w.other_holder, first)
    ma_pay = make_pay(ma_pa, w.staff, first)
    db.session.commit()
    rate = db.session.scalar(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus").limit(1))
    return SimpleNamespace(pa=pa, pa2=pa2, other_pa=other_pa, ma_pa=ma_pa, pay=pay, pay2=pay2, other_pay=other_pay,
                           ma_pay=ma_pay, rate=rate, ids={
                               "dp": w.dp.id, "ma": w.ma.id, "other": w.other_dp.id, "pa": pa.id, "pa2": pa2.id,
                               "other_pa": other_pa.id, "ma_pa": ma_pa.id, "pay": pay.id, "pay2": pay2.id,
                               "other_pay": other_pay.id, "ma_pay": ma_pay.id, "rate": rate.id, "se_pa": se_pa.id})


@pytest.fixture
def holder(client, world):
    login(client, "holder@example.org")
    return client


# ---- 1. access -----------------------------------------------------------------------------------------

OTHER_READERS = {"other_holder", "other_case_manager"}
ADMIN = {"admin"}
PA = "/budgets/{dp}/pas/{pa}"
MA_PA = "/budgets/{ma}/pas/{ma_pa}"
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
    # Self-employed PAs are paid on invoice (ordinary payments), not through pay records.
    ("POST", "/budgets/{dp}/pas/{se_pa}/pay", set(), {}),
    ("GET", "/budgets/{dp}/pas/{se_pa}", DP_READERS, None),
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
                          ma_pay=11, rate=12, se_pa=13)
        try:
            covered.add(adapter.match(url, method=method)[0])
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


# ---- 2. happy paths ------------------------------------------------------------------------------------


def pa_form(world, **overrides):
    data = {"name": "Jo Bloggs", "phone": "07700 900123", "email": "",
            "start_date": parts(world.dp.plan_year_start + timedelta(days=3)), "employment_type": "employed",
            "day_rate": "13.00", "day_hours": "20", "night_rate": "14.50", "night_hours": "10",
            "weekend_rate": "", "weekend_hours": "", "line_id": str(world.lines["wages"].id)}
    data.update(overrides)
    return data


def test_add_a_pa_with_day_and_night_rates(holder, world, rates):
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world))
    assert r.status_code == 303
    pa = db.session.scalar(select(PersonalAssistant).where(PersonalAssistant.name == "Jo Bloggs"))
    assert r.location == f"/budgets/{world.dp.id}/pas/{pa.id}"
    assert pa.budget_id == world.dp.id and pa.line_id == world.lines["wages"].id and pa.employment_type == "employed"
    assert pa.start_date == world.dp.plan_year_start + timedelta(days=3) and pa.phone == "07700 900123"
    assert pa.hours_per_week == Decimal("30")
    assert sorted((r.kind, r.hourly_pence, r.hours_per_week, r.budget_id) for r in pa.rates) == [
        ("day", 1300, Decimal("20"), world.dp.id), ("night", 1450, Decimal("10"), world.dp.id)]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Jo Bloggs’s details saved." in page
    assert "Day: £13.00 an hour, 20 hours a week" in page and "Night: £14.50 an hour, 10 hours a week" in page
    assert "Personal assistant wages" in page  # paid from
    event = events("pa.added")[0]
    assert event.object_id == pa.id and event.actor_id == world.holder.id and event.budget_id == world.dp.id
    assert event.data["rates"] == [["day", 1300, "20"], ["night", 1450, "10"]]
    listing = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "Jo Bloggs" in listing and "Day £13.00 × 20h" in listing and "Night £14.50 × 10h" in listing


def test_a_pa_with_an_email_address_is_saved(holder, world, rates):
    """PAForm.email uses wtforms' Email(), which needs the email_validator package."""
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, email="jo@example.org"))
    assert r.status_code == 303
    assert db.session.scalars(select(PersonalAssistant)).one().email == "jo@example.org"


def test_edit_changes_the_rates_and_audits_the_changes(holder, emp, world):
    url = PA.format(**emp.ids) + "/edit"
    form = holder.get(url).get_data(as_text=True)
    assert 'value="Pat Jones"' in form and 'value="13.00"' in form and 'value="20"' in form
    data = pa_form(world, name="Pat Jones", start_date=parts(emp.pa.start_date), day_rate="13.50",
                   day_hours="25", phone="", email="")
    r = holder.post(url, data=data)
    assert r.status_code == 303 and r.location == PA.format(**emp.ids)
    db.session.expire_all()
    rows = db.session.scalars(select(PayRate).where(PayRate.pa_id == emp.pa.id).order_by(PayRate.kind)).all()
    assert [(r.kind, r.hourly_pence, r.hours_per_week) for r in rows] == [
        ("day", 1350, Decimal("25")), ("night", 1450, Decimal("10"))]
    assert db.session.get(PersonalAssistant, emp.pa.id).hours_per_week == Decimal("35")
    event = events("pa.changed")[-1]
    assert event.object_id == emp.pa.id and event.actor_id == world.holder.id
    before, after = event.data["changes"]["rates"]
    assert ["day", 1300] == before[0][:2] and after == [["day", 1350, "25"], ["night", 1450, "10"]]
    assert "name" not in event.data["changes"]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Day: £13.50 an hour, 25 hours a week" in page and "£13.00" not in section_of(page, "pa-cost")


def test_saving_unchanged_details_records_no_changes(holder, emp, world):
    """The audit should not claim the rates changed when the same figures were saved again."""
    data = pa_form(world, name="Pat Jones", start_date=parts(emp.pa.start_date), day_rate="13.00",
                   day_hours="20", night_rate="", night_hours="", phone="", email="")
    assert holder.post(PA.format(**emp.ids) + "/edit", data=data).status_code == 303
    assert events("pa.changed")[-1].data["changes"] == {}


def test_end_employment_keeps_the_records(holder, emp, world):
    url = PA.format(**emp.ids) + "/end"
    last_day = today() - timedelta(days=1)
    r = holder.post(url, data={"end_date": parts(last_day), "reason": "Moved away"})
    assert r.status_code == 303 and r.location == PA.format(**emp.ids)
    db.session.expire_all()
    pa = db.session.get(PersonalAssistant, emp.pa.id)
    assert pa.end_date == last_day and pa.end_reason == "Moved away"
    page = holder.get(r.location).get_data(as_text=True)
    assert f"Pat Jones’s employment ended on {last_day:%-d %B %Y}" in page and "Moved away" in page
    assert "End Pat Jones’s employment" not in page
    assert events("pa.employment_ended")[0].data["reason"] == "Moved away"
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id) == 1
    listing = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "Left" in listing


def test_end_date_before_the_start_is_refused(holder, emp):
    start = emp.pa.start_date
    r = holder.post(PA.format(**emp.ids) + "/end", data={"end_date": parts(start - timedelta(days=1)),
                                                         "reason": "Typo test"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, f"The last day must be on or after their start date, {start:%-d %B %Y}")
    assert "Typo test" in page
    assert db.session.get(PersonalAssistant, emp.pa.id).end_date is None and events("pa.employment_ended") == []


def test_changing_the_start_date_to_after_the_end_date_is_refused_not_a_crash(holder, emp, world):
    """personal_assistant has CHECK end_date >= start_date; the form must catch it before the database does."""
    ended = today() - timedelta(days=10)
    emp.pa.end_date, emp.pa.end_reason = ended, "Left"
    db.session.commit()
    data = pa_form(world, name="Pat Jones", start_date=parts(ended + timedelta(days=5)), night_rate="",
                   night_hours="")
    r = holder.post(PA.format(**emp.ids) + "/edit", data=data)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "There is a problem" in page and "start date" in page.lower()
    assert db.session.get(PersonalAssistant, emp.pa.id).start_date == emp.pa.start_date


def _section_data(section: str) -> dict:
    day = today() - timedelta(days=10)
    return {
        "checks": {"kind": "contract", "checked_on": parts(day), "evidence": "Signed contract kept in the file"},
        "training": {"course": "Moving and handling", "completed_on": parts(day),
                     "expires_on": parts(day + timedelta(days=365)), "cost": "45"},
        "tasks": {"task": "PEG feeding", "practitioner": "Nurse Ng", "practitioner_registration": "NMC 12A3456E",
                  "trained_on": parts(day - timedelta(days=2)), "signed_off_by": "Nurse Ng",
                  "signed_off_on": parts(day), "review_on": parts(today() + timedelta(days=200))},
        "absences": {"kind": "holiday", "start_date": parts(day), "end_date": parts(day + timedelta(days=4)),
                     "note": "Week in Devon"},
    }[section]


SECTIONS = [
    ("checks", EmploymentCheck, "employment_check.added", "Check added.", "Signed contract kept in the file"),
    ("training", Training, "training.added", "Training added.", "Moving and handling"),
    ("tasks", DelegatedTask, "delegated_task.added", "Delegated task added.", "PEG feeding"),
    ("absences", Absence, "absence.added", "Absence added.", "Week in Devon"),
]


@pytest.mark.parametrize("section, model, action, message, shown", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_add_to_a_section_without_javascript(holder, emp, world, section, model, action, message, shown):
    r = post_pa(holder, emp, section, _section_data(section))
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + f"#{section}"
    row = db.session.scalars(select(model).where(model.pa_id == emp.pa.id)).one()
    assert row.budget_id == world.dp.id
    event = events(action)[0]
    assert event.object_id == row.id and event.actor_id == world.holder.id and event.data["pa_id"] == emp.pa.id
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert message in page and shown in section_of(page, section)
    if section == "training":
        assert row.cost_pence == 4500 and row.expires_on == row.completed_on + timedelta(days=365)
    if section == "tasks":
        assert row.signed_off_by == "Nurse Ng" and row.practitioner_registration == "NMC 12A3456E"
    if section == "absences":
        assert (row.end_date - row.start_date).days == 4 and "(5 days)" in page


@pytest.mark.parametrize("section, model, action, message, shown", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_add_to_a_section_with_htmx(holder, emp, world, section, model, action, message, shown):
    r = post_pa(holder, emp, section, _section_data(section),
                    headers={"HX-Request": "true", "HX-Target": section})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page
    assert f'<section id="{section}"' in page and message in page and shown in page
    assert re.search(r'<div id="pa-warnings"\s+hx-swap-oob="true"', page)
    assert re.search(r'<section id="pa-cost"[^>]*hx-swap-oob="true"', page)
    assert page.count('hx-swap-oob="true"') == 2
    assert "Vary" in r.headers and "HX-Request" in r.headers["Vary"]
    assert count(model, model.pa_id == emp.pa.id) == 1 and len(events(action)) == 1
    # The form in the returned section is blank again, ready for the next one.
    assert 'value="Nurse Ng"' not in page and "Week in Devon</textarea>" not in page


def test_htmx_out_of_band_warnings_are_fresh(holder, emp):
    before = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "No written contract recorded for Pat Jones" in section_of(before, "pa-warnings")
    r = post_pa(holder, emp, "checks", _section_data("checks"), headers={"HX-Request": "true"})
    warnings = r.get_data(as_text=True)
    warnings = warnings[warnings.index('id="pa-warnings"'):]
    warnings = warnings[:warnings.index('id="pa-cost"')]
    assert "No written contract recorded for Pat Jones" not in warnings
    assert "No right to work check recorded for Pat Jones" in warnings


def test_boosted_and_history_restore_requests_get_the_whole_page(holder, emp):
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        page = holder.get(PA.format(**emp.ids), headers={"HX-Request": "true", **extra}).get_data(as_text=True)
        assert "<html" in page


def pay_data(start, end=None, *, hours="80", gross="1,000.00", employer_ni="50", employee_pension="30",
             employer_pension="20", net="800", paid_on=None):
    return {"period_start": parts(start), "period_end": parts(end or start + timedelta(days=27)), "hours": hours,
            "gross": gross, "employer_ni": employer_ni, "employee_pension": employee_pension,
            "employer_pension": employer_pension, "net": net, "paid_on": parts(paid_on or today())}


def _pay_entries(pay_id):
    db.session.expire_all()
    return db.session.scalars(select(SpendingEntry).join(PayRecordEntry, PayRecordEntry.entry_id == SpendingEntry.id)
                              .where(PayRecordEntry.pay_record_id == pay_id)).all()


def test_recording_pay_makes_its_three_payments_on_the_right_lines(holder, emp, world):
    start = today() - timedelta(days=45)
    paid = today() - timedelta(days=2)
    spent_before = spent(world.dp.id)
    r = post_pa(holder, emp, "pay", pay_data(start, paid_on=paid))
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + "#pay"
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert ("Pay of £1,000.00 gross recorded: £800.00 to Pat Jones, £220.00 to HMRC, £50.00 to the pension."
            in page)
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                        PayRecord.period_start == start)).one()
    assert (record.gross_pence, record.net_pence, record.employer_ni_pence, record.employee_pension_pence,
            record.employer_pension_pence, record.hours, record.paid_on, record.source, record.budget_id) == (
        100000, 80000, 5000, 3000, 2000, Decimal("80"), paid, "form", world.dp.id)
    entries = {e.payee: e for e in _pay_entries(record.id)}
    assert set(entries) == {"Pat Jones", "HMRC", "Workplace pension"}
    # Net pay to the PA on the PA's line; gross − net − employee pension + employer NI to HMRC; both pensions.
    wages, hmrc, pension = entries["Pat Jones"], entries["HMRC"], entries["Workplace pension"]
    assert (wages.amount_pence, wages.line_id, wages.category) == (80000, world.lines["wages"].id, "pa_wages")
    assert (hmrc.amount_pence, hmrc.line_id, hmrc.category) == (100000 - 80000 - 3000 + 5000,
                                                                world.lines["hmrc"].id, "hmrc")
    assert (pension.amount_pence, pension.line_id, pension.category) == (3000 + 2000, world.lines["pension"].id,
                                                                        "pension")
    for entry in entries.values():
        assert entry.paid_on == paid and entry.status == "active" and entry.created_by_id == world.holder.id
        assert entry.budget_id == world.dp.id
    assert count(PayRecordEntry, PayRecordEntry.pay_record_id == record.id) == 3
    assert spent(world.dp.id) == spent_before + 80000 + 22000 + 5000
    pay_event = events("pay.recorded")[-1]
    assert pay_event.object_id == record.id and pay_event.actor_id == world.holder.id
    assert sorted(pay_event.data["entries"]) == sorted(e.id for e in entries.values())
    recorded = [e for e in events("spending.recorded") if e.data.get("pay_record_id") == record.id]
    assert sorted(e.object_id for e in recorded) == sorted(e.id for e in entries.values())
    pay_list = section_of(page, "pay")
    assert f"{start:%-d %b %Y} to {start + timedelta(days=27):%-d %b %Y}" in pay_list
    assert "net £800.00 · HMRC £220.00 · pension £50.00" in pay_list


def test_recording_pay_with_htmx_returns_the_pay_section(holder, emp):
    start = today() - timedelta(days=45)
    r = post_pa(holder, emp, "pay", pay_data(start), headers={"HX-Request": "true"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page and '<section id="pay"' in page
    assert "£220.00 to HMRC" in page and 'hx-swap-oob="true"' in page
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id) == 2


def test_pay_without_hmrc_or_pension_lines_lands_on_the_wages_line(client, world, rates):
    pa = make_pa(world.other_dp, "Olly Other", world.lines["other"])
    db.session.commit()
    login(client, "other@example.org")
    r = client.post(f"/budgets/{world.other_dp.id}/pas/{pa.id}/pay",
                    data=prefixed("pay", pay_data(today() - timedelta(days=40))))
    assert r.status_code == 303
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == pa.id)).one()
    entries = _pay_entries(record.id)
    assert len(entries) == 3 and {e.line_id for e in entries} == {world.lines["other"].id}
    assert sum(e.amount_pence for e in entries) == 80000 + 22000 + 5000


def test_voiding_pay_voids_its_payments_and_the_figures_go_back(holder, emp, world):
    spent_before = spent(world.dp.id)
    start = today() - timedelta(days=45)
    post_pa(holder, emp, "pay", pay_data(start))
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                        PayRecord.period_start == start)).one()
    assert spent(world.dp.id) == spent_before + 107000
    url = PA.format(**emp.ids) + f"/pay/{record.id}/void"
    form = holder.get(url).get_data(as_text=True)
    assert f"Void Pat Jones’s pay for {start:%-d %b %Y}" in form and "HMRC £220.00" in form
    r = holder.post(url, data={"reason": "Hours were wrong"})
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + "#pay"
    db.session.expire_all()
    record = db.session.get(PayRecord, record.id)
    assert record.status == "voided" and record.change_reason == "Hours were wrong"
    assert record.changed_by_id == world.holder.id and record.changed_at is not None
    entries = _pay_entries(record.id)
    assert len(entries) == 3
    for entry in entries:
        assert entry.status == "voided" and entry.change_reason == "Pay record voided: Hours were wrong"
    assert spent(world.dp.id) == spent_before
    assert events("pay.voided")[0].object_id == record.id
    assert sorted(e.object_id for e in events("spending.voided")) == sorted(e.id for e in entries)
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert "Pay record voided, with its payments." in page and "Voided" in section_of(page, "pay")
    again = holder.post(url, data={"reason": "Twice"})
    assert again.status_code == 303
    assert "already been voided" in holder.get(again.location.split("#")[0]).get_data(as_text=True)
    assert db.session.get(PayRecord, record.id).change_reason == "Hours were wrong"


def test_void_needs_a_reason(holder, emp):
    r = holder.post(PA.format(**emp.ids) + f"/pay/{emp.pay.id}/void", data={"reason": " "})
    assert_error(r.get_data(as_text=True), "Enter why you are voiding this pay record")
    assert db.session.get(PayRecord, emp.pay.id).status == "active"


def test_a_voided_period_can_be_recorded_again_with_the_right_figures(holder, emp):
    """Voiding wrong pay and recording the right pay for the same period is the normal way to correct it."""
    start = emp.pay.period_start
    holder.post(PA.format(**emp.ids) + f"/pay/{emp.pay.id}/void", data={"reason": "Wrong gross"})
    r = post_pa(holder, emp, "pay", pay_data(start, start + timedelta(days=27),
                                                                 paid_on=today()))
    assert r.status_code == 303, re.findall(r"Error:</span>([^<]*)<", r.get_data(as_text=True))
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id, PayRecord.status == "active") == 1


def test_employer_details_save_with_the_allowance_claim(holder, emp, world):
    renews = today() + timedelta(days=200)
    data = {"paye_reference": " 123/AB45678 ", "hmrc_registered_on": parts(world.dp.plan_year_start),
            "insurer": "Care Insure Ltd", "policy_number": "POL-1", "insurance_renews_on": parts(renews),
            "insurance_covers_delegated_tasks": "y", "insurance_premium": "120", "payroll_fee": "£90.50",
            "allowance_claimed": "y"}
    r = holder.post(f"/budgets/{world.dp.id}/pas/employer", data=data)
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/pas"
    employer = db.session.scalars(select(Employer).where(Employer.budget_id == world.dp.id)).one()
    assert (employer.paye_reference, employer.insurer, employer.policy_number, employer.insurance_renews_on,
            employer.insurance_covers_delegated_tasks, employer.insurance_premium_pence,
            employer.payroll_fee_pence_per_year) == ("123/AB45678", "Care Insure Ltd", "POL-1", renews, True, 12000,
                                                     9050)
    year = tax_year_start(today())
    claim = db.session.scalars(select(AllowanceClaim).where(AllowanceClaim.budget_id == world.dp.id)).one()
    assert claim.tax_year_start == year and claim.claimed is True
    event = events("employer.changed")[0]
    assert event.actor_id == world.holder.id and event.budget_id == world.dp.id
    assert event.data["changes"]["paye_reference"] == [None, "123/AB45678"]
    assert event.data["changes"][f"employment_allowance_{year.year}"] == [None, True]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Employer details saved." in page and "PAYE reference 123/AB45678" in page
    cost = section_of(page, "employment-cost")
    assert "Employment Allowance claimed" in cost and "£120.00" in cost and "£90.50" in cost
    assert "No employer" not in page
    form = holder.get(f"/budgets/{world.dp.id}/pas/employer").get_data(as_text=True)
    assert 'value="123/AB45678"' in form and 'value="120.00"' in form
    assert re.search(r'name="allowance_claimed"[^>]*checked', form)
    # Unticking it changes this tax year's claim, not a new row.
    data.pop("allowance_claimed")
    assert holder.post(f"/budgets/{world.dp.id}/pas/employer", data=data).status_code == 303
    db.session.expire_all()
    assert [c.claimed for c in db.session.scalars(select(AllowanceClaim))] == [False]
    assert events("employer.changed")[-1].data["changes"] == {f"employment_allowance_{year.year}": [True, False]}


# ---- 3. bad input ---------------------------------------------------------------------------------------


def _post_bad_pa(holder, world, overrides, message):
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, **overrides))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    if "name" not in overrides:
        assert 'value="Jo Bloggs"' in page
    if "night_rate" not in overrides:
        assert 'value="14.50"' in page  # what was typed is kept
    for field, value in overrides.items():
        if isinstance(value, str) and value and field.endswith(("_rate", "_hours")):
            assert f'value="{value}"' in page
    assert count(PersonalAssistant) == 0 and count(PayRate) == 0 and events("pa.added") == []


@pytest.mark.parametrize("overrides, message", [
    ({"day_hours": "-5"}, "Day hours a week cannot be negative"),
    ({"night_hours": "-1"}, "Night hours a week cannot be negative"),
    ({"day_rate": "0"}, "Day rate must be more than £0"),
    ({"night_rate": "£0.00"}, "Night rate must be more than £0"),
    ({"day_rate": ""}, "Enter the day rate"),
    ({"day_rate": "", "day_hours": ""}, "Enter the day rate"),
])
def test_bad_pay_rates_are_refused(holder, world, rates, overrides, message):
    _post_bad_pa(holder, world, overrides, message)


OTHER_BAD_PA_DETAILS = [
    ({"day_hours": ""}, "Enter day hours a week"),
    ({"day_rate": "thirteen"}, "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ({"day_rate": "150"}, "Day rate must be £100.00 an hour or less"),
    ({"day_hours": "200"}, "Day hours must be 168 a week or fewer"),
    ({"night_hours": "7.125"}, "Night hours a week must have no more than 2 decimal places"),
    ({"name": ""}, "Enter the PA’s full name"),
    ({"start_date": ["", "", ""]}, "Enter the date they started working for you"),
    ({"start_date": ["31", "2", "2026"]}, "The date they started working for you must be a real date"),
    ({"line_id": str(10**6)}, "Select the budget line their pay comes from"),
    ({"date_of_birth": parts(today() + timedelta(days=1))}, "Date of birth must be in the past"),
]


def test_other_bad_pa_details_are_refused(holder, world, rates):
    for overrides, message in OTHER_BAD_PA_DETAILS:
        _post_bad_pa(holder, world, overrides, message)


def test_a_line_of_another_budget_is_refused(holder, world, rates):
    _post_bad_pa(holder, world, {"line_id": str(world.lines["other"].id)},
                 "Select the budget line their pay comes from")


def test_a_line_not_offered_for_pay_is_refused(holder, world, rates):
    """The select offers only the wage lines; a hand-made POST naming the gym line should not get through."""
    _post_bad_pa(holder, world, {"line_id": str(world.lines["gym"].id)}, "Select the budget line their pay comes from")


def test_a_bad_email_address_is_refused(holder, world, rates):
    _post_bad_pa(holder, world, {"email": "not-an-email"}, "Enter an email address like name@example.com")


def test_a_relatives_exception_is_kept_only_for_relatives(holder, world, rates):
    holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, relative_exception="Agreed by Cara"))
    pa = db.session.scalars(select(PersonalAssistant)).one()
    assert pa.is_relative is False and pa.relative_exception == ""


@pytest.mark.parametrize("section, overrides, message, kept", [
    ("checks", {"expires_on": "BEFORE"}, "The expiry date must be after the date of the check", "Passport seen"),
    ("checks", {"kind": "dbs", "dbs_level": ""}, "Select the level of the DBS check", "Passport seen"),
    ("training", {"expires_on": "BEFORE"}, "The expiry date must be after the date completed", "First aid"),
    ("tasks", {"signed_off_by": ""}, "Enter who signed off competence as well as the date", "Suction"),
    ("absences", {"end_date": "BEFORE"}, "The last day must be on or after the first day", "Dentist"),
], ids=["check-expiry-before-check", "dbs-without-level", "training-expiry-before-completed",
        "sign-off-date-without-who", "absence-ends-before-start"])
def test_bad_section_input_is_refused_with_messages(holder, emp, section, overrides, message, kept):
    _post_bad_section(holder, emp, section, overrides, message, kept, hx=False)


def test_other_bad_section_input_is_refused(holder, emp):
    for section, overrides, message, kept in [
        ("checks", {"checked_on": "FUTURE"}, "The date of the check must be today or in the past", "Passport seen"),
        ("checks", {"evidence": ""}, "Enter the evidence for this check", None),
        ("checks", {"kind": ""}, "Select which check", "Passport seen"),
        ("training", {"cost": "-4"}, "Cost must be more than £0", "First aid"),
        ("training", {"course": ""}, "Enter the name of the course", None),
        ("tasks", {"practitioner_registration": ""}, "Enter the practitioner’s professional registration",
         "Suction"),
        ("tasks", {"review_on": ["", "", ""]}, "Enter the review date", "Suction"),
        ("tasks", {"trained_on": "AFTER"}, "Competence can only be signed off after the training", "Suction"),
        ("absences", {"kind": ""}, "Select holiday or sick", "Dentist"),
    ]:
        _post_bad_section(holder, emp, section, overrides, message, kept, hx=False)


@pytest.mark.parametrize("section, overrides, message, kept", [
    ("checks", {"expires_on": "BEFORE"}, "The expiry date must be after the date of the check", "Passport seen"),
    ("training", {"expires_on": "BEFORE"}, "The expiry date must be after the date completed", "First aid"),
    ("tasks", {"signed_off_by": ""}, "Enter who signed off competence as well as the date", "Suction"),
    ("absences", {"end_date": "BEFORE"}, "The last day must be on or after the first day", "Dentist"),
], ids=["checks", "training", "tasks", "absences"])
def test_bad_section_input_with_htmx_returns_the_section_with_errors(holder, emp, section, overrides, message,
                                                                      kept):
    _post_bad_section(holder, emp, section, overrides, message, kept, hx=True)


def _post_bad_section(holder, emp, section, overrides, message, kept, hx):
    day = today() - timedelta(days=20)
    data = {
        "checks": {"kind": "right_to_work", "checked_on": parts(day), "expires_on": "",
                   "evidence": "Passport seen", "dbs_level": ""},
        "training": {"course": "First aid", "completed_on": parts(day), "cost": ""},
        "tasks": {"task": "Suction", "practitioner": "Nurse Ng", "practitioner_registration": "NMC 1",
                  "signed_off_by": "Nurse Ng", "signed_off_on": parts(day), "review_on": parts(day + timedelta(99))},
        "absences": {"kind": "sick", "start_date": parts(day), "end_date": parts(day), "note": "Dentist"},
    }[section]
    special = {"BEFORE": parts(day - timedelta(days=1)), "FUTURE": parts(today() + timedelta(days=1)),
               "AFTER": parts(day + timedelta(days=1))}
    data.update({k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    model = {"checks": EmploymentCheck, "training": Training, "tasks": DelegatedTask, "absences": Absence}[section]
    r = post_pa(holder, emp, section, data, headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert ("<html" in page) is not hx
    assert f'<section id="{section}"' in page and "hx-swap-oob" not in page
    assert_error(page, message)
    if section == "tasks" and "signed_off_by" in overrides:
        assert page.count("Enter who signed off competence") == 4  # both fields, each in summary and by field
    if kept:
        assert kept in page
    assert re.search(r'<details class="govuk-details"\s*open>', section_of(page, section))
    assert count(model) == 0


def test_free_training_can_be_recorded_with_a_cost_of_0(holder, emp):
    """Cost is optional and the database allows 0; typing 0 for a free course should not be an error."""
    data = {"course": "Fire safety", "completed_on": parts(today()), "cost": "0"}
    r = post_pa(holder, emp, "training", data)
    assert r.status_code == 303, re.findall(r"Error:</span>([^<]*)<", r.get_data(as_text=True))
    assert db.session.scalars(select(Training)).one().cost_pence == 0


def test_a_dbs_check_with_its_level_is_saved(holder, emp):
    day = today() - timedelta(days=5)
    r = post_pa(holder, emp, "checks", {
        "kind": "dbs", "checked_on": parts(day), "expires_on": parts(day + timedelta(days=1095)),
        "dbs_level": "enhanced_barred", "dbs_certificate": "001234567890", "dbs_update_service": "y",
        "evidence": "Certificate seen"})
    assert r.status_code == 303
    check = db.session.scalars(select(EmploymentCheck)).one()
    assert (check.dbs_level, check.dbs_certificate, check.dbs_update_service) == ("enhanced_barred", "001234567890",
                                                                                  True)
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "Enhanced with barred list, certificate 001234567890, on the Update Service" in page
    assert "No DBS check recorded for Pat Jones" not in page


def test_dbs_details_are_dropped_for_other_kinds_of_check(holder, emp):
    post_pa(holder, emp, "checks", {
        "kind": "right_to_work", "checked_on": parts(today()), "dbs_level": "basic", "dbs_certificate": "99",
        "evidence": "Share code checked"})
    check = db.session.scalars(select(EmploymentCheck)).one()
    assert (check.kind, check.dbs_level, check.dbs_certificate) == ("right_to_work", "", "")


def _post_bad_pay(holder, emp, world, overrides, message):
    start = today() - timedelta(days=45)
    data = pay_data(start)
    special = {"BEFORE": parts(start - timedelta(days=1)), "LONG": parts(start + timedelta(days=40)),
               "BEFORE_YEAR": parts(world.dp.plan_year_start - timedelta(days=1)),
               "FUTURE": parts(today() + timedelta(days=1))}
    data.update({k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    before = (count(PayRecord), count(SpendingEntry), count(PayRecordEntry))
    r = post_pa(holder, emp, "pay", data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    if "gross" not in overrides:
        assert 'value="1,000.00"' in page
    if "hours" not in overrides:
        assert 'value="80"' in page
    if "net" in overrides:
        assert f'value="{overrides["net"]}"' in page
    assert (count(PayRecord), count(SpendingEntry), count(PayRecordEntry)) == before


@pytest.mark.parametrize("overrides, message", [
    ({"net": "1,200"}, "Net pay cannot be more than gross pay"),
    ({"period_end": "BEFORE"}, "The end of the pay period must be on or after its start"),
    ({"paid_on": "BEFORE_YEAR"}, "The date the pay was paid must be in this plan year"),
    ({"paid_on": "FUTURE"}, "The date the pay was paid must be today or in the past"),
    ({"hours": "-3"}, "Hours worked cannot be negative"),
], ids=["net-over-gross", "end-before-start", "paid-before-plan-year", "paid-in-future", "negative-hours"])
def test_bad_pay_is_refused_and_nothing_is_paid(holder, emp, world, overrides, message):
    _post_bad_pay(holder, emp, world, overrides, message)


def test_other_bad_pay_is_refused(holder, emp, world):
    for overrides, message in [
        ({"period_end": "LONG"}, "A pay period must be a month or shorter"),
        ({"hours": ""}, "Enter hours worked"),
        ({"hours": "800"}, "Hours worked must be 744 or fewer"),
        ({"gross": ""}, "Enter the gross pay"),
        ({"gross": "0"}, "Gross pay must be more than £0"),
        ({"net": "ten"}, "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
        ({"employer_ni": "-5"}, "Employer National Insurance must be more than £0"),
        ({"period_start": ["", "", ""]}, "Enter the start of the pay period"),
    ]:
        _post_bad_pay(holder, emp, world, overrides, message)


def test_deductions_that_add_up_to_more_than_gross_are_refused(holder, emp, world):
    """Net £800 + employee pension £300 out of gross £1,000 cannot be right; HMRC's part would be −£100."""
    before = (count(PayRecord), count(SpendingEntry))
    r = post_pa(holder, emp, "pay", pay_data(today() - timedelta(days=45), employer_ni="0",
                                                                 employee_pension="300"))
    assert r.status_code == 200 and "There is a problem" in r.get_data(as_text=True)
    assert (count(PayRecord), count(SpendingEntry)) == before


@pytest.mark.parametrize("hx", [False, True], ids=["no-js", "htmx"])
def test_a_pay_period_already_recorded_is_refused(holder, emp, hx):
    start = emp.pay.period_start
    before = (count(PayRecord), count(SpendingEntry))
    r = post_pa(holder, emp, "pay", pay_data(start, gross="999", net="700"),
                    headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ("<html" in page) is not hx
    assert_error(page, f"Pay for Pat Jones from {start:%-d %B %Y} is already recorded")
    assert 'value="999"' in page
    assert (count(PayRecord), count(SpendingEntry)) == before


def test_the_same_period_for_another_pa_is_fine(holder, emp):
    start = emp.pay.period_start  # Sam Second's pay has this period too
    assert post_pa(holder, emp, "pay", pay_data(start + timedelta(days=1))).status_code == 303
    assert emp.pay2.period_start == start


def test_pay_for_a_pa_without_a_budget_line_asks_for_one(holder, emp):
    emp.pa.line_id = None
    db.session.commit()
    before = count(PayRecord)
    page = post_pa(holder, emp, "pay", pay_data(today() - timedelta(days=45))).get_data(
        as_text=True)
    assert_error(page, "Choose the budget line this PA’s pay comes from first (change their details)")
    assert count(PayRecord) == before


# ---- payroll import ------------------------------------------------------------------------------------


def good_rows(emp):
    start = today() - timedelta(days=45)
    return [("Pat Jones", start, start + timedelta(days=27), "80", "1000.00", "50.00", "30.00", "20.00", "800.00",
             today() - timedelta(days=1)),
            ("sam second ", start, start + timedelta(days=27), "40", "£540.00", "0", "", "0", "500.00",
             today() - timedelta(days=1))]


def _money_counts():
    return count(PayRecord), count(SpendingEntry), count(PayRecordEntry)


def test_import_a_good_file_once_even_if_sent_twice(holder, emp, world):
    content = payroll_csv(good_rows(emp))
    before = _money_counts()
    spent_before = spent(world.dp.id)
    r = upload(holder, world.dp.id, content)
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/pas"
    assert "2 pay records imported." in holder.get(r.location).get_data(as_text=True)
    assert _money_counts() == (before[0] + 2, before[1] + 5, before[2] + 5)  # Sam has no HMRC or pension part
    start = good_rows(emp)[0][1]
    pat = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                     PayRecord.period_start == start)).one()
    assert (pat.source, pat.gross_pence, pat.net_pence, pat.hmrc_pence, pat.pension_pence) == (
        "csv", 100000, 80000, 22000, 5000)
    sam = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa2.id,
                                                     PayRecord.period_start == start)).one()
    assert (sam.gross_pence, sam.net_pence, sam.hmrc_pence) == (54000, 50000, 4000)
    assert spent(world.dp.id) == spent_before + 107000 + 54000
    assert sum(1 for e in events("pay.recorded") if e.data["source"] == "csv") == 2
    again = upload(holder, world.dp.id, content)
    assert again.status_code == 303
    assert "0 pay records imported; 2 already recorded and left as they were." in holder.get(
        again.location).get_data(as_text=True)
    assert _money_counts() == (before[0] + 2, before[1] + 5, before[2] + 5)
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "imported" in section_of(page, "pay")


def test_import_accepts_other_column_names_and_a_byte_order_mark(holder, emp, world):
    start = today() - timedelta(days=45)
    content = "\ufeff" + ("Employee Name,Period From,Period To,Hours Worked,Gross,ER NI,EE Pension,ER Pension,Net,"
                          "Payment Date\n"
                          f"Pat Jones,{start:%Y-%m-%d},{start + timedelta(days=27):%Y-%m-%d},80,1000,50,30,20,800,"
                          f"{today():%d-%m-%Y}\n")
    r = upload(holder, world.dp.id, content.encode("utf-8"))
    assert r.status_code == 303, r.get_data(as_text=True)[-2000:]


@pytest.mark.parametrize("content, message", [
    (b"PA,Period start,Period end,Hours,Gross pay\nPat Jones,01/10/2026,28/10/2026,80,1000\n",
     "The file is missing columns: Net pay, Date paid"),
    ("PA,Period start,Period end,Hours,Gross pay,Net pay,Date paid\nZoë Café,01/10/2026,28/10/2026,80,1000,800,"
     "29/10/2026\n".encode("cp1252"), "The file must be saved as UTF-8 (in Excel: Save as ‘CSV UTF-8’)"),
    (b"", "The selected file is empty"),
    (b"  \n\n", "The selected file is empty"),
    (b"PA,Period start,Period end,Hours,Gross pay,Employer NI,Employee pension,Employer pension,Net pay,Date paid\n",
     "The file has a header row but no pay rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "The file must be a CSV file exported from your "
                                                              "payroll service"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "The file must be a CSV file exported from your "
                                                        "payroll service"),
], ids=["missing-columns", "windows-1252", "empty", "blank", "header-only", "png", "xlsx"])
def test_unreadable_payroll_files_are_refused(holder, emp, world, content, message):
    before = _money_counts()
    r = upload(holder, world.dp.id, content)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    assert _money_counts() == before


def test_no_file_selected(holder, emp, world):
    page = holder.post(f"/budgets/{world.dp.id}/pas/import", data={}).get_data(as_text=True)
    assert_error(page, "Select a CSV file")


def _refused(holder, world, content, *problems):
    before = _money_counts()
    r = upload(holder, world.dp.id, content)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page[-1500:]
    assert "Nothing was imported. Correct the file and try again." in page
    assert "There is a problem" in page and "What to correct" in page
    for problem in problems:
        assert problem in page, re.findall(r"<li>(Row .*?)</li>", page)
    assert _money_counts() == before
    return page


def test_unknown_pa_and_another_budgets_pa_are_refused(holder, emp, world):
    rows = good_rows(emp)
    rows.append(("Nobody Known",) + rows[0][1:])
    rows.append(("Olly Other",) + rows[0][1:])  # a PA of another budget is not this budget's
    _refused(holder, world, payroll_csv(rows), "Row 4: no PA called ‘Nobody Known’", "Row 5: no PA called ‘Olly Other’")
    assert count(PayRecord, PayRecord.pa_id == emp.other_pa.id) == 1


def _bad_row(holder, emp, world, change, problem):
    rows = [list(r) for r in good_rows(emp)]
    special = {"START-1": rows[1][1] - timedelta(days=1), "FUTURE": today() + timedelta(days=1),
               "BEFORE_YEAR": world.dp.plan_year_start - timedelta(days=1)}
    for index, value in change.items():
        rows[1][index] = special.get(value, value)
    _refused(holder, world, payroll_csv(rows), problem)


@pytest.mark.parametrize("change, problem", [
    ({8: "1200.00"}, "Row 3: net pay is more than gross pay"),
    ({2: "START-1"}, "Row 3: the period ends before it starts"),
    ({0: "Pat Jones"}, "Row 3: the same PA and pay period appear twice in the file"),
    ({9: "BEFORE_YEAR"}, "Row 3: the date paid must be in this plan year and not in the future"),
], ids=["net-over-gross", "ends-before-start", "twice", "paid-before-plan-year"])
def test_one_bad_row_among_good_ones_imports_nothing(holder, emp, world, change, problem):
    _bad_row(holder, emp, world, change, problem)


def test_other_bad_rows_import_nothing(holder, emp, world):
    for change, problem in [
        ({1: "31/02/2026"}, "period start ‘31/02/2026’ is not a date like 31/03/2026"),
        ({3: "lots"}, "hours ‘lots’ is not a number of hours"),
        ({4: "0"}, "Row 3: gross pay: amount must be more than £0"),
        ({4: ""}, "Row 3: gross pay: enter an amount"),
        ({9: "FUTURE"}, "Row 3: the date paid must be in this plan year and not in the future"),
    ]:
        _bad_row(holder, emp, world, change, problem)


def test_more_hours_than_a_month_has_are_refused_in_a_file_too(holder, emp, world):
    """The form refuses over 744 hours; the import should too (and 100000 overflows NUMERIC(7, 2))."""
    rows = [list(r) for r in good_rows(emp)]
    rows[1][3] = "100000"
    _refused(holder, world, payroll_csv(rows), "Row 3")


@pytest.mark.parametrize("index, value", [(4, "1,100.00"), (8, "790.00"), (5, "60.00")],
                         ids=["gross", "net", "employer-ni"])
def test_a_row_conflicting_with_a_recorded_period_refuses_the_whole_file(holder, emp, world, index, value):
    pay = emp.pay  # 100 days ago: gross £1,000, net £800, no NI or pension
    row = ["Pat Jones", pay.period_start, pay.period_end, "80", "1000.00", "0", "0", "0", "800.00", pay.paid_on]
    row[index] = value
    rows = [tuple(row), good_rows(emp)[1]]
    _refused(holder, world, payroll_csv(rows),
             f"Row 2: pay for Pat Jones from {pay.period_start:%-d %B %Y} is already recorded with different figures")


def test_a_row_matching_a_recorded_period_is_left_alone(holder, emp, world):
    pay = emp.pay
    rows = [("Pat Jones", pay.period_start, pay.period_end, "80", "1000.00", "0", "0", "0", "800.00", pay.paid_on),
            good_rows(emp)[1]]
    before = _money_counts()
    r = upload(holder, world.dp.id, payroll_csv(rows))
    assert r.status_code == 303
    assert "1 pay record imported; 1 already recorded" in holder.get(r.location).get_data(as_text=True)
    assert _money_counts()[0] == before[0] + 1


def test_importing_a_period_whose_pay_was_voided_is_not_a_crash(holder, emp, world):
    """The voided record no longer counts, so the file's row for that period is the pay to record."""
    pay = emp.pay
    holder.post(PA.format(**emp.ids) + f"/pay/{pay.id}/void", data={"reason": "Wrong figures"})
    rows = [("Pat Jones", pay.period_start, pay.period_end, "80", "900.00", "0", "0", "0", "750.00", today())]
    r = upload(holder, world.dp.id, payroll_csv(rows))
    assert r.status_code in (200, 303)
    if r.status_code == 303:
        assert count(PayRecord, PayRecord.pa_id == emp.pa.id, PayRecord.status == "active") == 1


# ---- 4. warnings and the true cost ---------------------------------------------------------------------


def _expected_cost(weekly_pence: int, provided_pence: int) -> dict:
    """The true cost worked out here from the statutory figures in force today, independently of costs.py."""
    def half_up(value: Decimal) -> int:
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    r = rates_on(today())
    annual = weekly_pence * 52
    holiday = half_up(weekly_pence * r["holiday_weeks"])
    if annual > r.pence("pension_trigger"):
        qualifying = min(annual, r.pence("pension_upper")) - r.pence("pension_lower")
        pension = half_up(qualifying * r["pension_employer_rate"] / 100)
    else:
        pension = 0
    ni = half_up(max(annual - r.pence("employer_ni_threshold"), 0) * r["employer_ni_rate"] / 100)
    total = annual + holiday + pension + ni
    return {"wages": annual, "holiday": holiday, "pension": pension, "ni": ni, "total": total,
            "headroom": provided_pence - total}


def _money(pence: int) -> str:
    return f"£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def test_cost_panel_shows_the_true_cost_and_the_shortfall_or_headroom(client, world, rates):
    make_pa(world.dp, "Pat Jones", world.lines["wages"], rates=(("day", 1300, "20"), ("night", 1400, "10")))
    db.session.commit()
    login(client, "rep@example.org")
    provided = world.lines["wages"].annual_pence  # the gym line does not pay for PAs
    assert provided == 1271 * 10 * 52
    want = _expected_cost(1300 * 20 + 1400 * 10, provided)
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
    want = _expected_cost(1300 * 30, 0)
    assert want["ni"] > 0
    cost = section_of(client.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True), "pa-cost")
    assert re.search(rf"before Employment Allowance</dt><dd[^>]*>{re.escape(_money(want['ni']))}<", cost)
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
        "low_pay": "works out at £2.50 an hour, below the National Living Wage on the pay date",
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
    assert r.status_code == 200 and "No National Living Wage, 21 and over is recorded for" in r.get_data(as_text=True)


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


# ---- 5. statutory figures (administrators) -------------------------------------------------------------


@pytest.fixture
def admin(client, world, rates):
    login(client, "admin@example.org")
    return client


def _next_unseeded_april(kind="nlw_21_plus") -> date:
    latest = db.session.scalar(select(func.max(StatutoryRate.valid_from)).where(StatutoryRate.kind == kind))
    return date(latest.year + 1, 4, 1)


def test_admin_adds_a_statutory_figure(admin, world):
    valid_from = _next_unseeded_april()
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(valid_from), "value": "1300",
                                                          "source": "Announced in the Budget"})
    assert r.status_code == 303 and r.location == "/admin/rates#nlw_21_plus"
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus",
                                                         StatutoryRate.valid_from == valid_from)).one()
    assert row.value == Decimal("1300") and row.source == "Announced in the Budget"
    assert row.changed_by_id == world.admin.id
    event = events("statutory_rate.added")[0]
    assert event.object_id == row.id and event.actor_id == world.admin.id and event.data["value"] in ("1300",
                                                                                                      "1300.0000")
    page = admin.get(r.location.split("#")[0]).get_data(as_text=True)
    assert f"National Living Wage, 21 and over from {valid_from:%-d %B %Y} saved." in page
    assert f"From {valid_from:%-d %B %Y}: <strong>£13.00</strong>" in page
    # It is used from that date, not before.
    assert rates_on(valid_from).pence("nlw_21_plus") == 1300
    assert rates_on(valid_from - timedelta(days=1)).pence("nlw_21_plus") != 1300


def test_a_figure_typed_in_pounds_is_not_stored_as_pence(admin):
    """The form asks for pence; '£13.00' must not silently become 13p an hour."""
    valid_from = _next_unseeded_april()
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(valid_from), "value": "£13.00",
                                                          "source": "Announced"})
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus",
                                                         StatutoryRate.valid_from == valid_from)).one_or_none()
    assert row is None or row.value == Decimal("1300"), (r.status_code, row and row.value)


def test_a_second_figure_from_the_same_date_is_refused(admin):
    existing = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus")
                                  .order_by(StatutoryRate.valid_from)).first()
    before = count(StatutoryRate)
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(existing.valid_from), "value": "999",
                                                          "source": "Typed twice"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, "There is already a figure for National Living Wage, 21 and over from this date: "
                       "change that one")
    assert 'value="999"' in page and "Typed twice" in page
    assert count(StatutoryRate) == before and events("statutory_rate.added") == []
    # The same date for a different kind is fine.
    other = admin.post("/admin/rates/nmw_18_20/new", data={"valid_from": parts(_next_unseeded_april("nmw_18_20")),
                                                           "value": "1100", "source": "Announced"})
    assert other.status_code == 303


def test_bad_figures_are_refused(admin):
    before = count(StatutoryRate)
    for data, message in [
        ({"value": "a lot"}, "Enter the figure as a number"),
        ({"value": "-1"}, "Enter the figure as a number"),
        ({"value": ""}, "Enter the figure as a number"),
        ({"source": ""}, "Enter where the figure comes from"),
        ({"valid_from": ["", "", ""]}, "Enter the date the figure applies from"),
    ]:
        form = {"valid_from": parts(_next_unseeded_april()), "value": "1300", "source": "Announced"}
        form.update(data)
        page = admin.post("/admin/rates/nlw_21_plus/new", data=form).get_data(as_text=True)
        assert_error(page, message)
    assert count(StatutoryRate) == before


def test_admin_edits_a_figure_and_it_is_audited(admin, world):
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "dbs_enhanced")).first()
    old_value, old_from = row.value, row.valid_from
    form = admin.get(f"/admin/rates/{row.id}/edit").get_data(as_text=True)
    assert f'value="{Decimal(old_value).normalize():f}"' in form and "Enhanced DBS check" in form
    r = admin.post(f"/admin/rates/{row.id}/edit", data={"valid_from": parts(old_from), "value": "5400",
                                                         "source": "DBS fee update"})
    assert r.status_code == 303 and r.location == "/admin/rates#dbs_enhanced"
    db.session.expire_all()
    row = db.session.get(StatutoryRate, row.id)
    assert row.value == Decimal("5400") and row.source == "DBS fee update"
    event = events("statutory_rate.changed")[0]
    assert event.object_id == row.id and event.actor_id == world.admin.id
    assert Decimal(event.data["before"]["value"]) == Decimal(old_value) and Decimal(event.data["value"]) == 5400
    assert event.budget_id is None
    # Moving it onto another figure's date is refused with the same message.
    other = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus")).all()
    assert len(other) >= 2
    r = admin.post(f"/admin/rates/{other[0].id}/edit", data={"valid_from": parts(other[1].valid_from),
                                                              "value": "1", "source": "x"})
    assert "There is already a figure for National Living Wage, 21 and over from this date" in r.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(StatutoryRate, other[0].id).valid_from == other[0].valid_from


def test_non_admins_cannot_add_figures(client, world, rates):
    before = count(StatutoryRate)
    for email in ("holder@example.org", "cm@example.org", "staff@example.org"):
        login(client, email)
        r = client.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(_next_unseeded_april()),
                                                               "value": "1", "source": "me"})
        assert r.status_code == 404
        client.post("/sign-out")
    assert count(StatutoryRate) == before
