"""A new person and their budget, set up by their case manager; and who else can see a budget (representatives),
managed by the holder or the case manager. Every change is audited, and each person it concerns is emailed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..audit import record
from ..auth.invitations import AlreadyHasAccount, account_for, invite_new, send_invitation
from ..auth.models import Organisation, OrgKind, Role, User
from ..extensions import db
from ..outbox import absolute_url, queue_email
from .models import Budget, BudgetLine, HeldAs, Plan, PlanStatus, Representative, RepresentativeKind
from .services import plan_lines, plans_of


class PeopleError(ValueError):
    """Something that cannot be done as asked; `field` names the form field it is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class NewBudget:
    person_name: str
    date_of_birth: date
    email: str
    held_as: str
    provider: Organisation | None
    plan_year_start: date
    copy_from: Budget | None = None


def providers() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.PROVIDER)
                                   .order_by(Organisation.name)))


def caseload_to_copy(case_manager: User) -> list[Budget]:
    """Budgets on the case manager's caseload whose plan lines can be copied."""
    return list(db.session.scalars(select(Budget).where(Budget.case_manager_id == case_manager.id)
                                   .order_by(Budget.person_name, Budget.id)))


def joining(budget: Budget) -> str:
    return f"{budget.person_name}’s personal budget"


def create_budget(new: NewBudget, case_manager: User) -> Budget:
    """The holder's account (invited), their budget funded by the case manager's organisation and on their
    caseload, and a first draft plan (with the lines of the budget copied from, if one was chosen): all in the
    caller's transaction, so a problem leaves nothing behind."""
    if case_manager.organisation is None or not case_manager.organisation.is_funder:
        raise PeopleError("Only a council's or NHS body's case manager can add a person", "person_name")
    if account_for(new.email) is not None:
        raise PeopleError("Someone already has a pbportal account with this email address. If they already have a "
                          "budget, start a new plan version on it instead.", "email")
    if new.held_as == HeldAs.MANAGED_ACCOUNT and new.provider is None:
        raise PeopleError("Choose the provider who will hold the account", "provider")
    holder = User(email=new.email.strip().lower(), name=new.person_name, role=Role.HOLDER, password_hash="",
                  invited_by_id=case_manager.id)
    db.session.add(holder)
    db.session.flush()
    budget = Budget(person_name=new.person_name, holder_id=holder.id, funder_id=case_manager.organisation_id,
                    held_as=new.held_as, provider_id=new.provider.id if new.held_as == HeldAs.MANAGED_ACCOUNT else None,
                    case_manager_id=case_manager.id, plan_year_start=new.plan_year_start,
                    date_of_birth=new.date_of_birth)
    db.session.add(budget)
    db.session.flush()
    plan = Plan(budget_id=budget.id, version=1, status=PlanStatus.DRAFT, starts_on=new.plan_year_start)
    db.session.add(plan)
    db.session.flush()
    copied = 0
    if new.copy_from is not None:
        source = plans_of(new.copy_from)
        for line in plan_lines(source[-1] if source else None):
            db.session.add(BudgetLine(
                budget_id=budget.id, plan_id=plan.id, item=line.item, outcome=line.outcome, category=line.category,
                unit=line.unit, quantity=line.quantity, unit_cost_pence=line.unit_cost_pence,
                frequency=line.frequency, annual_pence=line.annual_pence, position=line.position))
            copied += 1
    record("budget.created", budget, actor=case_manager, budget_id=budget.id, person_name=budget.person_name,
           held_as=budget.held_as, provider_id=budget.provider_id, plan_year_start=budget.plan_year_start,
           copied_lines_from=new.copy_from.id if new.copy_from else None, copied_lines=copied)
    send_invitation(holder, case_manager, joining(budget), action="user.invited")
    return budget


def representatives_of(budget: Budget) -> list[Representative]:
    return list(db.session.scalars(select(Representative).where(Representative.budget_id == budget.id)
                                   .order_by(Representative.id)))


def invite_representative(budget: Budget, name: str, email: str, kind: str, may_record: bool,
                          by: User) -> Representative:
    """A new representative, invited; or someone who already represents another holder, linked and told."""
    if kind not in tuple(RepresentativeKind):
        raise PeopleError("Choose how they act for the holder", "kind")
    existing = account_for(email)
    if existing is not None and existing.role != Role.REPRESENTATIVE:
        raise PeopleError("This email address belongs to someone who cannot be a representative (a holder or "
                          "staff). Use the address they use as a representative.", "email")
    if existing is not None and db.session.scalar(select(Representative.id).where(
            Representative.budget_id == budget.id, Representative.user_id == existing.id)):
        raise PeopleError(f"{existing.name} can already see this budget", "email")
    if existing is None:
        try:
            person = invite_new(email, name, Role.REPRESENTATIVE, None, by, joining(budget))
        except AlreadyHasAccount as err:  # made a moment ago by another request
            raise PeopleError("Someone already has a pbportal account with this email address", "email") from err
    else:
        person = existing
        queue_email(person.email, "representative_added", name=person.name, holder=budget.person_name, by=by.name,
                    link=absolute_url("homes.budget", budget_id=budget.id))
    rep = Representative(budget_id=budget.id, user_id=person.id, kind=kind, may_record_spending=may_record)
    db.session.add(rep)
    db.session.flush()
    record("representative.added", rep, actor=by, budget_id=budget.id, user_id=person.id, kind=kind,
           may_record_spending=may_record)
    return rep


def set_may_record(rep: Representative, may_record: bool, by: User) -> None:
    if rep.may_record_spending == may_record:
        return
    rep.may_record_spending = may_record
    record("representative.changed", rep, actor=by, budget_id=rep.budget_id, may_record_spending=may_record)


def remove_representative(rep: Representative, by: User) -> None:
    """Their access to this budget ends at once (their account stays, for any other holder they act for)."""
    budget = db.session.get(Budget, rep.budget_id)
    person = rep.user
    record("representative.removed", rep, actor=by, budget_id=rep.budget_id, user_id=person.id, kind=rep.kind)
    db.session.delete(rep)
    if person.joined_at is not None:
        queue_email(person.email, "representative_removed", name=person.name, holder=budget.person_name, by=by.name)


def resend_holder_invitation(budget: Budget, by: User) -> None:
    send_invitation(budget.holder, by, joining(budget))
