"""Factories and helpers the employment tests share: PAs, their pay and checks, and reading the pages."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from pbportal.audit import AuditEvent
from pbportal.budget.models import Budget
from pbportal.budget.services import current_plan, plan_lines
from pbportal.employment.models import EmploymentCheck, PayRate, PersonalAssistant
from pbportal.employment.services import employment_lines, record_pay
from pbportal.extensions import db
from pbportal.spending.figures import budget_figures
from pbportal.timeutil import today

from ..support import parts

PA = "/budgets/{dp}/pas/{pa}"
MA_PA = "/budgets/{ma}/pas/{ma_pa}"


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



def pa_form(world, **overrides):
    data = {"name": "Jo Bloggs", "phone": "07700 900123", "email": "",
            "start_date": parts(world.dp.plan_year_start + timedelta(days=3)), "employment_type": "employed",
            "day_rate": "13.00", "day_hours": "20", "night_rate": "14.50", "night_hours": "10",
            "weekend_rate": "", "weekend_hours": "", "line_id": str(world.lines["wages"].id),
            "pay_frequency": "weekly", "pay_weekday": "4", "working_days": ["0", "1", "2", "3", "4"]}
    data.update(overrides)
    return data


def pay_data(start, end=None, *, hours="80", gross="1,000.00", employer_ni="50", employee_pension="30",
             employer_pension="20", net="800", paid_on=None):
    return {"period_start": parts(start), "period_end": parts(end or start + timedelta(days=27)), "hours": hours,
            "gross": gross, "employer_ni": employer_ni, "employee_pension": employee_pension,
            "employer_pension": employer_pension, "net": net, "paid_on": parts(paid_on or today())}
