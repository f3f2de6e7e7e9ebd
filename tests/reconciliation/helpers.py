"""Reconciliation periods for the reconciliation and matching tests: starting and closing them through the
pages, a closed period made directly, and reading what the pages say."""
from __future__ import annotations

import re
from datetime import timedelta

from pbportal.money import pence_to_input
from pbportal.reconciliation import periods as psvc
from pbportal.reconciliation.models import ReconciliationPeriod

from ..banking.helpers import fresh


def dmy(day):
    return [str(day.day), str(day.month), str(day.year)]


def start_period(client, budget, end, statement, *, start=None, opening=None):
    data = {"ends_on": dmy(end), "statement": statement}
    if start is not None:
        data |= {"starts_on": dmy(start), "opening": opening}
    return client.post(f"/budgets/{budget.id}/reconciliation", data=data)


def close(client, budget, period_id, *, explanation="", statement=None, version=None):
    period = fresh(ReconciliationPeriod, period_id)
    return client.post(f"/budgets/{budget.id}/reconciliation/{period_id}", data={
        "close-version": period.version if version is None else version,
        "close-statement": statement or pence_to_input(period.statement_balance_pence),
        "close-explanation": explanation})


def closed_period(budget, actor, last_day, statement_pence, explanation="Lines still to match"):
    """A period opened and closed through the services (set-up, not what is tested)."""
    start = budget.plan_year_start
    period = psvc.open_period(budget.id, start, start + timedelta(days=last_day), 0, statement_pence, actor)
    psvc.close_period(period, period.version, statement_pence, explanation, actor)
    return period


def figure(body, label):
    found = re.search(rf">{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def flashed(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client.get(response.location).get_data(as_text=True)
