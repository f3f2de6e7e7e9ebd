"""Helpers that tests of several areas share: dates as forms and pages write them, signing in, pages and the
audit log, money in, and plan versions. Not a test module: nothing here is collected."""
from __future__ import annotations

import re
from datetime import date

import pyotp

from pbportal.audit import AuditEvent
from pbportal.budget.models import MoneyIn, Plan
from pbportal.budget.services import agree_plan
from pbportal.extensions import db

from .conftest import EMAIL, login


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def short(day: date) -> str:
    return f"{day:%-d %b %Y}"


def signed_in(app, role: str):
    client = app.test_client()
    login(client, EMAIL[role])
    return client


def page_of(response) -> str:
    return response.get_data(as_text=True)


def audits(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def pay_in(budget, pence, day=None, source="funder") -> MoneyIn:
    item = MoneyIn(budget_id=budget.id, received_on=day or budget.plan_year_start, amount_pence=pence,
                   source=source)
    db.session.add(item)
    db.session.flush()
    return item


def plan_of(budget, version=1) -> Plan:
    return db.session.query(Plan).filter_by(budget_id=budget.id, version=version).one()


def agree_v1(world, budget=None):
    plan = plan_of(budget or world.dp)
    agree_plan(plan, world.case_manager)
    db.session.commit()
    return plan


def set_up_two_factor(client) -> str:
    """Set up two-factor sign-in as the signed-in person would: read the key off the page, type the app's code.
    Returns the key (for the codes of later sign-ins)."""
    page = page_of(client.get("/your-account/two-factor"))
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/your-account/two-factor", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 303, page_of(response)[:2000]
    return key
