"""Demo data: realistic budgets the README's demo logins open. Dates are relative to today."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from .audit import record
from .auth.models import Organisation, User
from .budget.models import Budget, BudgetLine, MoneyIn, Plan, Representative
from .budget.services import annual_pence
from .extensions import db
from .spending.models import SpendingEntry
from .spending.receipts import CheckedReceipt
from .spending.services import save_receipt
from .timeutil import today

PASSWORD = "demo-password"

USERS = [
    ("dp.holder@example.org", "Alex Morgan", "holder", None),
    ("ma.holder@example.org", "Priya Shah", "holder", None),
    ("second.holder@example.org", "Sam Okafor", "holder", None),
    ("rep@example.org", "Jo Morgan", "representative", None),
    ("provider@example.org", "Chris Lee", "provider_staff", "Demo Managed Accounts"),
    ("case.manager@example.org", "Dana Hughes", "case_manager", "Demo Council"),
    ("admin@example.org", "Pat Admin", "admin", None),
]

# item, outcome, category, unit, quantity, unit cost (pence), frequency
DP_LINES = [
    ("Personal assistant wages", "Get up, washed and dressed every morning", "pa_wages", "hour", "30", 1271, "weekly"),
    ("HMRC: PAYE and National Insurance", "Employ my PAs legally", "hmrc", "month", "1", 17000, "monthly"),
    ("Workplace pension", "Employ my PAs legally", "pension", "month", "1", 3400, "monthly"),
    ("Payroll service", "Employ my PAs legally", "fees", "week", "1", 750, "weekly"),
    ("Employer's liability insurance", "Employ my PAs safely", "insurance", "year", "1", 9500, "yearly"),
    ("Respite breaks", "Give my family a rest and have a change of scene", "respite", "day", "6", 18000, "yearly"),
    ("Riverside Arts Club", "See my friends every week", "day_activities", "week", "1", 2500, "weekly"),
    ("Shower chair", "Wash safely on my own", "equipment", "item", "1", 45000, "one_off"),
]

MA_LINES = [
    ("Agency care visits", "Have help at home in the morning and evening", "agency_care", "hour", "14", 2450, "weekly"),
    ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly"),
    ("Day centre", "Spend time with other people", "day_activities", "day", "2", 4800, "weekly"),
]

SECOND_LINES = [
    ("Personal assistant wages", "Get to work and stay in work", "pa_wages", "hour", "12", 1300, "weekly"),
    ("Payroll service", "Employ my PA legally", "fees", "month", "1", 3000, "monthly"),
    ("Gym membership", "Keep my pain manageable", "day_activities", "month", "1", 3200, "monthly"),
]


def _org(name: str, kind: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def _receipt_image(text: str) -> bytes:
    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["RECEIPT", *text.split("\n")]):
        draw.text((16, 16 + i * 22), line, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _budget(person, holder, funder, held_as, provider, case_manager, start, lines):
    budget = Budget(person_name=person, holder=holder, funder=funder, held_as=held_as, provider=provider,
                    case_manager=case_manager, plan_year_start=start)
    db.session.add(budget)
    db.session.flush()
    plan = Plan(budget_id=budget.id, version=1, status="draft", starts_on=start)
    db.session.add(plan)
    db.session.flush()
    made = []
    for pos, (item, outcome, category, unit, qty, cost, freq) in enumerate(lines, start=1):
        line = BudgetLine(budget_id=budget.id, plan_id=plan.id, item=item, outcome=outcome, category=category,
                          unit=unit, quantity=Decimal(qty), unit_cost_pence=cost, frequency=freq,
                          annual_pence=annual_pence(cost, Decimal(qty), freq), position=pos)
        db.session.add(line)
        made.append(line)
    db.session.flush()
    return budget, made


def _funding(budget, lines, start, until, actor, contribution_pence=0):
    """The funder's 4-weekly payments (net of any contribution) and the person's monthly contribution."""
    annual = sum(line.annual_pence for line in lines)
    day = start
    while day <= until:
        db.session.add(MoneyIn(budget_id=budget.id, received_on=day, amount_pence=annual // 13 - contribution_pence,
                               source="funder", note="4-weekly direct payment", created_by_id=actor.id))
        day += timedelta(weeks=4)
    if contribution_pence:
        month = start
        while month <= until:
            db.session.add(MoneyIn(budget_id=budget.id, received_on=month, amount_pence=contribution_pence,
                                   source="contribution", note="My assessed contribution",
                                   created_by_id=actor.id))
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _spend(budget, line, paid_on, pence, payee, actor, note="", receipt=None):
    entry = SpendingEntry(budget_id=budget.id, line_id=line.id, paid_on=paid_on, amount_pence=pence, payee=payee,
                          category=line.category, note=note, receipt=receipt, created_by_id=actor.id)
    db.session.add(entry)
    return entry


def load_demo_data() -> bool:
    """Create the demo world once; return False if it is already there."""
    if db.session.scalar(select(User).where(User.email == "dp.holder@example.org")) is not None:
        return False
    council = _org("Demo Council", "council")
    _org("Demo Integrated Care Board", "nhs")
    provider_org = _org("Demo Managed Accounts", "provider")
    orgs = {"Demo Council": council, "Demo Managed Accounts": provider_org}
    users = {}
    for email, name, role, org_name in USERS:
        user = User(email=email, name=name, role=role, organisation=orgs.get(org_name))
        user.set_password(PASSWORD)
        db.session.add(user)
        users[email] = user
    db.session.flush()
    cm = users["case.manager@example.org"]
    now = today()
    start = date(now.year - (now.month <= 6), (now.month - 7) % 12 + 1, 1)  # first of the month 6 months ago

    # Alex: a direct payment with two PAs and about six months of spending.
    alex = users["dp.holder@example.org"]
    dp, lines = _budget("Alex Morgan", alex, council, "direct_payment", None, cm, start, DP_LINES)
    db.session.add(Representative(budget_id=dp.id, user_id=users["rep@example.org"].id, kind="nominated",
                                  evidence="Nomination form signed by Alex, kept by Demo Council"))
    wages, hmrc, pension, payroll, insurance, respite, arts, chair = lines
    _funding(dp, lines, start, now, cm, contribution_pence=4000)
    upload_dir = current_app.config["UPLOAD_DIR"]
    week = start + timedelta(days=(4 - start.weekday()) % 7)  # Fridays
    n = 0
    while week <= now:
        _spend(dp, wages, week, 21085, "Maria Santos", alex, note="Net pay, 22 hours")
        _spend(dp, wages, week, 7665, "Tom Price", alex, note="Net pay, 8 hours")
        if n % 3 != 1:
            _spend(dp, arts, week - timedelta(days=2), 2500, "Riverside Arts Club", alex)
        n += 1
        week += timedelta(weeks=1)
    month = start
    while month <= now:
        pay_day = month + timedelta(days=21)
        if pay_day <= now:
            _spend(dp, hmrc, pay_day, 16542, "HMRC", alex, note="PAYE and NI for the month")
            _spend(dp, pension, pay_day, 3318, "NEST Pensions", alex)
            picture = _receipt_image(f"Payroll Plus Ltd\n{pay_day:%B %Y}\nTotal GBP 32.50")
            slip = save_receipt(dp.id, CheckedReceipt(picture, "image/png", f"payroll-{pay_day:%Y-%m}.png"),
                                alex, upload_dir)
            _spend(dp, payroll, pay_day, 3250, "Payroll Plus Ltd", alex, receipt=slip)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    policy = save_receipt(dp.id, CheckedReceipt(_receipt_image("Carers Cover Insurance\nPolicy EL-20419\nGBP 95.00"),
                                                "image/png", "insurance-schedule.png"), alex, upload_dir)
    _spend(dp, insurance, start + timedelta(days=3), 9500, "Carers Cover Insurance", alex, receipt=policy)
    _spend(dp, chair, start + timedelta(days=40), 38900, "Mobility Direct", alex, note="Shower chair with arms")
    _spend(dp, respite, start + timedelta(days=95), 54000, "Seaview Respite House", alex, note="3 nights")

    # Priya: a managed account the provider pays from.
    priya = users["ma.holder@example.org"]
    staff = users["provider@example.org"]
    ma, ma_lines = _budget("Priya Shah", priya, council, "managed_account", provider_org, cm, start, MA_LINES)
    _funding(ma, ma_lines, start, now, cm)
    visits, fee, centre = ma_lines
    week = start
    while week <= now:
        _spend(ma, visits, week, 34300, "Homecare Partners Ltd", staff, note="14 hours")
        _spend(ma, centre, week + timedelta(days=2), 9600, "Oakwood Day Centre", staff)
        week += timedelta(weeks=1)
    month = start
    while month <= now:
        _spend(ma, fee, month, 3500, "Demo Managed Accounts", staff)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)

    # Sam: another direct payment, to show people cannot see each other's budgets.
    sam = users["second.holder@example.org"]
    second, second_lines = _budget("Sam Okafor", sam, council, "direct_payment", None, cm, start, SECOND_LINES)
    _funding(second, second_lines, start, now, cm)
    pa, sam_payroll, gym = second_lines
    week = start + timedelta(days=3)
    while week <= now:
        _spend(second, pa, week, 14200, "Ben Carter", sam)
        week += timedelta(weeks=1)
    _spend(second, gym, start + timedelta(days=5), 3200, "City Gym", sam)

    record("demo.loaded", None, actor=None, budget_id=None, budgets=[dp.id, ma.id, second.id])
    db.session.commit()
    return True
