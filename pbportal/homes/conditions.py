"""What is wrong with a budget now, from every area (spending, the contingency plan, employment), handed to
notifications.conditions to tell people when each problem starts. Looked at again after every request that
changed a budget's records, and for every budget in the daily reminders."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..budget.access import holder_side_people
from ..budget.models import Budget
from ..contingency.services import contingency_for
from ..employment.rates import rates_on
from ..employment.services import employment_for
from ..employment.warnings import BELOW_MINIMUM_WAGE, PLAN_SHORT
from ..extensions import db
from ..money import format_pence
from ..notifications import conditions
from ..notifications.conditions import Condition
from ..notifications.models import Kind
from ..notifications.services import path_for
from ..spending.figures import budget_figures
from ..timeutil import today

log = logging.getLogger(__name__)

WARNING_KINDS = {BELOW_MINIMUM_WAGE: Kind.PAY_BELOW_MINIMUM, PLAN_SHORT: Kind.PLAN_SHORT_OF_COST}
WEEKS_A_YEAR = 52


def conditions_of(budget: Budget, on: date) -> list[Condition]:
    page = path_for("homes.budget", budget_id=budget.id)
    found = []
    figures = budget_figures(budget, on)
    for line in figures.lines:
        if line.spent_pence > line.annual_pence:
            found.append(Condition(
                f"overspent:{line.line.lineage}",
                f"{line.line.item} is overspent: {format_pence(line.spent_pence)} spent this plan year, against "
                f"{format_pence(line.annual_pence)} in the plan", page, Kind.LINE_OVERSPENT))
    if figures.received_pence > 0:
        held = figures.held_pence
        weeks = budget.funder.contingency_weeks
        if contingency_for(budget.id).covered(held, weeks) is False:
            found.append(Condition(
                "money_low", f"The money held ({format_pence(held)}) is less than {weeks} weeks of the costliest "
                f"contingency arrangement, which the funder expects kept for emergencies",
                path_for("contingency.show", budget_id=budget.id), Kind.MONEY_LOW))
        weekly = figures.total_pence // WEEKS_A_YEAR
        surplus_weeks = budget.funder.surplus_weeks
        if weekly > 0 and held > weekly * surplus_weeks:
            found.append(Condition(
                "money_surplus", f"The money held ({format_pence(held)}) is more than {surplus_weeks} weeks of the "
                f"budget ({format_pence(weekly * surplus_weeks)}): the funder may ask for some of it back", page,
                Kind.MONEY_SURPLUS))
    emp = employment_for(budget.id, on)
    for warning in emp.warnings:
        if not warning.urgent:
            continue
        if warning.code == PLAN_SHORT:
            # Told when it first becomes true, and again when a rate changes (a PA's pay, a statutory figure) or a
            # new plan year starts; not again while only the amounts recorded move the shortfall.
            rates = sorted((pa.id, r.kind, r.hourly_pence) for pa in emp.current_pas for r in pa.rates)
            basis = repr((emp.cost.year_label if emp.cost else "", rates, sorted(rates_on(on).values.items())))
            key = f"{PLAN_SHORT}:{hashlib.sha1(basis.encode()).hexdigest()[:16]}"
        else:
            digest = hashlib.sha1(warning.text.encode()).hexdigest()[:16]  # the text names the rate and dates
            key = f"{warning.code or 'warning'}:{warning.pa_id or 0}:{digest}"
        link = (path_for("employment.show", budget_id=budget.id, pa_id=warning.pa_id) if warning.pa_id
                else path_for("employment.index", budget_id=budget.id))
        found.append(Condition(key, warning.text, link, WARNING_KINDS.get(warning.code)))
    return found


def recheck(budget_ids: Iterable[int], on: date | None = None) -> int:
    """Look again at these budgets' conditions (in the current transaction). People told."""
    on = on or today()
    count = 0
    budgets = db.session.scalars(select(Budget).options(joinedload(Budget.holder), joinedload(Budget.case_manager),
                                                        joinedload(Budget.funder))
                                 .where(Budget.id.in_(sorted(budget_ids)), Budget.ended_on.is_(None))
                                 .order_by(Budget.id)).all()
    for budget in budgets:
        count += conditions.apply(budget.id, budget.person_name, holder_side_people(budget), budget.case_manager,
                                  conditions_of(budget, on), on, path_for("homes.budget", budget_id=budget.id))
    return count


def recheck_all(on: date | None = None, batch: int = 100) -> int:
    """Every budget, a batch at a time, each batch committed (the daily reminders)."""
    count, after = 0, 0
    while True:
        ids = db.session.scalars(select(Budget.id).where(Budget.id > after, Budget.ended_on.is_(None))
                                 .order_by(Budget.id).limit(batch)).all()
        if not ids:
            return count
        try:
            count += recheck(ids, on)
            db.session.commit()
        except Exception:  # noqa: BLE001 - one budget's fault must not stop everyone else's reminders
            db.session.rollback()
            for budget_id in ids:  # again one by one, so only the faulty budget is left out (and logged)
                try:
                    count += recheck([budget_id], on)
                    db.session.commit()
                except Exception:  # noqa: BLE001
                    db.session.rollback()
                    log.exception("Could not look at budget %s's standing problems", budget_id)
        after = ids[-1]


def register(app: Flask) -> None:
    """After a request that changed budgets' records, look again at those budgets' conditions."""
    conditions.watch()

    @app.after_request
    def _recheck_changed(response):
        changed = conditions.take_changed()
        if changed and response.status_code < 400:
            try:
                recheck(changed)
                db.session.commit()
            except Exception:  # telling people must never break what they just did, which is saved
                db.session.rollback()
                log.exception("Could not look again at the conditions of budgets %s", sorted(changed))
        return response
