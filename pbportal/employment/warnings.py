"""Warnings about employing PAs, shown before they become problems."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..choices import RecordStatus
from ..money import format_pence
from .costs import EmploymentCost
from .models import CheckKind, PersonalAssistant
from .payrules import (
    PensionStatus,
    age_on,
    assess_pension,
    employer_ni,
    frequency_of,
    minimum_wage,
    reenrolment_date,
    wage_check,
)
from .rates import Rates, UnknownRate

SOON = timedelta(days=30)


@dataclass(frozen=True)
class Warning:
    text: str
    urgent: bool  # already a problem, rather than one coming within 30 days
    pa_id: int | None = None
    code: str = ""  # what kind of problem, where something else acts on it (notifications)


BELOW_MINIMUM_WAGE = "below_minimum_wage"
PLAN_SHORT = "plan_short"


def _dated(what: str, day: date | None, today: date, pa_id: int | None) -> Warning | None:
    if day is None:
        return None
    if day < today:
        return Warning(f"{what} expired on {day:%-d %B %Y}", True, pa_id)
    if day <= today + SOON:
        return Warning(f"{what} expires on {day:%-d %B %Y}", False, pa_id)
    return None


def pa_warnings(pa, *, checks, trainings, tasks, pay_records, rates_now: Rates, rates_soon: Rates,
                rates_at, today: date) -> list[Warning]:
    """Everything about one current PA that needs attention now or within 30 days."""
    found: list[Warning] = []
    name = pa.name
    latest = {}
    for check in sorted(checks, key=lambda c: c.checked_on):
        latest[check.kind] = check
    if pa.is_employed:
        try:
            lowest, label = minimum_wage(rates_now, pa.date_of_birth, today)
            upcoming, upcoming_label = minimum_wage(rates_soon, pa.date_of_birth, rates_soon.on)
        except UnknownRate as err:
            found.append(Warning(f"Cannot check {name}’s pay against the minimum wage: {err}", True, pa.id))
        else:
            for rate in pa.rates:
                if rate.hourly_pence < lowest:
                    found.append(Warning(
                        f"{name}’s {rate.kind_label.lower()} rate of {format_pence(rate.hourly_pence)} an hour is "
                        f"below the {label} ({format_pence(lowest)} an hour)", True, pa.id, BELOW_MINIMUM_WAGE))
                elif rate.hourly_pence < upcoming:
                    found.append(Warning(
                        f"{name}’s {rate.kind_label.lower()} rate of {format_pence(rate.hourly_pence)} an hour will "
                        f"be below the {upcoming_label} ({format_pence(upcoming)} an hour) within 30 days",
                        False, pa.id))
        for record in pay_records:
            below = pay_below_minimum(pa, record, rates_at(record.period_start))
            if below:
                found.append(Warning(below, True, pa.id, BELOW_MINIMUM_WAGE))
        if CheckKind.CONTRACT not in latest:
            found.append(Warning(f"No written contract recorded for {name}", True, pa.id))
        if CheckKind.RIGHT_TO_WORK not in latest:
            found.append(Warning(f"No right to work check recorded for {name}", True, pa.id))
        else:
            found += filter(None, [_dated(f"{name}’s right to work", latest[CheckKind.RIGHT_TO_WORK].expires_on, today,
                                          pa.id)])
    if CheckKind.DBS not in latest:
        found.append(Warning(f"No DBS check recorded for {name}", True, pa.id))
    else:
        found += filter(None, [_dated(f"{name}’s DBS check (renewal date)", latest[CheckKind.DBS].expires_on, today,
                                      pa.id)])
    newest_course = {}
    for training in sorted(trainings, key=lambda t: t.completed_on):
        newest_course[training.course.strip().lower()] = training
    for training in newest_course.values():
        found += filter(None, [_dated(f"{name}’s training ‘{training.course}’", training.expires_on, today, pa.id)])
    for task in tasks:
        if task.signed_off_on is None:
            found.append(Warning(f"{name}’s delegated task ‘{task.task}’ has no competence sign-off", True, pa.id))
        if task.review_on is not None and task.review_on < today:
            found.append(Warning(f"{name}’s delegated task ‘{task.task}’ was due for review on "
                                 f"{task.review_on:%-d %B %Y}", True, pa.id))
        elif task.review_on is not None and task.review_on <= today + SOON:
            found.append(Warning(f"{name}’s delegated task ‘{task.task}’ is due for review on "
                                 f"{task.review_on:%-d %B %Y}", False, pa.id))
    if pa.is_relative and not pa.relative_exception.strip():
        found.append(Warning(f"{name} is a relative: record the funder’s exception before paying them", True, pa.id))
    return found


def employer_warnings(employer, *, has_employed_pas: bool, has_delegated_tasks: bool, cost: EmploymentCost | None,
                      today: date, duties_start: date | None = None, opted_out: tuple[str, ...] = ()) -> list[Warning]:
    found: list[Warning] = []
    if has_employed_pas and duties_start is not None:
        due = reenrolment_date(duties_start, today)
        if due <= today + SOON:
            who = (f": put {', '.join(opted_out)}, who opted out, back into the pension if they are eligible "
                   f"jobholders" if opted_out else "")
            found.append(Warning(f"Pension re-enrolment is due on {due:%-d %B %Y}{who}, and the re-declaration of "
                                 f"compliance goes to the Pensions Regulator within 5 months of it", False))
    if has_employed_pas:
        if employer is None or employer.insurance_renews_on is None:
            found.append(Warning("No employer’s liability insurance recorded", True))
        else:
            found += filter(None, [_dated("Employer’s liability insurance", employer.insurance_renews_on, today,
                                          None)])
            if has_delegated_tasks and not employer.insurance_covers_delegated_tasks:
                found.append(Warning("The insurance is not recorded as covering delegated healthcare tasks", True))
    if cost is not None and cost.pas and cost.headroom_pence < 0:
        found.append(Warning(
            f"The plan’s lines for employing PAs are {format_pence(-cost.headroom_pence)} a year short of the true "
            f"cost ({cost.year_label})", True, code=PLAN_SHORT))
    return found


def pay_below_minimum(pa: PersonalAssistant, record, rates) -> str | None:
    """What to tell the employer when a pay record works out below the minimum wage (said when it is saved, and
    among the PA's warnings until it is put right); None when it is not. The rate and the PA's age band are
    those of the day its pay reference period starts (`rates` are the figures in force on that day), whenever it
    is paid. Only hours awake and working count, and only the pay for them: sleep-in pay, holiday pay and sick
    pay are left out (payrules.wage_check)."""
    if not (pa.is_employed and record.hours and record.status == RecordStatus.ACTIVE):
        return None
    try:
        check = wage_check(record, rates, date_of_birth=pa.date_of_birth, apprentice_since=pa.apprentice_since,
                           accommodation_charge_pence=pa.accommodation_charge)
    except UnknownRate:
        return None
    if check is None or not check.below:
        return None
    not_counted = f" ({', '.join(check.left_out)} not counted: it is not pay for hours worked)" if check.left_out \
        else ""
    return (f"{pa.name}’s pay for {record.period_start:%-d %b} to {record.period_end:%-d %b %Y} works out at "
            f"{format_pence(int(check.hourly))} an hour for the hours awake and working{not_counted}, below the "
            f"{check.label} for a pay period starting then ({format_pence(check.minimum_pence)} an hour): "
            f"{format_pence(check.shortfall_pence)} short")


def pay_notes(pa: PersonalAssistant, record, rates) -> list[str]:
    """What the rules say of a pay record just saved, in plain words: employer NI for the period (when what was
    entered differs), and automatic enrolment when the pay makes the PA an eligible jobholder who is not in a
    pension. `rates` are the figures in force on the pay day (NI and pension go by the payment)."""
    if not pa.is_employed:
        return []
    notes = []
    frequency = frequency_of(record.period_start, record.period_end)
    try:
        ni = employer_ni(record.gross_pence, rates, frequency, age_on(pa.date_of_birth, record.period_end))
        pension = assess_pension(record.gross_pence, rates, frequency, pa.date_of_birth, record.period_end)
    except UnknownRate:
        return []
    if ni.pence != record.employer_ni_pence:
        notes.append(f"Employer National Insurance for this pay works out at {format_pence(ni.pence)}, not the "
                     f"{format_pence(record.employer_ni_pence)} entered: {ni.working}. Check it with your payroll "
                     f"provider (Employment Allowance, if you claim it, comes off what you pay HMRC, not off this "
                     f"figure)")
    if pension.status is PensionStatus.ELIGIBLE and pa.pension_enrolled_on is None and \
            pa.pension_opted_out_on is None and \
            (pa.pension_postponed_until is None or pa.pension_postponed_until < record.period_start):
        notes.append(f"{pa.name} must be put into a workplace pension: {pension.working[len('Must be enrolled: '):]}. "
                     f"Record when they are enrolled on their details")
    return notes
