"""Employing PAs: loading what the pages need in fixed queries, and changing it (always audited)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import selectinload

from ..audit import mark_changed, record
from ..budget.models import Budget, BudgetLine, Plan
from ..budget.services import current_plan, in_force, plan_lines
from ..choices import RecordStatus
from ..dates import plan_year_for
from ..extensions import db
from ..spending.models import SpendingEntry
from .costs import EmploymentCost, employment_cost, share_allowance, weekly_pay
from .models import (
    EMPLOYER_ANSWERS,
    PA_DETAILS,
    Absence,
    AbsenceKind,
    AllowanceClaim,
    CheckKind,
    DbsLevel,
    DelegatedTask,
    Employer,
    EmploymentCheck,
    PayRate,
    PayRecord,
    PayRecordEntry,
    PaySource,
    PersonalAssistant,
    Training,
)
from .payrules import (
    HolidayBalance,
    SickPay,
    average_weekly_earnings,
    holiday_balance,
    leave_year,
    qualifying_days,
    sick_pay,
    to_pence,
)
from .rates import StatutoryRate, UnknownRate, rates_on, tax_year_start
from .warnings import Warning, employer_warnings, pa_warnings


@dataclass
class Employment:
    """One budget's PAs and everything about them, with costs and warnings worked out."""

    budget_id: int
    today: date
    pas: list = field(default_factory=list)
    employer: Employer | None = None
    allowance_claimed: bool = False
    checks: dict = field(default_factory=lambda: defaultdict(list))
    trainings: dict = field(default_factory=lambda: defaultdict(list))
    tasks: dict = field(default_factory=lambda: defaultdict(list))
    pay: dict = field(default_factory=lambda: defaultdict(list))
    lines: list = field(default_factory=list)
    cost: EmploymentCost | None = None
    cost_error: str = ""
    warnings: list[Warning] = field(default_factory=list)
    absences: dict = field(default_factory=lambda: defaultdict(list))
    time_off: dict = field(default_factory=dict)  # pa id → TimeOff

    @property
    def current_pas(self):
        return [pa for pa in self.pas if pa.is_current(self.today)]

    def cost_for(self, pa_id: int):
        if self.cost is None:
            return None
        return next((c for c in self.cost.pas if c.pa.id == pa_id), None)

    def warnings_for(self, pa_id: int) -> list[Warning]:
        return [w for w in self.warnings if w.pa_id == pa_id]


# The fee for each level of DBS check (a check recorded without its level is counted as enhanced, the usual one
# for a PA).
DBS_FEES = {DbsLevel.BASIC: "dbs_basic", DbsLevel.STANDARD: "dbs_standard", DbsLevel.ENHANCED: "dbs_enhanced",
            DbsLevel.ENHANCED_BARRED: "dbs_enhanced"}


@dataclass
class TimeOff:
    """A PA's sickness and holiday: SSP owed for each sickness, and what time off costs in this plan year."""

    sick_pay: dict[int, SickPay]  # absence id → SSP owed
    ssp_pence: int  # SSP owed for sickness in the plan year
    cover_pence: int  # someone covering the PA's working days off sick in the plan year
    sick_days: int
    holiday: HolidayBalance | None


def time_off_for(pa: PersonalAssistant, absences: list[Absence], pay_records: list[PayRecord], today: date,
                 year_start: date, rates_at) -> TimeOff:
    """SSP for each sickness (from its own figures and the pay of the 8 weeks before), the cost of sick pay and
    cover in the plan year from `year_start`, and the holiday balance for the leave year holding today."""
    active_pay = [r for r in pay_records if r.status == RecordStatus.ACTIVE]
    owed_for, ssp, cover, sick_days = {}, 0, 0, 0
    daily = Decimal(weekly_pay(pa)) / pa.days_per_week if pa.days_per_week else Decimal(0)
    for absence in absences:
        if absence.kind != AbsenceKind.SICK or not pa.is_employed:
            continue
        try:
            owed = sick_pay(absence.start_date, absence.end_date, working_days=pa.working_days,
                            awe_pence=average_weekly_earnings(active_pay, absence.start_date), rates_at=rates_at)
        except UnknownRate:
            continue
        owed_for[absence.id] = owed
        if absence.start_date >= year_start:
            ssp += owed.pence
            sick_days += owed.days
            cover += to_pence(daily * owed.days)
    holiday = None
    if pa.is_employed:
        start, end = leave_year(today)
        taken = Decimal(0)
        usual = Decimal(pa.hours_per_week) / pa.days_per_week if pa.days_per_week else Decimal(0)
        for absence in absences:
            if absence.kind == AbsenceKind.HOLIDAY and start <= absence.start_date <= end:
                taken += absence.hours if absence.hours is not None else \
                    usual * len(qualifying_days(absence.start_date, absence.end_date, pa.working_days))
        worked = sum((Decimal(r.hours) for r in active_pay if start <= r.period_start <= end), Decimal(0))
        rolled_up = sum(r.holiday_pay_pence for r in active_pay
                        if r.holiday_rolled_up and start <= r.period_start <= end)
        try:
            holiday = holiday_balance(
                day=today, irregular=pa.irregular_hours, weekly_hours=Decimal(pa.hours_per_week),
                days_per_week=pa.days_per_week, employed_from=pa.start_date, employed_to=pa.end_date,
                hours_worked=worked, taken_hours=taken.quantize(Decimal("0.01")), rates=rates_at(today),
                rolled_up_pence=rolled_up)
        except UnknownRate:
            holiday = None
    return TimeOff(owed_for, ssp, cover, sick_days, holiday)


def _on_costs(emp: Employment, rates) -> dict[str, int]:
    start = tax_year_start(emp.today)
    end = date(start.year + 1, 4, 5)
    costs = {}
    if emp.employer is not None:
        if emp.employer.insurance_premium_pence:
            costs["Employer's liability insurance"] = emp.employer.insurance_premium_pence
        if emp.employer.payroll_fee_pence_per_year:
            costs["Payroll service"] = emp.employer.payroll_fee_pence_per_year
    dbs = 0
    for pa in emp.current_pas:
        dbs_checks = sorted((c for c in emp.checks[pa.id] if c.kind == CheckKind.DBS), key=lambda c: c.checked_on)
        dbs += sum(rates.pence(DBS_FEES.get(c.dbs_level, "dbs_enhanced")) for c in dbs_checks
                   if start <= c.checked_on <= end)
        if dbs_checks and dbs_checks[-1].dbs_update_service:
            dbs += rates.pence("dbs_update_service")
    if dbs:
        costs["DBS checks and Update Service"] = dbs
    training = sum(t.cost_pence for pa in emp.current_pas for t in emp.trainings[pa.id]
                   if start <= t.completed_on <= end)
    if training:
        costs["Training"] = training
    ssp = sum(t.ssp_pence for t in emp.time_off.values())
    cover = sum(t.cover_pence for t in emp.time_off.values())
    if ssp:
        costs["Statutory Sick Pay so far this plan year"] = ssp
    if cover:
        costs["Cover while PAs were off sick this plan year"] = cover
    return costs


def load_employment(budget_ids: list[int], today: date) -> dict[int, Employment]:
    """Employment for several budgets at once (a caseload page) in a fixed number of queries. The other budgets
    of the same holders are worked out alongside: their Employment Allowance is one, shared."""
    if not budget_ids:
        return {}
    siblings = _siblings(budget_ids)
    pas = list(db.session.scalars(_PAS_OF_HOLDERS, {"ids": budget_ids}))
    if not pas:  # nobody employed by these holders, ever: nothing more to read (one query for most budgets)
        return {bid: Employment(bid, today) for bid in budget_ids}
    rows = db.session.execute(
        select(Budget.id, Budget.holder_id, Budget.plan_year_start).where(Budget.id.in_(siblings))).all()
    holder_of = {row.id: row.holder_id for row in rows}
    every = _load_employment(sorted(holder_of), today, holder_of, {row.id: row.plan_year_start for row in rows}, pas)
    return {bid: every[bid] for bid in budget_ids if bid in every}


def _load_employment(budget_ids: list[int], today: date, holder_of: dict[int, int],
                     plan_starts: dict[int, date], pas: list[PersonalAssistant]) -> dict[int, Employment]:
    result = {bid: Employment(bid, today) for bid in budget_ids}
    for pa in pas:
        result[pa.budget_id].pas.append(pa)
    # The rest is about PAs: a budget that has never had one needs nothing more (most direct payments with no
    # PAs, and every managed account buying agency care), so its page costs one query here, not thirteen.
    budget_ids = sorted(bid for bid, emp in result.items() if emp.pas)
    if not budget_ids:
        return result
    for employer in db.session.scalars(select(Employer).where(Employer.budget_id.in_(budget_ids))):
        result[employer.budget_id].employer = employer
    for claim in db.session.scalars(select(AllowanceClaim).where(
            AllowanceClaim.budget_id.in_(budget_ids), AllowanceClaim.tax_year_start == tax_year_start(today))):
        result[claim.budget_id].allowance_claimed = claim.claimed
    for model, target in ((EmploymentCheck, "checks"), (Training, "trainings"), (DelegatedTask, "tasks")):
        for row in db.session.scalars(select(model).where(model.budget_id.in_(budget_ids))):
            getattr(result[row.budget_id], target)[row.pa_id].append(row)
    for row in db.session.scalars(
        select(PayRecord).where(PayRecord.budget_id.in_(budget_ids), PayRecord.paid_on >= today - timedelta(days=366))
        .order_by(PayRecord.period_start.desc())
    ):
        result[row.budget_id].pay[row.pa_id].append(row)
    for row in db.session.scalars(
        select(Absence).where(Absence.budget_id.in_(budget_ids), Absence.end_date >= today - timedelta(days=400))
        .order_by(Absence.start_date.desc())
    ):
        result[row.budget_id].absences[row.pa_id].append(row)
    plans_by_budget: dict[int, list] = defaultdict(list)
    for plan in db.session.scalars(select(Plan).where(Plan.budget_id.in_(budget_ids)).order_by(Plan.version)):
        plans_by_budget[plan.budget_id].append(plan)
    plan_ids = [in_force(plans, today).id for plans in plans_by_budget.values()]
    for line in db.session.scalars(select(BudgetLine).where(BudgetLine.plan_id.in_(plan_ids or [0]))):
        result[line.budget_id].lines.append(line)
    rate_rows = db.session.scalars(select(StatutoryRate)).all()
    rates_now = rates_on(today, rate_rows)
    rates_soon = rates_on(today + timedelta(days=30), rate_rows)

    def rates_at(day):
        return rates_on(day, rate_rows)

    for emp in result.values():
        current = emp.current_pas
        year = plan_year_for(plan_starts.get(emp.budget_id, today), today)
        for pa in current:
            emp.time_off[pa.id] = time_off_for(pa, emp.absences[pa.id], emp.pay[pa.id], today, year.start, rates_at)
        if current:
            try:
                emp.cost = employment_cost(current, rates_at, today, allowance_claimed=False,
                                           on_costs=_on_costs(emp, rates_now), lines=emp.lines,
                                           span=(year.start, year.end))
            except UnknownRate as err:
                emp.cost_error = str(err)
    by_holder: dict[int, list[Employment]] = defaultdict(list)
    for emp in result.values():
        by_holder[holder_of[emp.budget_id]].append(emp)
    for emps in by_holder.values():
        if any(emp.allowance_claimed for emp in emps):
            costed = [emp.cost for emp in emps if emp.cost is not None]
            try:
                allowance = rates_now.pence("employment_allowance")
            except UnknownRate:
                allowance = 0
            if costed and allowance:
                share_allowance(costed, allowance)
    for emp in result.values():
        current = emp.current_pas
        for pa in current:
            emp.warnings += pa_warnings(pa, checks=emp.checks[pa.id], trainings=emp.trainings[pa.id],
                                        tasks=emp.tasks[pa.id], pay_records=emp.pay[pa.id], rates_now=rates_now,
                                        rates_soon=rates_soon, rates_at=rates_at, today=today)
        employed = [pa for pa in emp.pas if pa.is_employed]
        duties_start = (emp.employer.hmrc_registered_on if emp.employer and emp.employer.hmrc_registered_on
                        else min((pa.start_date for pa in employed), default=None))
        emp.warnings += employer_warnings(
            emp.employer, has_employed_pas=any(pa.is_employed for pa in current),
            has_delegated_tasks=any(emp.tasks[pa.id] for pa in current), cost=emp.cost, today=today,
            duties_start=duties_start,
            opted_out=tuple(pa.name for pa in current if pa.is_employed and pa.pension_opted_out_on))
        emp.warnings.sort(key=lambda w: not w.urgent)
    return result


def employment_for(budget_id: int, today: date, anyone_employed: bool | None = None) -> Employment:
    """One budget's employment. With anyone_employed False (read by ever_employed_column, beside other
    figures), nothing is read: nobody was ever employed on the holder's budgets."""
    if anyone_employed is False:
        return Employment(budget_id, today)
    return load_employment([budget_id], today)[budget_id]


def ever_employed_column(budget_id: int):
    """Whether the holder of this budget has ever employed a PA on any of their budgets (what load_employment
    reads first), as a scalar subquery."""
    return exists().where(PersonalAssistant.budget_id.in_(_siblings([budget_id])))


def _siblings(budget_ids):
    """The ids of every budget of these budgets' holders (their Employment Allowance is one, shared)."""
    return select(Budget.id).where(Budget.holder_id.in_(select(Budget.holder_id).where(Budget.id.in_(budget_ids))))


# The PAs of the holders of a list page's budgets (load_employment), on every visit: built once
# (pbportal/extensions.py, prebuilt statements).
_PAS_OF_HOLDERS = (select(PersonalAssistant).options(selectinload(PersonalAssistant.rates))
                   .where(PersonalAssistant.budget_id.in_(_siblings(bindparam("ids", expanding=True))))
                   .order_by(PersonalAssistant.end_date.is_not(None), PersonalAssistant.name, PersonalAssistant.id))


@dataclass(frozen=True)
class SickCover:
    """What PAs' sickness costs: so far this plan year, and a week's cover for the PA paid most."""

    sick_days: int
    ssp_pence: int
    cover_pence: int
    costliest_name: str
    costliest_weekly_pence: int
    ssp_weekly_pence: int | None


def sick_cover(budget_id: int, today: date) -> SickCover | None:
    """For the contingency plan's page (through a template global, so contingency needs no import of this
    layer): None when nobody is employed through payroll."""
    emp = employment_for(budget_id, today)
    employed = [pa for pa in emp.current_pas if pa.is_employed]
    if not employed:
        return None
    costliest = max(employed, key=weekly_pay)
    try:
        ssp_weekly = rates_on(today).pence("ssp_weekly")
    except UnknownRate:
        ssp_weekly = None
    spells = [emp.time_off[pa.id] for pa in employed if pa.id in emp.time_off]
    return SickCover(sum(t.sick_days for t in spells), sum(t.ssp_pence for t in spells),
                     sum(t.cover_pence for t in spells), costliest.name, weekly_pay(costliest), ssp_weekly)


def recent_absences(pa: PersonalAssistant, limit: int = 20) -> list[Absence]:
    return list(db.session.scalars(select(Absence).where(Absence.pa_id == pa.id)
                                   .order_by(Absence.start_date.desc()).limit(limit)))


# Budget line categories a PA's pay may come from; without such a line, any line of the plan.
WAGE_CATEGORIES = ("pa_wages", "agency_care")


def wage_lines(budget) -> list[BudgetLine]:
    """The lines of the plan in force that a PA's pay may come from."""
    lines = plan_lines(current_plan(budget))
    return [line for line in lines if line.category in WAGE_CATEGORIES] or lines


# ---- changes ---------------------------------------------------------------------------------------

def _values(obj, names) -> dict:
    return {n: getattr(obj, n) for n in names}


def _hours_text(hours) -> str:
    """'20', '20.0' and Decimal('20.00') are the same hours: compare and record them alike."""
    return f"{Decimal(hours).normalize():f}"


def save_pa(budget, values: dict, rates: list[dict], actor, pa: PersonalAssistant | None = None):
    """Add or change a PA and their hourly rates (the rates are replaced as a set)."""
    creating = pa is None
    if creating:
        pa = PersonalAssistant(budget_id=budget.id)
        db.session.add(pa)
        before = {}
    else:
        before = _values(pa, PA_DETAILS) | {"rates": [(r.kind, r.hourly_pence, _hours_text(r.hours_per_week))
                                                       for r in pa.rates]}
    for key, value in values.items():
        setattr(pa, key, value)
    for old in list(pa.rates):
        pa.rates.remove(old)
        db.session.delete(old)  # a rate is a setting, not a money record; the audit keeps the history
    for rate in rates:
        pa.rates.append(PayRate(budget_id=budget.id, **rate))
    pa.hours_per_week = sum((r["hours_per_week"] for r in rates), start=0)
    db.session.flush()
    after = _values(pa, PA_DETAILS) | {"rates": [(r["kind"], r["hourly_pence"], _hours_text(r["hours_per_week"]))
                                                 for r in rates]}
    if creating:
        record("pa.added", pa, actor=actor, budget_id=budget.id, **after)
    else:
        changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        record("pa.changed", pa, actor=actor, budget_id=budget.id, changes=changes)
    return pa


def end_employment(pa: PersonalAssistant, end_date: date, reason: str, actor) -> None:
    pa.end_date, pa.end_reason = end_date, reason
    record("pa.employment_ended", pa, actor=actor, budget_id=pa.budget_id, end_date=end_date, reason=reason)


def add_row(model, pa: PersonalAssistant, values: dict, actor, action: str):
    """Add a check, training record, delegated task or absence for a PA, audited."""
    row = model(pa_id=pa.id, budget_id=pa.budget_id, **values)
    if hasattr(model, "created_by_id"):
        row.created_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    record(action, row, actor=actor, budget_id=pa.budget_id, pa_id=pa.id, **values)
    return row


def _as_recorded(row) -> dict:
    """A row's columns as they were, for the audit log of its removal."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in ("id", "budget_id")}


def remove_row(row, reason: str, actor, action: str) -> None:
    """Remove a check, training record, delegated task or absence entered by mistake (none of them is money):
    the audit log keeps what it said, who removed it, when and why."""
    record(action, row, actor=actor, budget_id=row.budget_id, pa_id=row.pa_id, reason=reason,
           removed=_as_recorded(row))
    db.session.delete(row)


class MoneyDepends(ValueError):
    """A PA with pay recorded (even voided) is part of the money's story: end their employment instead."""


def why_pa_stays(pa: PersonalAssistant) -> str | None:
    """Why the PA cannot be removed (pay recorded for them, even voided), or None if they can."""
    if db.session.scalar(select(func.count()).select_from(PayRecord).where(PayRecord.pa_id == pa.id)):
        return (f"Pay has been recorded for {pa.name}, so their record stays with the money: end their employment "
                "instead")
    return None


def remove_pa(pa: PersonalAssistant, reason: str, actor) -> None:
    """Remove a PA entered by mistake, with their rates, checks, training, tasks and absences, while no pay
    depends on them; the audit log keeps every row removed, who, when and why."""
    refused = why_pa_stays(pa)
    if refused:
        raise MoneyDepends(refused)
    removed = {}
    for model in (PayRate, EmploymentCheck, Training, DelegatedTask, Absence):
        rows = db.session.scalars(select(model).where(model.pa_id == pa.id)).all()
        removed[model.__tablename__] = [_as_recorded(row) for row in rows]
        for row in rows:
            db.session.delete(row)
    db.session.flush()
    record("pa.removed", pa, actor=actor, budget_id=pa.budget_id, reason=reason, removed=_as_recorded(pa),
           with_rows=removed)
    db.session.delete(pa)


def holder_budget_ids(budget) -> list[int]:
    """The budgets the same holder employs PAs through: one employer, one Employment Allowance."""
    return list(db.session.scalars(select(Budget.id).where(Budget.holder_id == budget.holder_id)
                                   .order_by(Budget.id)))


def save_employer(budget, values: dict, allowance_claimed: bool, today: date, actor) -> Employer:
    """Save the budget's employer details. The answers and the allowance claim belong to the holder as one
    employer, so they are written to each of the holder's budgets (and audited on each)."""
    start = tax_year_start(today)
    for budget_id in holder_budget_ids(budget):
        own = budget_id == budget.id
        employer = db.session.scalar(select(Employer).where(Employer.budget_id == budget_id))
        if employer is None and not own and values.get("care_duties_only") is None and not allowance_claimed:
            continue
        mine = values if own else {k: values[k] for k in EMPLOYER_ANSWERS if k in values}
        before = _values(employer, mine) if employer else {}
        if employer is None:
            employer = Employer(budget_id=budget_id)
            db.session.add(employer)
        for key, value in mine.items():
            setattr(employer, key, value)
        claim = db.session.scalar(select(AllowanceClaim).where(AllowanceClaim.budget_id == budget_id,
                                                               AllowanceClaim.tax_year_start == start))
        claim_before = claim.claimed if claim else None
        if claim is None:
            claim = AllowanceClaim(budget_id=budget_id, tax_year_start=start)
            db.session.add(claim)
        claim.claimed = allowance_claimed
        db.session.flush()
        changes = {k: [before.get(k), mine[k]] for k in mine if before.get(k) != mine[k]}
        if claim_before != allowance_claimed:
            changes[f"employment_allowance_{start.year}"] = [claim_before, allowance_claimed]
        if own or changes:
            record("employer.changed", employer, actor=actor, budget_id=budget_id, changes=changes,
                   **({} if own else {"from_budget_id": budget.id}))
        if own:
            saved = employer
    return saved


class DuplicatePeriod(ValueError):
    pass


def record_pay(pa: PersonalAssistant, values: dict, lines: dict, actor,
               source: PaySource = PaySource.FORM) -> PayRecord:
    """Record a pay period and, in the same transaction, the spending entries that pay it.

    lines: {"wages": BudgetLine, "hmrc": BudgetLine | None, "pension": BudgetLine | None}."""
    exists = db.session.scalar(select(PayRecord.id).where(
        PayRecord.pa_id == pa.id, PayRecord.status == RecordStatus.ACTIVE,
        PayRecord.period_start == values["period_start"]))
    if exists:
        raise DuplicatePeriod(f"Pay for {pa.name} from {values['period_start']:%-d %B %Y} is already recorded")
    pay = PayRecord(pa_id=pa.id, budget_id=pa.budget_id, source=source, created_by_id=actor.id, **values)
    db.session.add(pay)
    db.session.flush()
    period = f"{pay.period_start:%-d %b} to {pay.period_end:%-d %b %Y}"
    parts = [
        (lines["wages"], pay.net_pence, pa.name, f"Net pay, {pay.hours.normalize():f} hours, {period}"),
        (lines.get("hmrc"), pay.hmrc_pence, "HMRC", f"PAYE and NI for {pa.name}, {period}"),
        (lines.get("pension"), pay.pension_pence, "Workplace pension", f"Pension for {pa.name}, {period}"),
    ]
    created, linked = [], []
    for index, (line, amount, payee, note) in enumerate(parts):
        if amount <= 0:
            continue
        line = line or lines["wages"]
        already = _unlinked_wage_payment(pa, line, amount, pay.paid_on) if index == 0 else None
        if already is not None:  # the net pay was recorded as a payment already: one story, not two payments
            db.session.add(PayRecordEntry(pay_record_id=pay.id, entry_id=already.id, linked=True))
            record("spending.linked_to_pay", already, actor=actor, budget_id=pa.budget_id, pay_record_id=pay.id)
            linked.append(already)
            continue
        entry = SpendingEntry(budget_id=pa.budget_id, line_id=line.id, paid_on=pay.paid_on, amount_pence=amount,
                              payee=payee, category=line.category, note=note, created_by_id=actor.id)
        db.session.add(entry)
        db.session.flush()
        db.session.add(PayRecordEntry(pay_record_id=pay.id, entry_id=entry.id))
        record("spending.recorded", entry, actor=actor, budget_id=pa.budget_id, amount_pence=amount,
               line_id=line.id, payee=payee, pay_record_id=pay.id)
        created.append(entry)
    record("pay.recorded", pay, actor=actor, budget_id=pa.budget_id, pa_id=pa.id, source=source,
           period_start=pay.period_start, period_end=pay.period_end, hours=pay.hours, gross_pence=pay.gross_pence,
           net_pence=pay.net_pence, employer_ni_pence=pay.employer_ni_pence,
           employer_pension_pence=pay.employer_pension_pence, employee_pension_pence=pay.employee_pension_pence,
           sleep_ins=pay.sleep_ins, sleep_in_pence=pay.sleep_in_pence, holiday_pay_pence=pay.holiday_pay_pence,
           holiday_rolled_up=pay.holiday_rolled_up, ssp_pence=pay.ssp_pence,
           entries=[e.id for e in created + linked], linked=[e.id for e in linked])
    pay.linked_payment = linked[0] if linked else None
    return pay


def _to_pa(pa: PersonalAssistant):
    """Payments whose payee is the PA (names compared without case or outer spaces)."""
    return func.lower(func.trim(SpendingEntry.payee)) == pa.name.strip().lower()


def _unlinked_wage_payment(pa: PersonalAssistant, line: BudgetLine, amount: int, paid_on: date):
    """An active payment to the PA of exactly this net pay, on this day and line, that no pay record holds yet."""
    linked = select(PayRecordEntry.entry_id)
    return db.session.scalar(select(SpendingEntry).where(
        SpendingEntry.budget_id == pa.budget_id, SpendingEntry.status == RecordStatus.ACTIVE,
        SpendingEntry.line_id == line.id, SpendingEntry.amount_pence == amount, SpendingEntry.paid_on == paid_on,
        _to_pa(pa), SpendingEntry.id.not_in(linked)).order_by(SpendingEntry.id).limit(1))


@dataclass
class WagePayments:
    """The year's payments to a PA: those a pay record made or holds, and those recorded as ordinary payments
    (which the minimum wage and the true cost cannot be checked against)."""
    entries: list
    from_pay: set[int]

    @property
    def total_pence(self) -> int:
        return sum(e.amount_pence for e in self.entries)

    @property
    def not_from_pay(self) -> list:
        return [e for e in self.entries if e.id not in self.from_pay]


def wage_payments(pa: PersonalAssistant, today: date, limit: int = 60) -> WagePayments:
    """Active payments to the PA (payee) in the last year, newest first, and which of them pay records hold:
    two queries. A pay record's payments to HMRC and the pension are not payments to the PA."""
    through_pay = select(PayRecordEntry.entry_id).join(PayRecord, PayRecord.id == PayRecordEntry.pay_record_id).where(
        PayRecord.pa_id == pa.id)
    entries = db.session.scalars(select(SpendingEntry).where(
        SpendingEntry.budget_id == pa.budget_id, SpendingEntry.status == RecordStatus.ACTIVE,
        SpendingEntry.paid_on > today - timedelta(days=365), _to_pa(pa))
        .order_by(SpendingEntry.paid_on.desc(), SpendingEntry.id.desc()).limit(limit)).all()
    from_pay = set(db.session.scalars(through_pay.where(PayRecordEntry.entry_id.in_([e.id for e in entries]))))
    return WagePayments(list(entries), from_pay)


def void_pay(pay: PayRecord, reason: str, actor) -> None:
    """Void a pay record and every spending entry it created; a payment it linked (recorded before, as an
    ordinary payment) stays, let go so a corrected pay record can hold it."""
    mark_changed(pay, RecordStatus.VOIDED, reason, actor)
    links = db.session.scalars(select(PayRecordEntry).where(PayRecordEntry.pay_record_id == pay.id)).all()
    for link in [link for link in links if link.linked]:
        record("spending.unlinked_from_pay", db.session.get(SpendingEntry, link.entry_id), actor=actor,
               budget_id=pay.budget_id, pay_record_id=pay.id, reason=reason)
        db.session.delete(link)
    entry_ids = [link.entry_id for link in links if not link.linked]
    for entry in db.session.scalars(select(SpendingEntry).where(SpendingEntry.id.in_(entry_ids))):
        if entry.is_active:
            mark_changed(entry, RecordStatus.VOIDED, f"Pay record voided: {reason}", actor)
            record("spending.voided", entry, actor=actor, budget_id=entry.budget_id, reason=reason,
                   pay_record_id=pay.id)
    record("pay.voided", pay, actor=actor, budget_id=pay.budget_id, reason=reason)


def employment_lines(lines) -> dict:
    """Default lines for pay: the first HMRC and pension lines in the plan, if it has them."""
    by_category = {}
    for line in lines:
        by_category.setdefault(line.category, line)
    return {"hmrc": by_category.get("hmrc"), "pension": by_category.get("pension")}


def pay_lines(budget, pa: PersonalAssistant) -> dict:
    """Where a PA's pay goes (record_pay's lines): their own line for wages, the plan's HMRC and pension lines."""
    return {"wages": pa.line, **employment_lines(plan_lines(current_plan(budget)))}
