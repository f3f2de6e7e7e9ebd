"""Matching bank statement lines to the plan: a payment out to one budget line or split across several, a
line linked to a payment already recorded, money in as income. Rules learned from earlier matches suggest
where each new line goes."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..audit import mark_changed, record
from ..budget.locks import PeriodLocked
from ..budget.models import INCOME_SOURCES, Budget, BudgetLine, IncomeSource, MoneyIn, Plan
from ..budget.services import in_force
from ..choices import RecordStatus
from ..extensions import db
from ..reviews.services import refresh_next_review
from ..spending.models import SpendingEntry
from ..timeutil import utcnow
from .models import LineStatus, MatchRule, StatementLine

LINK_DAYS = 10  # a payment recorded this many days either side of the bank's date may be the same one


class StaleLine(ValueError):
    """Someone else dealt with the line since the page was opened."""

    def __init__(self, message: str = "Someone else changed this line a moment ago. It is shown as it is now."):
        super().__init__(message)


def pattern_of(description: str) -> str:
    """What stays the same on a payee's lines from month to month: letters only, without references."""
    words = re.sub(r"[^A-Z ]+", " ", description.upper().replace("'", "")).split()
    return " ".join(word for word in words if len(word) > 1)[:120] or description.strip().upper()[:120]


def payee_of(description: str) -> str:
    """A readable payee from a bank's description: 'HOMECARE PARTNERS LTD REF 123' → 'Homecare Partners Ltd'."""
    words = re.split(r"\s+(?:REF|REFERENCE|FPO|FPI|BGC|DD|SO|BP|CHQ|TFR)\b", description.strip(), maxsplit=1,
                     flags=re.IGNORECASE)[0]
    cleaned = re.sub(r"\s+", " ", re.sub(r"[^\w&'., -]", " ", words)).strip(" ,.-")
    return (cleaned.title() if cleaned.isupper() else cleaned)[:200] or "Unknown payee"


@dataclass
class PlanIndex:
    """Every version of a budget's plan and their lines, to find a line's version in force on any day."""

    plans: list[Plan]
    lines_by_plan: dict[int, list[BudgetLine]]

    @classmethod
    def load(cls, budget_id: int) -> PlanIndex:
        plans = list(db.session.scalars(select(Plan).where(Plan.budget_id == budget_id).order_by(Plan.version)))
        lines: dict[int, list[BudgetLine]] = {}
        for line in db.session.scalars(select(BudgetLine).where(BudgetLine.budget_id == budget_id)
                                       .order_by(BudgetLine.position, BudgetLine.id)):
            lines.setdefault(line.plan_id, []).append(line)
        return cls(plans, lines)

    def lines_on(self, day) -> list[BudgetLine]:
        plan = in_force(self.plans, day)
        return self.lines_by_plan.get(plan.id, []) if plan else []

    def line_on(self, lineage: int, day) -> BudgetLine | None:
        return next((line for line in self.lines_on(day) if line.lineage == lineage), None)


class SuggestionKind(enum.StrEnum):
    LINE = "line"  # a payment out to a budget line
    INCOME = "income"  # money in of a kind
    LINK = "link"  # a payment (or money in) already recorded


@dataclass
class Suggestion:
    kind: SuggestionKind
    reason: str
    line: BudgetLine | None = None
    income_source: str | None = None
    record: SpendingEntry | MoneyIn | None = None
    payee: str = ""

    @property
    def label(self) -> str:
        if self.kind == SuggestionKind.LINE:
            return self.line.item
        if self.kind == SuggestionKind.INCOME:
            return INCOME_SOURCES[self.income_source]
        if isinstance(self.record, SpendingEntry):
            return f"the payment to {self.record.payee} recorded for {self.record.paid_on:%-d %B}"
        return f"the money in recorded for {self.record.received_on:%-d %B}"


def suggestions(budget: Budget, lines: list[StatementLine], plan: PlanIndex | None = None) -> dict[int, Suggestion]:
    """A suggestion for each line still to match, in a fixed number of queries: a payment already recorded for
    the same amount near the same day first, then a learned rule, then the funder's name on money in."""
    todo = [line for line in lines if line.is_unmatched]
    if not todo:
        return {}
    plan = plan or PlanIndex.load(budget.id)
    rules = {rule.pattern: rule for rule in db.session.scalars(select(MatchRule).where(
        MatchRule.budget_id == budget.id, MatchRule.pattern.in_({pattern_of(ln.description) for ln in todo})))}
    start = min(ln.line_date for ln in todo) - timedelta(days=LINK_DAYS)
    end = max(ln.line_date for ln in todo) + timedelta(days=LINK_DAYS)
    entries = db.session.scalars(select(SpendingEntry).where(
        SpendingEntry.budget_id == budget.id, SpendingEntry.status == RecordStatus.ACTIVE,
        SpendingEntry.statement_line_id.is_(None), SpendingEntry.paid_on.between(start, end),
        SpendingEntry.amount_pence.in_({-ln.amount_pence for ln in todo if ln.amount_pence < 0} or {0}))).all()
    incomes = db.session.scalars(select(MoneyIn).where(
        MoneyIn.budget_id == budget.id, MoneyIn.status == RecordStatus.ACTIVE, MoneyIn.statement_line_id.is_(None),
        MoneyIn.received_on.between(start, end),
        MoneyIn.amount_pence.in_({ln.amount_pence for ln in todo if ln.amount_pence > 0} or {0}))).all()
    funder_words = {w for w in pattern_of(budget.funder.name).split() if w not in ("COUNCIL", "NHS", "THE", "OF")}
    taken: set = set()
    found: dict[int, Suggestion] = {}
    for line in todo:
        near = sorted((r for r in (entries if line.amount_pence < 0 else incomes)
                       if r.amount_pence == abs(line.amount_pence) and id(r) not in taken
                       and abs(((r.paid_on if isinstance(r, SpendingEntry) else r.received_on)
                                - line.line_date).days) <= LINK_DAYS),
                      key=lambda r: abs(((r.paid_on if isinstance(r, SpendingEntry) else r.received_on)
                                         - line.line_date).days))
        if near:
            taken.add(id(near[0]))
            found[line.id] = Suggestion(SuggestionKind.LINK, "Same amount as a payment already recorded",
                                        record=near[0])
            continue
        rule = rules.get(pattern_of(line.description))
        if rule is not None and rule.line_root_id and line.amount_pence < 0:
            target = plan.line_on(rule.line_root_id, line.line_date)
            if target is not None:
                found[line.id] = Suggestion(SuggestionKind.LINE, f"Matched like this {rule.uses} time"
                                            f"{'s' if rule.uses != 1 else ''} before", line=target, payee=rule.payee)
                continue
        if line.amount_pence > 0:
            if rule is not None and rule.income_source:
                found[line.id] = Suggestion(SuggestionKind.INCOME, f"Matched like this {rule.uses} time"
                                            f"{'s' if rule.uses != 1 else ''} before", income_source=rule.income_source)
            elif funder_words and funder_words <= set(pattern_of(line.description).split()):
                found[line.id] = Suggestion(SuggestionKind.INCOME, f"The description names {budget.funder.name}",
                                            income_source=IncomeSource.FUNDER)
    return found


def _learn(budget_id: int, description: str, *, line: BudgetLine | None = None, source: str | None = None,
           payee: str = "") -> None:
    pattern = pattern_of(description)
    rule = db.session.scalar(select(MatchRule).where(MatchRule.budget_id == budget_id, MatchRule.pattern == pattern))
    if rule is None:
        db.session.add(MatchRule(budget_id=budget_id, pattern=pattern, line_root_id=line.lineage if line else None,
                                 income_source=source, payee=payee))
        return
    same = (rule.line_root_id == line.lineage) if line else (rule.income_source == source)
    rule.uses = rule.uses + 1 if same else 1
    rule.line_root_id, rule.income_source = (line.lineage, None) if line else (None, source)
    rule.payee = payee or rule.payee


def _take(line: StatementLine, seen_version: int, status: LineStatus, actor, note: str = "") -> None:
    """Match or set aside a line still to match, as of the version the user saw."""
    if line.version != seen_version or not line.is_unmatched:
        raise StaleLine()
    line.status, line.note, line.changed_by_id, line.changed_at = status, note, actor.id, utcnow()


def _flush() -> None:
    """Write the line's new status now, so a second person's change to the same version fails here (and a
    line or record dated in a closed period is refused, by reconciliation.periods' flush check)."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleLine() from None


def match_to_lines(budget: Budget, line: StatementLine, seen_version: int, parts: list[tuple[BudgetLine, int]],
                   payee: str, actor, plan: PlanIndex | None = None) -> list[SpendingEntry]:
    """Money out: a spending entry for each part, on the plan version in force on the bank's date."""
    if line.amount_pence >= 0:
        raise ValueError("Only money out can be matched to budget lines")
    if sum(amount for _, amount in parts) != -line.amount_pence or any(amount <= 0 for _, amount in parts):
        raise ValueError("The parts must add up to the amount on the statement")
    plan = plan or PlanIndex.load(budget.id)
    resolved = []
    for chosen, amount in parts:
        target = plan.line_on(chosen.lineage, line.line_date)
        if target is None:
            raise ValueError(f"‘{chosen.item}’ was not in the plan on {line.line_date:%-d %B %Y}")
        resolved.append((target, amount))
    _take(line, seen_version, LineStatus.MATCHED, actor)
    payee = payee[:200] or payee_of(line.description)
    entries = [SpendingEntry(budget_id=budget.id, line_id=target.id, paid_on=line.line_date, amount_pence=amount,
                             payee=payee, category=target.category, note="", statement_line_id=line.id,
                             from_statement=True, created_by_id=actor.id) for target, amount in resolved]
    db.session.add_all(entries)
    _flush()
    if len(resolved) == 1:
        _learn(budget.id, line.description, line=resolved[0][0], payee=payee)
    record("statement_line.matched", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
           parts=[{"line_id": t.id, "amount_pence": a, "entry_id": e.id} for (t, a), e in zip(resolved, entries,
                                                                                          strict=True)])
    return entries


def match_income(budget: Budget, line: StatementLine, seen_version: int, source: str, actor) -> MoneyIn:
    if line.amount_pence <= 0:
        raise ValueError("Only money in can be recorded as income")
    if source not in INCOME_SOURCES:
        raise ValueError("Choose where the money came from")
    _take(line, seen_version, LineStatus.MATCHED, actor)
    item = MoneyIn(budget_id=budget.id, received_on=line.line_date, amount_pence=line.amount_pence, source=source,
                   note=line.description[:200], statement_line_id=line.id, from_statement=True,
                   created_by_id=actor.id)
    db.session.add(item)
    _flush()
    _learn(budget.id, line.description, source=source)
    refresh_next_review(budget)  # the first funder payment starts the review clock
    record("statement_line.matched", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
           income_source=source, money_in_id=item.id)
    return item


def link(budget: Budget, line: StatementLine, seen_version: int, target: SpendingEntry | MoneyIn, actor) -> None:
    """The bank line is a payment (or money in) already recorded: link them rather than record it twice."""
    if target.budget_id != budget.id or target.status != RecordStatus.ACTIVE or target.statement_line_id is not None:
        raise StaleLine("That payment is no longer there to link: choose again.")
    if target.amount_pence != abs(line.amount_pence) or (isinstance(target, SpendingEntry) != (line.amount_pence < 0)):
        raise ValueError("Only a record of the same amount, in the same direction, can be linked")
    _take(line, seen_version, LineStatus.MATCHED, actor)
    target.statement_line_id = line.id
    _flush()
    if isinstance(target, SpendingEntry):
        _learn(budget.id, line.description, line=db.session.get(BudgetLine, target.line_id), payee=target.payee)
    record("statement_line.linked", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
           **{"entry_id" if isinstance(target, SpendingEntry) else "money_in_id": target.id})


def set_aside(budget: Budget, line: StatementLine, seen_version: int, reason: str, actor) -> None:
    """Not money for the plan (a transfer, a bank error put right): kept, with why, and shown in
    reconciliation as a difference to explain."""
    if not reason:
        raise ValueError("Enter why this line is not for the plan")
    _take(line, seen_version, LineStatus.IGNORED, actor, reason[:500])
    _flush()
    record("statement_line.set_aside", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
           reason=reason)


def undo(budget: Budget, line: StatementLine, seen_version: int, reason: str, actor) -> None:
    """Back to 'to match': entries the match made are voided with the reason; records linked are unlinked."""
    if line.version != seen_version or line.is_unmatched:
        raise StaleLine()
    if not reason:
        raise ValueError("Enter why the match is being undone")
    voided, unlinked = [], []
    for model in (SpendingEntry, MoneyIn):
        for item in db.session.scalars(select(model).where(model.statement_line_id == line.id,
                                                           model.status == RecordStatus.ACTIVE)):
            if item.from_statement:
                mark_changed(item, RecordStatus.VOIDED, f"Match undone: {reason}", actor)
                voided.append(item.id)
            else:
                item.statement_line_id = None
                unlinked.append(item.id)
    before = line.status
    line.status, line.note, line.changed_by_id, line.changed_at = LineStatus.UNMATCHED, "", actor.id, utcnow()
    _flush()
    record("statement_line.unmatched", line, actor=actor, budget_id=budget.id, was=before, reason=reason,
           voided_ids=voided, unlinked_ids=unlinked)


def accept_all(budget: Budget, chosen: list[tuple[int, int]], actor) -> int:
    """Accept the suggestions for the chosen (line id, version) pairs in one go: all of them, or none if any
    was changed by someone else meanwhile."""
    ids = [line_id for line_id, _ in chosen]
    lines = {line.id: line for line in db.session.scalars(select(StatementLine).where(
        StatementLine.budget_id == budget.id, StatementLine.id.in_(ids)))}
    if len(lines) != len(set(ids)):
        raise StaleLine("Some of those lines are no longer there to match.")
    plan = PlanIndex.load(budget.id)
    found = suggestions(budget, list(lines.values()), plan)
    done = 0
    for line_id, version in chosen:
        line, suggestion = lines[line_id], found.get(line_id)
        description = line.description  # read now: after a failed flush the session can load nothing
        if suggestion is None:
            raise StaleLine(f"‘{description}’ has no suggestion to accept now.")
        try:
            apply(budget, line, version, suggestion, actor, plan)
        except StaleLine:
            raise StaleLine(f"‘{description}’ was dealt with by someone else a moment ago: the list below "
                            "shows it as it is now.") from None
        done += 1
    return done


def accept_batch(budget: Budget, lines: list[StatementLine], actor) -> tuple[int, int]:
    """Accept the suggestions for lines still to match that the caller has locked (the worker's batches): the
    suggestions worked out once, the rules read once, and one flush for the batch, so the INSERTs go together.
    A record to link that someone else linked meanwhile, or (on the slow path) a line dated in a closed period,
    is passed over. Returns (accepted, passed over)."""
    plan = PlanIndex.load(budget.id)
    try:
        with db.session.begin_nested():
            return _accept_together(budget, lines, actor, plan)
    except PeriodLocked:  # a line dated in a closed period: one by one, passing over the ones refused
        accepted = 0
        for line in lines:
            try:
                with db.session.begin_nested():
                    accepted += _accept_together(budget, [line], actor, plan)[0]
            except PeriodLocked:
                pass
        return accepted, len(lines) - accepted


def _accept_together(budget: Budget, lines: list[StatementLine], actor, plan: PlanIndex) -> tuple[int, int]:
    found = suggestions(budget, lines, plan)
    patterns = {pattern_of(line.description) for line in lines if line.id in found}
    line_by_id = {ln.id: ln for version in plan.lines_by_plan.values() for ln in version}
    rules = {rule.pattern: rule for rule in db.session.scalars(select(MatchRule).where(
        MatchRule.budget_id == budget.id, MatchRule.pattern.in_(patterns or {""})))}
    now, done, income = utcnow(), [], False
    for line in lines:
        suggestion = found.get(line.id)
        if suggestion is None or not line.is_unmatched:
            continue
        pattern = pattern_of(line.description)
        if suggestion.kind == SuggestionKind.LINK:
            target = suggestion.record
            model = type(target)
            linked = db.session.execute(  # only if nobody linked it meanwhile
                update(model).where(model.id == target.id, model.statement_line_id.is_(None),
                                    model.status == RecordStatus.ACTIVE)
                .values(statement_line_id=line.id).execution_options(synchronize_session=False)).rowcount
            if not linked:
                continue
            set_committed_value(target, "statement_line_id", line.id)
            if isinstance(target, SpendingEntry):
                _learn_into(rules, budget.id, pattern, line=line_by_id.get(target.line_id), payee=target.payee)
            created = target
        elif suggestion.kind == SuggestionKind.INCOME:
            created = MoneyIn(budget_id=budget.id, received_on=line.line_date, amount_pence=line.amount_pence,
                              source=suggestion.income_source, note=line.description[:200],
                              statement_line_id=line.id, from_statement=True, created_by_id=actor.id)
            _learn_into(rules, budget.id, pattern, source=suggestion.income_source)
            income = True
        else:
            payee = suggestion.payee[:200] or payee_of(line.description)
            created = SpendingEntry(budget_id=budget.id, line_id=suggestion.line.id, paid_on=line.line_date,
                                    amount_pence=-line.amount_pence, payee=payee, category=suggestion.line.category,
                                    note="", statement_line_id=line.id, from_statement=True,
                                    created_by_id=actor.id)
            _learn_into(rules, budget.id, pattern, line=suggestion.line, payee=payee)
        if created is not suggestion.record:
            db.session.add(created)
        line.status, line.note, line.changed_by_id, line.changed_at = LineStatus.MATCHED, "", actor.id, now
        done.append((line, suggestion, created))
    db.session.flush()  # the batch's lines, entries, money in and rules, together
    for line, suggestion, created in done:
        if suggestion.kind == SuggestionKind.LINK:
            record("statement_line.linked", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
                   **{"entry_id" if isinstance(created, SpendingEntry) else "money_in_id": created.id}, bulk=True)
        elif suggestion.kind == SuggestionKind.INCOME:
            record("statement_line.matched", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
                   income_source=created.source, money_in_id=created.id, bulk=True)
        else:
            record("statement_line.matched", line, actor=actor, budget_id=budget.id, amount_pence=line.amount_pence,
                   parts=[{"line_id": created.line_id, "amount_pence": created.amount_pence, "entry_id": created.id}],
                   bulk=True)
    if income:
        refresh_next_review(budget)  # the first funder payment starts the review clock
    return len(done), len(lines) - len(done)


def _learn_into(rules: dict[str, MatchRule], budget_id: int, pattern: str, *, line: BudgetLine | None = None,
                source: str | None = None, payee: str = "") -> None:
    """`_learn` against rules already read (the batch's), adding new ones to them."""
    rule = rules.get(pattern)
    if rule is None:
        rules[pattern] = rule = MatchRule(budget_id=budget_id, pattern=pattern, line_root_id=line.lineage if line
                                          else None, income_source=source, payee=payee, uses=1)
        db.session.add(rule)
        return
    same = (rule.line_root_id == line.lineage) if line else (rule.income_source == source)
    rule.uses = rule.uses + 1 if same else 1
    rule.line_root_id, rule.income_source = (line.lineage, None) if line else (None, source)
    rule.payee = payee or rule.payee


def apply(budget: Budget, line: StatementLine, version: int, suggestion: Suggestion, actor,
          plan: PlanIndex | None = None) -> None:
    if suggestion.kind == SuggestionKind.LINK:
        link(budget, line, version, suggestion.record, actor)
    elif suggestion.kind == SuggestionKind.INCOME:
        match_income(budget, line, version, suggestion.income_source, actor)
    else:
        match_to_lines(budget, line, version, [(suggestion.line, -line.amount_pence)], suggestion.payee, actor, plan)


def match_counts(budget_id: int) -> dict[str, int]:
    """Lines (and their money) still to match, matched and set aside: the totals above the matching list."""
    out = {LineStatus.UNMATCHED: 0, LineStatus.MATCHED: 0, LineStatus.IGNORED: 0, "unmatched_in": 0,
           "unmatched_out": 0}
    for status, count, money_in, money_out in db.session.execute(
            select(StatementLine.status, func.count(),
                   func.coalesce(func.sum(StatementLine.amount_pence).filter(StatementLine.amount_pence > 0), 0),
                   func.coalesce(-func.sum(StatementLine.amount_pence).filter(StatementLine.amount_pence < 0), 0))
            .where(StatementLine.budget_id == budget_id).group_by(StatementLine.status)):
        out[status] = count
        if status == LineStatus.UNMATCHED:
            out["unmatched_in"], out["unmatched_out"] = int(money_in), int(money_out)
    return out


def matched_to(line_ids: list[int]) -> dict[int, list]:
    """What each matched line became: its spending entries (with their budget line) or money in."""
    found: dict[int, list] = {}
    if not line_ids:
        return found
    for entry in db.session.scalars(select(SpendingEntry).options(joinedload(SpendingEntry.line)).where(
            SpendingEntry.statement_line_id.in_(line_ids), SpendingEntry.status == RecordStatus.ACTIVE)):
        found.setdefault(entry.statement_line_id, []).append(entry)
    for item in db.session.scalars(select(MoneyIn).where(MoneyIn.statement_line_id.in_(line_ids),
                                                         MoneyIn.status == RecordStatus.ACTIVE)):
        found.setdefault(item.statement_line_id, []).append(item)
    return found
