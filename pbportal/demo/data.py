"""The demo data: realistic budgets the README's demo logins open. Dates are relative to today."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import select

from ..audit import record
from ..auth.models import Organisation, User
from ..banking import matching
from ..banking.models import LineComment, StatementLine
from ..banking.services import import_statement, save_layout
from ..banking.statement_csv import Layout
from ..budget.models import Budget, BudgetLine, HeldAs, IncomeSource, MoneyIn, Plan, PlanStatus, Representative
from ..budget.services import annual_pence
from ..contingency.services import save_arrangement, save_last_resort, save_risk
from ..employment.models import (
    AllowanceClaim,
    DelegatedTask,
    Employer,
    EmploymentCheck,
    PayRate,
    PersonalAssistant,
    Training,
)
from ..employment.rates import seed_statutory_rates, tax_year_start
from ..employment.services import pay_lines, record_pay
from ..extensions import db
from ..reconciliation.periods import close_period, open_period
from ..reconciliation.returns import submit_return
from ..reviews.models import RequestEvent, Review, ReviewRequest
from ..reviews.services import add_months, money_position, refresh_next_review
from ..spending.figures import budget_figures
from ..spending.models import SpendingEntry
from ..spending.receipts import CheckedReceipt
from ..spending.services import save_receipt
from ..storage import upload_location
from ..timeutil import today, utcnow
from .statements import (
    BANK_LAYOUT,
    MA_LINES,
    PRIYA_OPENING_PENCE,
    priya_transactions,
    statement_csv,
)

PASSWORD = "demo-password"

USERS = [
    ("dp.holder@example.org", "Alex Morgan", "holder", None),
    ("ma.holder@example.org", "Priya Shah", "holder", None),
    ("second.holder@example.org", "Sam Okafor", "holder", None),
    ("ma.second@example.org", "Margaret Ellis", "holder", None),
    ("ma.third@example.org", "Daniel Osei", "holder", None),
    ("ma.fourth@example.org", "Hannah Whitfield", "holder", None),
    ("ma.fifth@example.org", "Tariq Hussain", "holder", None),
    ("rep@example.org", "Jo Morgan", "representative", None),
    ("provider@example.org", "Chris Lee", "provider_staff", "Demo Managed Accounts"),
    ("case.manager@example.org", "Dana Hughes", "case_manager", "Demo Council"),
    ("council.admin@example.org", "Rowan Clarke", "org_admin", "Demo Council"),
    ("provider.admin@example.org", "Lee Barker", "org_admin", "Demo Managed Accounts"),
    ("admin@example.org", "Pat Admin", "admin", None),
]

# item, outcome, category, unit, quantity, unit cost (pence), frequency
DP_LINES = [
    ("Personal assistant wages", "Get up, washed and dressed every morning", "pa_wages", "hour", "30", 1271, "weekly"),
    ("HMRC: PAYE and National Insurance", "Employ my PAs legally", "hmrc", "month", "1", 18100, "monthly"),
    ("Workplace pension", "Employ my PAs legally", "pension", "month", "1", 5700, "monthly"),
    ("Payroll service", "Employ my PAs legally", "fees", "week", "1", 750, "weekly"),
    ("Employer's liability insurance", "Employ my PAs safely", "insurance", "year", "1", 9500, "yearly"),
    ("Respite breaks", "Give my family a rest and have a change of scene", "respite", "day", "6", 18000, "yearly"),
    ("Riverside Arts Club", "See my friends every week", "day_activities", "week", "1", 2500, "weekly"),
    ("Shower chair", "Wash safely on my own", "equipment", "item", "1", 45000, "one_off"),
]

# More accounts Demo Managed Accounts holds. The provider records their payments as it makes them; no bank
# statement has been imported for them yet. Each weekly payment is (line, days after the plan starts, pence,
# payee, note); each monthly one (line, pence, payee) on the 1st; each one-off (line, days after, pence, payee,
# note).
MORE_MANAGED = [
    {"email": "ma.second@example.org", "person": "Margaret Ellis", "funder": "Demo Council", "caseload": True,
     "months": 3, "lines": [
         ("Home care visits", "Get up, washed and dressed safely each morning", "agency_care", "hour", "7", 2450,
          "weekly"),
         ("Lunch club", "Have a hot meal and see my friends", "day_activities", "day", "2", 850, "weekly"),
         ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly")],
     "weekly": [(0, 0, 17150, "Caring Hands Homecare", "7 hours"), (1, 2, 1700, "St Mary's Lunch Club", "")],
     "monthly": [(2, 3500, "Demo Managed Accounts")], "one_off": [],
     "contingency": {"scenario": "own", "title": "The agency cannot send a carer",
                     "what_happens": "Caring Hands ring my daughter Ruth, who comes in for the morning visit.",
                     "who_steps_in": "Ruth Ellis (my daughter)", "contact": "07700 900612"}},
    {"email": "ma.third@example.org", "person": "Daniel Osei", "funder": "Demo Integrated Care Board",
     "caseload": False, "months": 2, "lines": [
         ("Support worker hours", "Get out into my community and back to college", "agency_care", "hour", "10",
          2300, "weekly"),
         ("Hydrotherapy", "Keep my joints moving and my pain down", "other", "day", "1", 4500, "weekly"),
         ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly")],
     "weekly": [(0, 1, 23000, "Brightpath Support Ltd", "10 hours"),
                (1, 4, 4500, "Riverside Hydrotherapy Pool", "")],
     "monthly": [(2, 3500, "Demo Managed Accounts")], "one_off": [], "contingency": None},
    {"email": "ma.fourth@example.org", "person": "Hannah Whitfield", "funder": "Demo Council", "caseload": True,
     "months": 4, "lines": [
         ("Community support", "Go swimming and shopping on my own terms", "agency_care", "hour", "6", 2400,
          "weekly"),
         ("Short breaks", "Give my parents a rest", "respite", "day", "12", 9500, "yearly"),
         ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly")],
     "weekly": [(0, 3, 14400, "Northside Community Support", "6 hours")],
     "monthly": [(2, 3500, "Demo Managed Accounts")],
     "one_off": [(1, 45, 28500, "Seaside Short Breaks", "3 nights")], "contingency": None},
    {"email": "ma.fifth@example.org", "person": "Tariq Hussain", "funder": "Demo Integrated Care Board",
     "caseload": False, "months": 1, "lines": [
         ("Waking night care", "Be safe and turned at night", "agency_care", "hour", "30", 1850, "weekly"),
         ("Continence supplies", "Stay comfortable and keep my skin healthy", "equipment", "month", "1", 4200,
          "monthly"),
         ("Managed account fee", "Have my money looked after", "fees", "month", "1", 3500, "monthly")],
     "weekly": [(0, 0, 55500, "Nightingale Care Services", "3 nights")],
     "monthly": [(1, 4200, "Home Delivery Continence Ltd"), (2, 3500, "Demo Managed Accounts")], "one_off": [],
     "contingency": None},
]

# Priya's bank account: the statement the demo imports, and the sample statement that follows it.
SECOND_LINES = [
    ("Personal assistant wages", "Get to work and stay in work", "pa_wages", "hour", "12", 1300, "weekly"),
    ("Payroll service", "Employ my PA legally", "fees", "month", "1", 3000, "monthly"),
    ("Gym membership", "Keep my pain manageable", "day_activities", "month", "1", 3200, "monthly"),
]


# How people reach each demo organisation (made-up numbers from Ofcom's range for drama, 0161 496 0xxx).
CONTACTS = {
    "Demo Council": ("0161 496 0100", "direct.payments@example.org", "Monday to Friday, 9am to 5pm"),
    "Demo Integrated Care Board": ("0161 496 0200", "personal.health.budgets@example.org",
                                   "Monday to Friday, 8:30am to 4:30pm"),
    "Demo Managed Accounts": ("0161 496 0300", "accounts@example.org", "Monday to Friday, 9am to 4pm"),
}


def _org(name: str, kind: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind)
        org.contact_phone, org.contact_email, org.contact_hours = CONTACTS.get(name, ("", "", ""))
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
                    case_manager=case_manager, plan_year_start=start,
                    provider_accepted_at=utcnow() if provider is not None else None)
    db.session.add(budget)
    db.session.flush()
    plan = Plan(budget_id=budget.id, version=1, status=PlanStatus.DRAFT, starts_on=start)
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
                               source=IncomeSource.FUNDER, note="4-weekly direct payment", created_by_id=actor.id))
        day += timedelta(weeks=4)
    if contribution_pence:
        month = start
        while month <= until:
            db.session.add(MoneyIn(budget_id=budget.id, received_on=month, amount_pence=contribution_pence,
                                   source=IncomeSource.CONTRIBUTION, note="My assessed contribution",
                                   created_by_id=actor.id))
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _spend(budget, line, paid_on, pence, payee, actor, note="", receipt=None):
    entry = SpendingEntry(budget_id=budget.id, line_id=line.id, paid_on=paid_on, amount_pence=pence, payee=payee,
                          category=line.category, note=note, receipt=receipt, created_by_id=actor.id)
    db.session.add(entry)
    return entry


def _first_of_month(day: date, months_back: int = 0) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _more_managed(users, orgs, provider_org, staff, cm, now) -> list[Budget]:
    """Four more people whose budgets Demo Managed Accounts holds, two of them on Dana's caseload."""
    made = []
    for spec in MORE_MANAGED:
        start = _first_of_month(now, spec["months"])
        holder = users[spec["email"]]
        budget, lines = _budget(spec["person"], holder, orgs[spec["funder"]], HeldAs.MANAGED_ACCOUNT, provider_org,
                                cm if spec["caseload"] else None, start, spec["lines"])
        _funding(budget, lines, start, now, staff)
        for index, offset, pence, payee, note in spec["weekly"]:
            day = start + timedelta(days=offset)
            while day <= now:
                _spend(budget, lines[index], day, pence, payee, staff, note=note)
                day += timedelta(weeks=1)
        for index, pence, payee in spec["monthly"]:
            day = start
            while day <= now:
                _spend(budget, lines[index], day, pence, payee, staff)
                day = _next_month(day)
        for index, offset, pence, payee, note in spec["one_off"]:
            if start + timedelta(days=offset) <= now:
                _spend(budget, lines[index], start + timedelta(days=offset), pence, payee, staff, note=note)
        db.session.flush()
        if spec["contingency"]:
            save_arrangement(budget.id, dict({"title": "", "expected_cost_pence": None, "line_id": lines[0].id},
                                             **spec["contingency"]), holder)
        made.append(budget)
    return made


# ---- Priya's bank account -------------------------------------------------------------------------------

def _statement_end(now: date) -> date:
    """Where Priya's imported statement, and the period reconciled, end: the last day of the latest month that
    ended at least two weeks ago, so that two to six weeks are left for the sample statement."""
    end = _first_of_month(now) - timedelta(days=1)
    if (now - end).days < 14:
        end = _first_of_month(end) - timedelta(days=1)
    return end


def _priya_bank(ma, ma_lines, priya, staff, now) -> None:
    """Priya's statement from the plan's start to the end of a recent month: imported, every line matched (which
    teaches the rules that suggest where the next statement's lines go), the period reconciled and closed, and
    the monitoring return for it submitted. Priya asked about one line and the provider answered."""
    visits, _fee, centre = ma_lines
    start, end = ma.plan_year_start, _statement_end(now)
    content, closing = statement_csv(ma.person_name, priya_transactions(start, start, end, combined={10}),
                                     PRIYA_OPENING_PENCE)
    save_layout(ma.id, Layout(**BANK_LAYOUT), staff)
    statement = import_statement(ma.id, f"statement-{start:%Y%m%d}-{end:%Y%m%d}.csv", content, staff)
    plan = matching.PlanIndex.load(ma.id)
    escort = None
    for line in db.session.scalars(select(StatementLine).where(StatementLine.statement_id == statement.id)
                                   .order_by(StatementLine.line_date, StatementLine.id)).all():
        if "ESCORT" in line.description:  # one invoice for two lines of the plan: split
            matching.match_to_lines(ma, line, line.version, [(visits, 34300), (centre, -line.amount_pence - 34300)],
                                    "Homecare Partners Ltd", staff, plan)
            escort = line
            continue
        suggestion = matching.suggestions(ma, [line], plan).get(line.id)
        if suggestion is not None:  # the fee recorded already, the council by name, then the rules learned
            matching.apply(ma, line, line.version, suggestion, staff, plan)
        else:  # the first line of its kind: matched by hand, which teaches the rule
            target = visits if line.description.startswith("HOMECARE") else centre
            matching.match_to_lines(ma, line, line.version, [(target, -line.amount_pence)], "", staff, plan)
    period = open_period(ma.id, start, end, PRIYA_OPENING_PENCE, closing, staff)
    close_period(period, period.version, closing, "", staff)  # refuses if the books did not agree with the bank
    submit_return(ma, start, end, staff, comment="Every line matched; nothing to explain.")
    db.session.add(LineComment(
        budget_id=ma.id, statement_line_id=escort.id, text="Why was this payment more than usual?",
        status="answered", created_by_id=priya.id, answered_by_id=staff.id, answered_at=utcnow(),
        answer="Homecare Partners also took you to the day centre that week, so £48.00 of it is on the day "
               "centre line."))


# A week's pay as the payroll bureau works it out (2026/27): Maria, 22 hours at £12.90, pays a little tax and
# employee NI and is enrolled in the workplace pension; Tom, 8 hours at £13.50, earns under every threshold.
MARIA_WEEK = {"hours": Decimal("22"), "gross_pence": 28380, "employer_ni_pence": 2817, "employee_pension_pence": 819,
              "employer_pension_pence": 491, "net_pence": 26391}
TOM_WEEK = {"hours": Decimal("8"), "gross_pence": 10800, "employer_ni_pence": 180, "employee_pension_pence": 0,
            "employer_pension_pence": 0, "net_pence": 10800}


def _employment(dp, alex, wages_line, now):
    """Alex employs Maria (with a delegated task) and Tom (whose DBS renewal is close), and pays an agency
    worker, Kemi, as self-employed. Returns Maria and Tom."""
    start = dp.plan_year_start
    maria = PersonalAssistant(budget_id=dp.id, name="Maria Santos", phone="07700 900123", start_date=date(2023, 9, 4),
                              date_of_birth=date(1979, 6, 14), employment_type="employed", line_id=wages_line.id,
                              hours_per_week=Decimal("22"), pension_enrolled_on=date(2023, 12, 4))
    maria.rates = [PayRate(budget_id=dp.id, kind="day", hourly_pence=1290, hours_per_week=Decimal("22"))]
    tom = PersonalAssistant(budget_id=dp.id, name="Tom Price", phone="07700 900456", start_date=date(2025, 2, 3),
                            date_of_birth=date(2003, 1, 22), employment_type="employed", irregular_hours=True,
                            line_id=wages_line.id, hours_per_week=Decimal("8"))
    tom.rates = [PayRate(budget_id=dp.id, kind="weekend", hourly_pence=1350, hours_per_week=Decimal("8"))]
    kemi = PersonalAssistant(budget_id=dp.id, name="Kemi Adeyemi", email="kemi@example.org",
                             start_date=start + timedelta(days=30), employment_type="self_employed",
                             line_id=wages_line.id, hours_per_week=Decimal("0"))
    kemi.rates = [PayRate(budget_id=dp.id, kind="night", hourly_pence=1800, hours_per_week=Decimal("0"))]
    db.session.add_all([maria, tom, kemi])
    db.session.flush()
    checks = [
        (maria, "right_to_work", date(2023, 8, 30), None, "British passport seen and copied"),
        (maria, "contract", date(2023, 9, 4), None, "Signed contract, copy in the folder"),
        (maria, "dbs", date(2023, 8, 21), None, "Enhanced DBS with barred list, certificate seen"),
        (tom, "right_to_work", date(2025, 1, 28), None, "Share code checked online"),
        (tom, "contract", date(2025, 2, 3), None, "Signed contract"),
        (tom, "dbs", now - timedelta(days=1075), now + timedelta(days=20), "Enhanced DBS certificate seen"),
        (kemi, "dbs", start + timedelta(days=25), None, "On the Update Service: status checked"),
    ]
    for pa, kind, checked, expires, evidence in checks:
        dbs = kind == "dbs"
        db.session.add(EmploymentCheck(pa_id=pa.id, budget_id=dp.id, kind=kind, checked_on=checked, expires_on=expires,
                                       evidence=evidence, dbs_level="enhanced_barred" if dbs else "",
                                       dbs_update_service=pa is maria and dbs, created_by_id=alex.id))
    db.session.add_all([
        Training(pa_id=maria.id, budget_id=dp.id, course="Moving and handling", completed_on=now - timedelta(days=300),
                 expires_on=now + timedelta(days=65), cost_pence=4500),
        Training(pa_id=tom.id, budget_id=dp.id, course="First aid at work", completed_on=now - timedelta(days=200),
                 expires_on=now + timedelta(days=895), cost_pence=9500),
        DelegatedTask(pa_id=maria.id, budget_id=dp.id, task="PEG feeding", practitioner="Nurse Helen Brooks",
                      practitioner_registration="NMC 12A3456E", trained_on=now - timedelta(days=120),
                      signed_off_by="Helen Brooks", signed_off_on=now - timedelta(days=110),
                      review_on=now + timedelta(days=70)),
        Employer(budget_id=dp.id, paye_reference="123/AB45678", hmrc_registered_on=date(2023, 8, 1),
                 insurer="Carers Cover Insurance", policy_number="EL-20419", insurance_renews_on=start + timedelta(
                     days=365), insurance_covers_delegated_tasks=True, insurance_premium_pence=9500,
                 payroll_fee_pence_per_year=39000, care_duties_only=True),
        AllowanceClaim(budget_id=dp.id, tax_year_start=tax_year_start(now), claimed=True),
    ])
    db.session.flush()
    return maria, tom


def _contingency_and_reviews(dp, ma, second, alex, sam, cm, rep, dp_lines, now):
    """Alex has a contingency plan and risks; Alex's first review is overdue; Sam has asked for a review."""
    wages = dp_lines[0]
    for values in (
        {"scenario": "pa_sick", "what_happens": "Tom covers Maria's mornings; if he cannot, call Helping Hands.",
         "who_steps_in": "Tom Price (back-up PA)", "contact": "07700 900456", "expected_cost_pence": 38130,
         "line_id": wages.id},
        {"scenario": "pa_leave", "what_happens": "Kemi covers planned holidays, booked a month ahead.",
         "who_steps_in": "Kemi Adeyemi", "contact": "07700 900789", "expected_cost_pence": 21600,
         "line_id": wages.id},
        {"scenario": "holder_unwell", "what_happens": "Jo tells the ward about my PEG feeding routine and brings "
                                                      "my care folder. PAs keep their hours for 2 weeks.",
         "who_steps_in": "Jo Morgan (my sister)", "contact": "07700 900321", "expected_cost_pence": None,
         "line_id": None},
        {"scenario": "money_late", "what_happens": "Pay Maria and Tom from the contingency reserve and tell the "
                                                   "council's direct payments team the same day.",
         "who_steps_in": "Direct payments team", "contact": "0300 123 4567", "expected_cost_pence": None,
         "line_id": None},
    ):
        save_arrangement(dp.id, dict({"title": ""}, **values), alex)
    save_last_resort(dp.id, "Demo Council out-of-hours social care", "0300 123 9999", alex)
    save_risk(dp.id, {"description": "Falls when transferring from bed to chair", "status": "mitigated",
                      "mitigation": "Two-person transfer in the mornings; PAs trained in moving and handling",
                      "accepted_by": "", "accepted_on": None, "review_on": now + timedelta(days=90)}, alex)
    save_risk(dp.id, {"description": "Going to football matches alone", "status": "accepted", "mitigation": "",
                      "accepted_by": "Alex Morgan, who has capacity and chooses this",
                      "accepted_on": now - timedelta(days=40), "review_on": now + timedelta(days=140)}, rep)

    for budget in (ma, second):
        held = now - timedelta(days=45)
        money = money_position(budget_figures(budget, held, as_it_stood=True), held)  # the money as it stood that day
        db.session.add(Review(budget_id=budget.id, held_on=held, plan_pence=money.plan_pence,
                              expected_pence=money.expected_pence, spent_pence=money.spent_pence,
                              received_pence=money.received_pence, decision="maintain",
                              decision_notes="Outcomes are being met.", next_review_on=add_months(held, 12),
                              recorded_by_id=cm.id))
    request = ReviewRequest(budget_id=second.id, reason="money_building", urgency="routine",
                            details="Money is building up because my PA has been off. Can we talk about it?",
                            requested_by_id=sam.id, status="acknowledged")
    db.session.add(request)
    db.session.flush()
    db.session.add_all([
        RequestEvent(request_id=request.id, status="requested", by_id=sam.id, note=request.details),
        RequestEvent(request_id=request.id, status="acknowledged", by_id=cm.id, note="I will call you this week."),
    ])
    db.session.flush()
    for budget in (dp, ma, second):
        refresh_next_review(budget)


def load_demo_data() -> bool:
    """Create the demo world once; return False if it is already there."""
    seed_statutory_rates()
    if db.session.scalar(select(User).where(User.email == "dp.holder@example.org")) is not None:
        db.session.commit()
        return False
    council = _org("Demo Council", "council")
    icb = _org("Demo Integrated Care Board", "nhs")
    provider_org = _org("Demo Managed Accounts", "provider")
    orgs = {"Demo Council": council, "Demo Integrated Care Board": icb, "Demo Managed Accounts": provider_org}
    users = {}
    for email, name, role, org_name in USERS:
        # No demo account needs a second factor to sign in (other checks sign in as them); staff are offered it.
        user = User(email=email, name=name, role=role, organisation=orgs.get(org_name), two_factor_exempt=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        users[email] = user
    db.session.flush()
    cm = users["case.manager@example.org"]
    now = today()
    # The first of the month six months before yesterday's: Alex's first review (six months after the first
    # payment, on the plan's first day) is then always past, even when the demo is loaded on the 1st.
    anchor = now - timedelta(days=1)
    start = date(anchor.year - (anchor.month <= 6), (anchor.month - 7) % 12 + 1, 1)

    # Alex: a direct payment with two PAs and about six months of spending.
    alex = users["dp.holder@example.org"]
    dp, lines = _budget("Alex Morgan", alex, council, HeldAs.DIRECT_PAYMENT, None, cm, start, DP_LINES)
    db.session.add(Representative(budget_id=dp.id, user_id=users["rep@example.org"].id, kind="nominated",
                                  evidence="Nomination form signed by Alex, kept by Demo Council"))
    wages, _hmrc, _pension, payroll, insurance, respite, arts, chair = lines
    _funding(dp, lines, start, now, cm, contribution_pence=4000)
    db.session.add(MoneyIn(budget_id=dp.id, received_on=start - timedelta(days=1), amount_pence=150000,
                           source=IncomeSource.OTHER, note="Balance carried forward from last year",
                           created_by_id=alex.id))
    upload_dir = upload_location()
    maria, tom = _employment(dp, alex, wages, now)
    week = start + timedelta(days=(4 - start.weekday()) % 7)  # Fridays
    n = 0
    while week <= now:
        # Alex records each week's pay (from the payroll bureau's payslips), which records the payments to the
        # PA, HMRC and the pension: what the PA pages and the spending list show is one story.
        period = (week - timedelta(days=6), week)
        for pa, pay in ((maria, MARIA_WEEK), (tom, TOM_WEEK)):
            record_pay(pa, dict(pay, period_start=period[0], period_end=period[1], paid_on=week),
                       pay_lines(dp, pa), alex)
        if n % 3 != 1:
            _spend(dp, arts, week - timedelta(days=2), 2500, "Riverside Arts Club", alex)
        n += 1
        week += timedelta(weeks=1)
    month = start
    while month <= now:
        pay_day = month + timedelta(days=21)
        if pay_day <= now:
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

    # Priya: a managed account the provider pays from, its first statement matched and reconciled.
    priya = users["ma.holder@example.org"]
    staff = users["provider@example.org"]
    ma, ma_lines = _budget("Priya Shah", priya, council, HeldAs.MANAGED_ACCOUNT, provider_org, cm, start, MA_LINES)
    month = start
    while month <= now:  # the provider records its own fee when it takes it
        _spend(ma, ma_lines[1], month, 3500, "Demo Managed Accounts", staff, note="Monthly fee")
        month = _next_month(month)
    db.session.flush()
    _priya_bank(ma, ma_lines, priya, staff, now)
    more = _more_managed(users, orgs, provider_org, staff, cm, now)

    # Sam: another direct payment, to show people cannot see each other's budgets.
    sam = users["second.holder@example.org"]
    second, second_lines = _budget("Sam Okafor", sam, council, HeldAs.DIRECT_PAYMENT, None, cm, start, SECOND_LINES)
    _funding(second, second_lines, start, now, cm)
    pa, sam_payroll, gym = second_lines
    week = start + timedelta(days=3)
    while week <= now:
        _spend(second, pa, week, 14200, "Ben Carter", sam)
        week += timedelta(weeks=1)
    _spend(second, gym, start + timedelta(days=5), 3200, "City Gym", sam)

    _contingency_and_reviews(dp, ma, second, alex, sam, cm, users["rep@example.org"], lines, now)

    for budget in more:
        refresh_next_review(budget)
    record("demo.loaded", None, actor=None, budget_id=None, budgets=[dp.id, ma.id, second.id, *(b.id for b in more)],
           sample_statements=[ma.id])
    db.session.commit()
    return True
