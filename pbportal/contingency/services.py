"""Contingency arrangements, risks and share links."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..timeutil import today, utcnow
from .models import Arrangement, ContingencyPlan, Risk, RiskStatus, Scenario, ShareLink


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Contingency:
    plan: ContingencyPlan | None
    arrangements: list[Arrangement]
    risks: list[Risk]

    @property
    def exists(self) -> bool:
        return bool(self.arrangements)

    @property
    def costliest(self) -> Arrangement | None:
        priced = [a for a in self.arrangements if a.expected_cost_pence]
        return max(priced, key=lambda a: a.expected_cost_pence) if priced else None

    def weeks_covered(self, held_pence: int) -> str | None:
        """How many weeks of the costliest arrangement the money held pays for, to one decimal place, rounded
        down (so '4.0' is never really 3.96); None if no arrangement is priced."""
        costliest = self.costliest
        if costliest is None:
            return None
        tenths = max(held_pence, 0) * 10 // costliest.expected_cost_pence
        return f"{tenths // 10}.{tenths % 10}"

    def covered(self, held_pence: int, weeks: int) -> bool | None:
        """Whether the money held covers the costliest arrangement for `weeks` weeks (None if none is priced)."""
        costliest = self.costliest
        if costliest is None:
            return None
        return held_pence >= costliest.expected_cost_pence * weeks


def plan_of(budget_id: int) -> ContingencyPlan | None:
    """The budget's contingency plan (its last-resort contact and who last changed it), once there is one."""
    return db.session.scalar(select(ContingencyPlan).where(ContingencyPlan.budget_id == budget_id))


def contingency_for(budget_id: int) -> Contingency:
    return Contingency(
        plan_of(budget_id),
        list(db.session.scalars(select(Arrangement).options(joinedload(Arrangement.line))
                                .where(Arrangement.budget_id == budget_id)
                                .order_by(Arrangement.position, Arrangement.id))),
        list(db.session.scalars(select(Risk).options(joinedload(Risk.recorded_by)).where(Risk.budget_id == budget_id)
                                .order_by(Risk.review_on, Risk.id))),
    )


@dataclass(frozen=True)
class Standing:
    """What the budget page says of the contingency plan, read in one query: whether there is one, when it was
    last changed, and the costliest priced arrangement (for the weeks the money held would pay for it)."""

    arrangements: int
    updated_at: datetime | None
    costliest_pence: int | None

    @property
    def exists(self) -> bool:
        return self.arrangements > 0

    def weeks_covered(self, held_pence: int) -> str | None:
        if not self.costliest_pence:
            return None
        tenths = max(held_pence, 0) * 10 // self.costliest_pence
        return f"{tenths // 10}.{tenths % 10}"

    def covered(self, held_pence: int, weeks: int) -> bool | None:
        if not self.costliest_pence:
            return None
        return held_pence >= self.costliest_pence * weeks


def standing_columns(budget_id: int) -> list:
    """The four figures a Standing is made of, as scalar subqueries: a page reading other figures too can put
    them in the same statement (standing_from makes the Standing of what they read)."""
    mine = Arrangement.budget_id == budget_id
    return [
        select(func.count()).select_from(Arrangement).where(mine).scalar_subquery(),
        select(func.max(Arrangement.updated_at)).where(mine).scalar_subquery(),
        select(ContingencyPlan.updated_at).where(ContingencyPlan.budget_id == budget_id).scalar_subquery(),
        select(func.max(Arrangement.expected_cost_pence)).where(mine, Arrangement.expected_cost_pence > 0)
        .scalar_subquery(),
    ]


def standing_from(values) -> Standing:
    count, arranged, plan_updated, costliest = values
    return Standing(count or 0, plan_updated or arranged, costliest)


def contingency_summary(budget_ids: list[int]) -> dict[int, datetime]:
    """When each budget's contingency plan was last updated (only budgets that have one)."""
    if not budget_ids:
        return {}
    rows = db.session.execute(
        select(Arrangement.budget_id, func.max(Arrangement.updated_at))
        .where(Arrangement.budget_id.in_(budget_ids)).group_by(Arrangement.budget_id)
    ).all()
    return {bid: at for bid, at in rows}


def touch_plan(budget_id: int, actor) -> ContingencyPlan:
    plan = plan_of(budget_id)
    if plan is None:
        plan = ContingencyPlan(budget_id=budget_id)
        db.session.add(plan)
    plan.updated_at, plan.updated_by_id = utcnow(), actor.id
    return plan


def save_arrangement(budget_id: int, values: dict, actor, arrangement: Arrangement | None = None) -> Arrangement:
    """Add an arrangement, or change one. A title only counts for a scenario of the person's own."""
    values = dict(values)
    if values["scenario"] != Scenario.OWN:
        values["title"] = ""
    creating = arrangement is None
    before = {} if creating else {k: getattr(arrangement, k) for k in values}
    if creating:
        position = db.session.scalar(select(func.coalesce(func.max(Arrangement.position), 0))
                                     .where(Arrangement.budget_id == budget_id)) or 0
        arrangement = Arrangement(budget_id=budget_id, position=position + 1)
        db.session.add(arrangement)
    for key, value in values.items():
        setattr(arrangement, key, value)
    arrangement.updated_at = utcnow()
    touch_plan(budget_id, actor)
    db.session.flush()
    if creating:
        record("contingency.arrangement_added", arrangement, actor=actor, budget_id=budget_id, **values)
    else:
        record("contingency.arrangement_changed", arrangement, actor=actor, budget_id=budget_id,
               changes={k: [before[k], v] for k, v in values.items() if before[k] != v})
    return arrangement


def save_last_resort(budget_id: int, name: str, phone: str, actor) -> None:
    plan = touch_plan(budget_id, actor)
    plan.last_resort_name, plan.last_resort_phone = name, phone
    db.session.flush()
    record("contingency.last_resort_changed", plan, actor=actor, budget_id=budget_id, name=name, phone=phone)


def save_risk(budget_id: int, values: dict, actor, risk: Risk | None = None) -> Risk:
    """Add a risk, or change one. A mitigated risk keeps how it is reduced; an accepted one, who accepted it and
    since when: the day it was first accepted (today, unless `values` gives "accepted_on"), kept through later
    changes."""
    accepted = values["status"] == RiskStatus.ACCEPTED
    if not accepted:
        accepted_on = None
    elif risk is not None and risk.is_accepted:
        accepted_on = risk.accepted_on
    else:
        accepted_on = values.get("accepted_on") or today()
    values = {"description": values["description"], "status": values["status"],
              "mitigation": "" if accepted else values["mitigation"],
              "accepted_by": values["accepted_by"] if accepted else "",
              "accepted_on": accepted_on, "review_on": values["review_on"]}
    creating = risk is None
    before = {} if creating else {k: getattr(risk, k) for k in values}
    if creating:
        risk = Risk(budget_id=budget_id, recorded_by_id=actor.id)
        db.session.add(risk)
    for key, value in values.items():
        setattr(risk, key, value)
    risk.recorded_by_id = actor.id
    db.session.flush()
    record("risk.added" if creating else "risk.changed", risk, actor=actor, budget_id=budget_id,
           **(values if creating else {"changes": {k: [before[k], v] for k, v in values.items() if before[k] != v}}))
    return risk


def create_share_link(budget_id: int, label: str, days: int, actor) -> tuple[ShareLink, str]:
    """A new link; the token is shown once and only its hash is kept."""
    token = secrets.token_urlsafe(32)
    link = ShareLink(budget_id=budget_id, token_hash=_hash(token), label=label, created_by_id=actor.id,
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(link)
    db.session.flush()
    record("share_link.created", link, actor=actor, budget_id=budget_id, label=label, expires_at=link.expires_at)
    return link, token


def revoke_share_link(link: ShareLink, actor) -> None:
    link.revoked_at, link.revoked_by_id = utcnow(), actor.id
    record("share_link.revoked", link, actor=actor, budget_id=link.budget_id, label=link.label)


def open_share_link(token: str) -> ShareLink | None:
    """The live link for a token, logging the opening; None if unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == _hash(token)))
    now = utcnow()
    if link is None or not link.is_live(now):
        return None
    link.times_opened += 1
    link.last_opened_at = now
    record("share_link.opened", link, actor=None, budget_id=link.budget_id, label=link.label)
    db.session.commit()
    return link
