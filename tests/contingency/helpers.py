"""Contingency plans' arrangements and risks, made directly (set-up, not what is tested)."""
from __future__ import annotations

from datetime import timedelta

from pbportal.contingency.models import Arrangement, ContingencyPlan, Risk
from pbportal.extensions import db
from pbportal.timeutil import today


def add_arrangement(budget, scenario="pa_sick", cost=None, **values) -> Arrangement:
    arrangement = Arrangement(budget_id=budget.id, scenario=scenario, title=values.get("title", ""),
                              what_happens=values.get("what_happens", "Sam covers the calls"),
                              who_steps_in=values.get("who_steps_in", "Sam Backup"),
                              contact=values.get("contact", "07700 900123"), expected_cost_pence=cost)
    db.session.add(arrangement)
    if db.session.query(ContingencyPlan).filter_by(budget_id=budget.id).first() is None:
        db.session.add(ContingencyPlan(budget_id=budget.id))
    db.session.flush()
    return arrangement


def add_risk(budget, by, **values) -> Risk:
    risk = Risk(budget_id=budget.id, description=values.get("description", "Falls at night"),
                status=values.get("status", "mitigated"), mitigation=values.get("mitigation", "A bed sensor"),
                accepted_by=values.get("accepted_by", ""), accepted_on=values.get("accepted_on"),
                review_on=values.get("review_on", today() + timedelta(days=60)), recorded_by_id=by.id)
    db.session.add(risk)
    db.session.flush()
    return risk
