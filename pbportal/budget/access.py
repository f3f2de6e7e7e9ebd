"""Who may see and change which budget. Every budget-scoped lookup goes through here."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

from flask import abort, request
from flask_login import current_user
from sqlalchemy import bindparam, false, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..auth.models import Role, User
from ..extensions import db
from .locks import BudgetEnded
from .models import Budget, HeldAs, Representative


def visible_budgets_clause(user: User):
    """A WHERE clause on Budget limiting it to what this user may see."""
    return _visible(user.role, user.id, user.organisation_id)


def _visible(role: str, user_id, organisation_id):
    """visible_budgets_clause for a role, with the person's id and organisation as values or bindparams."""
    if role == Role.HOLDER:
        return Budget.holder_id == user_id
    if role == Role.REPRESENTATIVE:
        represented = select(Representative.budget_id).where(Representative.user_id == user_id)
        return Budget.id.in_(represented)
    if role == Role.PROVIDER_STAFF and organisation_id is not None:
        return ((Budget.provider_id == organisation_id) & (Budget.held_as == HeldAs.MANAGED_ACCOUNT)
                & Budget.provider_declined_at.is_(None))
    if role == Role.CASE_MANAGER:
        return Budget.case_manager_id == user_id
    return false()


@cache
def _lookup(role: str, in_organisation: bool):
    """get_budget_or_404's statement for one role, built once (pbportal/extensions.py, prebuilt statements)."""
    return (select(Budget)
            .options(joinedload(Budget.funder), joinedload(Budget.provider), joinedload(Budget.holder),
                     joinedload(Budget.case_manager))
            .where(Budget.id == bindparam("budget_id"),
                   _visible(role, bindparam("user_id"), bindparam("organisation_id") if in_organisation else None)))


def get_budget_or_404(budget_id: int, allowed: Callable[[User, Budget], bool] | None = None) -> Budget:
    """The budget if the signed-in user may see it (and, with `allowed`, do that to it); 404 otherwise
    (never 403: do not confirm it exists)."""
    user = current_user
    organisation_id = user.organisation_id
    budget = db.session.scalar(_lookup(user.role, organisation_id is not None),
                               {"budget_id": budget_id, "user_id": user.id, "organisation_id": organisation_id})
    if budget is None or (allowed is not None and not allowed(current_user, budget)):
        _refused(Budget, budget_id, budget_id if budget is not None or db.session.get(Budget, budget_id) else None)
        abort(404)
    if budget.is_ended and request.method not in ("GET", "HEAD"):
        raise BudgetEnded(budget)  # read-only from the day it ended: every change is refused, plainly
    return budget


def owned_or_404(model, object_id: int, budget: Budget, *options):
    """A record of `model` that belongs to `budget` (already access-checked); 404 for any other id, so another
    person's records cannot be reached through a budget the user may see."""
    found = db.session.scalar(select(model).options(*options)
                              .where(model.id == object_id, model.budget_id == budget.id))
    if found is None:
        elsewhere = db.session.get(model, object_id)
        _refused(model, object_id, elsewhere.budget_id if elsewhere is not None else None)
        abort(404)
    return found


def _refused(model, object_id: int, budget_id: int | None) -> None:
    """Someone signed in asked for a budget, or a budget's record, that exists but is not theirs to see (or do
    that to): the answer stays 404, and the audit log notes who asked, for what, and where. Nothing is noted
    for an id that names nothing (mistyped addresses are not worth a record)."""
    if budget_id is None or not current_user.is_authenticated:
        return
    db.session.rollback()
    record("access.refused", None, actor=current_user, budget_id=budget_id, object_type=model.__name__,
           object_id=object_id, path=request.path[:300], method=request.method)
    db.session.commit()


def can_record_spending(user: User, budget: Budget) -> bool:
    """Direct payments: the holder, and a representative the holder lets record spending. Managed accounts: the
    provider's staff."""
    if budget.is_ended:
        return False
    if budget.held_as == HeldAs.DIRECT_PAYMENT:
        if user.role == Role.REPRESENTATIVE:
            return bool(db.session.scalar(select(Representative.may_record_spending).where(
                Representative.budget_id == budget.id, Representative.user_id == user.id)))
        return user.role == Role.HOLDER
    return user.role == Role.PROVIDER_STAFF


def is_managed_account(user: User, budget: Budget) -> bool:
    """Reconciliation, monitoring returns and the account's statements are for managed accounts only."""
    return budget.held_as == HeldAs.MANAGED_ACCOUNT


def holds_the_account(user: User, budget: Budget) -> bool:
    """Whoever holds the money imports the bank statements, matches them, reconciles and sends the monitoring
    return: a managed account's provider staff; a direct payment's holder, or a representative they let record
    spending."""
    return can_record_spending(user, budget)


def can_edit_lines(user: User, budget: Budget | None = None) -> bool:
    """Holders (and those acting for them) and case managers shape the plan and the contingency plan."""
    if budget is not None and budget.is_ended:
        return False
    return user.role in (Role.HOLDER, Role.REPRESENTATIVE, Role.CASE_MANAGER)


def is_holder_side(user: User, budget: Budget | None = None) -> bool:
    """The holder or their representative (for example, to share the contingency page)."""
    return user.role in (Role.HOLDER, Role.REPRESENTATIVE)


def is_case_manager(user: User, budget: Budget | None = None) -> bool:
    """The budget's case manager (get_budget_or_404 has already checked it is on their caseload)."""
    return user.role == Role.CASE_MANAGER




def holder_side_people(budget: Budget) -> list[User]:
    """The holder and everyone acting for them: whom a budget's news is for."""
    reps = db.session.scalars(select(User).join(Representative, Representative.user_id == User.id)
                              .where(Representative.budget_id == budget.id).order_by(User.id)).all()
    return [budget.holder, *reps]


def money_holders(budget: Budget) -> list[User]:
    """The people who hold the budget's money (see holds_the_account), active ones only."""
    if budget.held_as == HeldAs.MANAGED_ACCOUNT:
        return provider_staff(budget)
    return [user for user in holder_side_people(budget) if can_record_spending(user, budget)]


def provider_staff(budget: Budget) -> list[User]:
    """The staff of the provider holding a managed account: whom its news is for."""
    if budget.held_as != HeldAs.MANAGED_ACCOUNT or budget.provider_id is None:
        return []
    return list(db.session.scalars(select(User).where(User.organisation_id == budget.provider_id,
                                                      User.role == Role.PROVIDER_STAFF).order_by(User.id)))
