"""Whose caseload a budget is on (a funder's admins assign and hand over), a provider accepting or declining a
managed account it is named for, and ending a budget. Each change is audited; the people it concerns are emailed.
Budgets moved are locked in id order first, so two handovers at once queue instead of interleaving."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..auth.models import Organisation, OrgKind, Role, User
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..pagination import Page, page_of
from ..timeutil import today, utcnow
from .models import END_REASONS, Budget, HeldAs, ProviderHandover


class CaseloadError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def case_managers(org: Organisation) -> list[User]:
    """The organisation's active case managers, by name."""
    return list(db.session.scalars(select(User).where(User.organisation_id == org.id, User.role == Role.CASE_MANAGER,
                                                      User.is_active_account.is_(True))
                                   .order_by(func.lower(User.name), User.id)))


def caseload_owners(org: Organisation) -> list[tuple[str, str]]:
    """Choices for whose caseload to hand over: every case manager with somebody on their caseload, including
    one who has left (deactivated), marked so; by name."""
    owners = db.session.scalars(
        select(User).where(User.organisation_id == org.id, User.role == Role.CASE_MANAGER,
                           User.id.in_(select(Budget.case_manager_id).where(Budget.funder_id == org.id)))
        .order_by(func.lower(User.name), User.id))
    return [(str(u.id), u.name if u.is_active_account else f"{u.name} (no longer active)") for u in owners]


def people_page(org: Organisation, page: int | None, case_manager: str = "", ended: bool = False) -> Page:
    query = select(Budget).where(Budget.funder_id == org.id).order_by(func.lower(Budget.person_name), Budget.id)
    query = query.where(Budget.ended_on.is_not(None) if ended else Budget.ended_on.is_(None))
    if case_manager == "none":
        query = query.where(Budget.case_manager_id.is_(None))
    elif case_manager.isdigit():
        query = query.where(Budget.case_manager_id == int(case_manager))
    return page_of(query, page)


def _member(org: Organisation, user_id, field: str) -> User:
    found = next((u for u in case_managers(org) if str(u.id) == str(user_id)), None)
    if found is None:
        raise CaseloadError("Choose a case manager of your organisation", field)
    return found


def _lock(budget_ids: Sequence[int], org: Organisation) -> list[Budget]:
    return list(db.session.scalars(select(Budget).where(Budget.id.in_(budget_ids), Budget.funder_id == org.id)
                                   .order_by(Budget.id).with_for_update()))


def _move(budgets: list[Budget], to: User, by: User) -> dict[int | None, list[Budget]]:
    moved: dict[int | None, list[Budget]] = {}
    for budget in budgets:
        if budget.case_manager_id == to.id:
            continue
        before = budget.case_manager_id
        budget.case_manager_id = to.id
        record("budget.case_manager_changed", budget, actor=by, budget_id=budget.id, before=before, after=to.id)
        moved.setdefault(before, []).append(budget)
    return moved


def _tell(moved: dict[int | None, list[Budget]], to: User, by: User) -> None:
    people = [b for group in moved.values() for b in group]
    if not people:
        return
    queue_email(to.email, "caseload_added", name=to.name, by=by.name, people=[b.person_name for b in people],
                link=absolute_url("homes.caseload"))
    for before_id, group in moved.items():
        before = db.session.get(User, before_id) if before_id else None
        if before is not None and before.is_active_account:
            queue_email(before.email, "caseload_removed", name=before.name, by=by.name, to=to.name,
                        people=[b.person_name for b in group])


def assign(org: Organisation, budget_ids: Sequence[int], case_manager_id, by: User) -> int:
    """Put these budgets (of the organisation) on a case manager's caseload. How many moved."""
    if not budget_ids:
        raise CaseloadError("Select at least one person", "people")
    to = _member(org, case_manager_id, "case_manager")
    budgets = _lock(budget_ids, org)
    if len(budgets) != len(set(budget_ids)):
        raise CaseloadError("Select people from the list", "people")
    moved = _move(budgets, to, by)
    _tell(moved, to, by)
    return sum(len(group) for group in moved.values())


def hand_over(org: Organisation, from_id, to_id, by: User) -> int:
    """Everyone on one case manager's caseload moves to another's, in one transaction. How many moved."""
    from_user = next((u for u in db.session.scalars(select(User).where(
        User.organisation_id == org.id, User.role == Role.CASE_MANAGER)) if str(u.id) == str(from_id)), None)
    if from_user is None:
        raise CaseloadError("Choose whose caseload to hand over", "from_case_manager")
    to = _member(org, to_id, "to_case_manager")
    if to.id == from_user.id:
        raise CaseloadError("Choose a different case manager to hand over to", "to_case_manager")
    ids = list(db.session.scalars(select(Budget.id).where(Budget.funder_id == org.id,
                                                          Budget.case_manager_id == from_user.id)))
    if not ids:
        raise CaseloadError(f"{from_user.name} has nobody on their caseload", "from_case_manager")
    budgets = [b for b in _lock(ids, org) if b.case_manager_id == from_user.id]
    moved = _move(budgets, to, by)
    _tell(moved, to, by)
    return sum(len(group) for group in moved.values())


# ---- providers -------------------------------------------------------------------------------------

def new_accounts_query(provider_id):
    """Managed accounts a funder has named this provider for, not yet accepted or declined, the longest waiting
    first, with what the list shows of each (funder, case manager). `provider_id` a value or a bindparam."""
    return (select(Budget).options(joinedload(Budget.funder), joinedload(Budget.case_manager)).where(
        Budget.provider_id == provider_id, Budget.held_as == HeldAs.MANAGED_ACCOUNT,
        Budget.provider_accepted_at.is_(None), Budget.provider_declined_at.is_(None), Budget.ended_on.is_(None))
        .order_by(Budget.created_at, Budget.id))


# On the provider home, every visit: built once (pbportal/extensions.py, prebuilt statements).
_NEW_ACCOUNTS = new_accounts_query(bindparam("provider_id")).limit(bindparam("limit"))


def new_accounts(provider_id: int, limit: int) -> list[Budget]:
    """The first `limit` of new_accounts_query (the provider home shows a few; the rest are a page of their
    own)."""
    return list(db.session.scalars(_NEW_ACCOUNTS, {"provider_id": provider_id, "limit": limit}))


def accept(budget: Budget, by: User) -> None:
    if budget.provider_accepted_at is None:
        budget.provider_accepted_at = utcnow()
        record("budget.provider_accepted", budget, actor=by, budget_id=budget.id, provider_id=budget.provider_id)


def decline(budget: Budget, reason: str, by: User) -> None:
    """The provider will not hold this account: it leaves their lists and access now, and the case manager is
    told why, to choose another provider."""
    budget.provider_declined_at, budget.provider_decline_reason = utcnow(), reason
    record("budget.provider_declined", budget, actor=by, budget_id=budget.id, provider_id=budget.provider_id,
           reason=reason)
    if budget.case_manager is not None:
        queue_email(budget.case_manager.email, "account_declined", name=budget.case_manager.name,
                    person=budget.person_name, provider=budget.provider.name, reason=reason,
                    link=absolute_url("homes.budget", budget_id=budget.id))


def providers() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.PROVIDER)
                                   .order_by(Organisation.name)))


def choose_provider(budget: Budget, provider: Organisation, by: User) -> None:
    """After a decline: another provider (or the same, asked again). It is new to them."""
    before = budget.provider_id
    budget.provider_id, budget.provider_declined_at, budget.provider_decline_reason = provider.id, None, ""
    budget.provider_accepted_at = None
    record("budget.provider_changed", budget, actor=by, budget_id=budget.id, before=before, after=provider.id)


def handovers(budget_id: int) -> list[ProviderHandover]:
    """The account's moves from one provider to another, oldest first."""
    return list(db.session.scalars(select(ProviderHandover).where(ProviderHandover.budget_id == budget_id)
                                   .order_by(ProviderHandover.moves_on, ProviderHandover.id)))


def move_provider(budget: Budget, to: Organisation, moves_on: date, reason: str, by: User) -> ProviderHandover:
    """A managed account moves to another provider from `moves_on`. The provider it leaves held it from the last
    move (or the start of its books) to the day before: that time closes for good, its staff keep reading what
    they did then (and nothing after), and the new provider, once it accepts, sees and carries on the whole
    history. The budget row is locked first, so two moves at once queue and the second sees the first."""
    locked = db.session.scalar(select(Budget).where(Budget.id == budget.id).with_for_update())
    db.session.refresh(locked)
    if not locked.is_managed_account or locked.provider_id is None or locked.is_ended:
        raise CaseloadError("Only a managed account that has not ended can move to another provider", "provider")
    if locked.provider_accepted_at is None or locked.is_declined:
        raise CaseloadError(f"{locked.provider.name} has not taken on the account yet, so there is nothing to "
                            "move: choose the provider instead", "provider")
    if to.kind != OrgKind.PROVIDER:
        raise CaseloadError("Choose a provider from the list", "provider")
    if to.id == locked.provider_id:
        raise CaseloadError(f"{to.name} holds the account now: choose a different provider", "provider")
    if not reason:
        raise CaseloadError("Say why the account is moving", "reason")
    earlier = handovers(locked.id)
    held_from = earlier[-1].moves_on if earlier else (locked.books_from or locked.plan_year_start)
    if moves_on <= held_from:
        raise CaseloadError(f"The date must be after {held_from:%-d %B %Y}, when {locked.provider.name} began "
                            "holding the account", "moves_on")
    if moves_on > today():
        raise CaseloadError("The date cannot be in the future: move the account on the day the new provider "
                            "takes it on", "moves_on")
    old = locked.provider
    handover = ProviderHandover(budget_id=locked.id, from_provider_id=old.id, to_provider_id=to.id,
                                moves_on=moves_on, held_from=held_from, reason=reason, moved_by_id=by.id)
    db.session.add(handover)
    locked.provider_id, locked.provider_accepted_at = to.id, None
    locked.provider_declined_at, locked.provider_decline_reason = None, ""
    db.session.flush()
    record("budget.provider_moved", locked, actor=by, budget_id=locked.id, before=old.id, after=to.id,
           moves_on=moves_on, held_from=held_from, reason=reason, handover_id=handover.id)
    when = f"{moves_on:%-d %B %Y}"
    for user in _staff_of(to.id):
        queue_email(user.email, "account_moved_in", name=user.name, person=locked.person_name, when=when,
                    before=old.name, by=by.name, link=absolute_url("homes.accounts"))
    for user in _staff_of(old.id):
        queue_email(user.email, "account_moved_out", name=user.name, person=locked.person_name, when=when,
                    to=to.name, by=by.name, link=absolute_url("homes.former_accounts"))
    holder = locked.holder
    if holder.joined_at is not None and holder.is_active_account:
        queue_email(holder.email, "provider_moved", name=holder.name, person=locked.person_name, when=when,
                    before=old.name, to=to.name, by=by.name, link=absolute_url("homes.budget", budget_id=locked.id))
    return handover


def _staff_of(org_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.organisation_id == org_id, User.role == Role.PROVIDER_STAFF, User.is_active_account.is_(True),
        User.joined_at.is_not(None)).order_by(User.id)))


# ---- ending -------------------------------------------------------------------------------------------

def end_budget(budget: Budget, ended_on: date, reason: str, note: str, by: User) -> None:
    if reason not in END_REASONS:
        raise CaseloadError("Choose why the budget is ending", "reason")
    if reason == "other" and not note:
        raise CaseloadError("Say why the budget is ending", "note")
    if ended_on < budget.plan_year_start:
        raise CaseloadError("The end date cannot be before the plan started", "ended_on")
    if ended_on > today():
        raise CaseloadError("The end date cannot be in the future: end the budget on the day", "ended_on")
    budget.ended_on, budget.end_reason, budget.end_note, budget.ended_by_id = ended_on, reason, note, by.id
    record("budget.ended", budget, actor=by, budget_id=budget.id, ended_on=ended_on, reason=reason, note=note)
    holder = budget.holder
    if holder.joined_at is not None and holder.is_active_account:
        queue_email(holder.email, "budget_ended", name=holder.name, person=budget.person_name,
                    when=f"{ended_on:%-d %B %Y}", reason=END_REASONS[reason], by=by.name,
                    link=absolute_url("homes.budget", budget_id=budget.id))
