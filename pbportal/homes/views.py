"""Each kind of user's home: a holder's budget, a provider's accounts, a case manager's caseload."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, func, select

from ..auth.models import Organisation, Role, User
from ..banking.models import CommentStatus, LineComment, LineStatus, StatementLine
from ..banking.services import statement_columns, summary_from
from ..budget.access import get_budget_or_404, visible_budgets_clause
from ..budget.caseload import new_accounts, new_accounts_query
from ..budget.models import Budget
from ..contingency.models import Arrangement
from ..contingency.services import contingency_summary
from ..employment.rates import missing_next_year
from ..employment.services import load_employment
from ..exports.former import former_page
from ..extensions import db
from ..forms import ActionForm
from ..pagination import page_of
from ..partials import render
from ..reconciliation.models import MonitoringReturn, PeriodStatus, ReconciliationPeriod, ReturnStatus
from ..reconciliation.periods import book_balances, last_reconciled_column
from ..reconciliation.returns import returns_due, returns_waiting
from ..reviews.models import ReviewRequest
from ..reviews.services import open_request_counts
from ..timeutil import today
from .budget_page import budget_page
from .services import budget_rows

bp = Blueprint("homes", __name__)


@bp.route("/")
@login_required
def home():
    role = current_user.role
    if role in (Role.HOLDER, Role.REPRESENTATIVE):
        budget_ids = db.session.scalars(
            select(Budget.id).where(visible_budgets_clause(current_user)).order_by(Budget.id).limit(2)
        ).all()
        if len(budget_ids) == 1:
            return redirect(url_for("homes.budget", budget_id=budget_ids[0]))
        return redirect(url_for("homes.budgets"))
    if role == Role.PROVIDER_STAFF:
        return redirect(url_for("homes.accounts"))
    if role == Role.CASE_MANAGER:
        return redirect(url_for("homes.caseload"))
    if role == Role.ORG_ADMIN:
        return redirect(url_for("organisation.staff"))
    return redirect(url_for("homes.admin"))


CASELOAD_FILTERS = {
    "overdue": ("Review overdue", lambda now: Budget.next_review_due < now),
    "requests": ("Open review requests", lambda now: Budget.id.in_(
        select(ReviewRequest.budget_id).where(ReviewRequest.is_open))),
    "no_contingency": ("No contingency plan", lambda now: Budget.id.not_in(select(Arrangement.budget_id))),
    "returns": ("Monitoring returns to check", lambda now: Budget.id.in_(
        select(MonitoringReturn.budget_id).where(MonitoringReturn.status == ReturnStatus.SUBMITTED))),
}


ACCOUNT_FILTERS = {
    "to_match": ("Statement lines to match", lambda now: Budget.id.in_(
        select(StatementLine.budget_id).where(StatementLine.status == LineStatus.UNMATCHED))),
    "not_reconciled": ("Not reconciled in the last 2 months", lambda now: Budget.id.not_in(
        select(ReconciliationPeriod.budget_id).where(ReconciliationPeriod.status == PeriodStatus.CLOSED,
                                                     ReconciliationPeriod.ends_on >= now - timedelta(days=61)))),
    "queried": ("Returns queried by the case manager", lambda now: Budget.id.in_(
        select(MonitoringReturn.budget_id).where(MonitoringReturn.status == ReturnStatus.QUERIED))),
    "questions": ("Questions from the person", lambda now: Budget.id.in_(
        select(LineComment.budget_id).where(LineComment.status == CommentStatus.OPEN))),
}
ACCOUNT_SORTS = {"name": "Name", "to_match": "Most lines to match", "reconciled": "Longest since reconciled"}
ENDED = ("Ended budgets", lambda now: Budget.ended_on.is_not(None))
CASELOAD_FILTERS["ended"] = ENDED
ACCOUNT_FILTERS["ended"] = ENDED
CASELOAD_SORTS = {"name": "Name", "review": "Next review, soonest first"}
HOLDER_FILTERS = {"ended": ENDED}  # an ended budget stays readable by its holder and representatives


NEW_ON_HOME = 10  # new accounts offered to a provider that its home lists; the rest are at /accounts/new


def _list_page(title: str, roles: tuple[str, ...], endpoint: str, caseload: bool = False):
    if current_user.role not in roles:
        abort(404)
    now = today()
    accounts = endpoint == "homes.accounts"
    filters = CASELOAD_FILTERS if caseload else ACCOUNT_FILTERS if accounts else HOLDER_FILTERS
    sorts = CASELOAD_SORTS if caseload else ACCOUNT_SORTS if accounts else {"name": "Name"}
    search = (request.args.get("q") or "").strip()[:100]
    page = request.args.get("page", 1, type=int)
    chosen = [key for key in filters if request.args.get(key) == "1"]
    sort = request.args.get("sort", "name")
    sort = sort if sort in sorts else "name"
    active = [] if "ended" in chosen else [Budget.ended_on.is_(None)]  # ended budgets only when asked for
    found = budget_rows(visible_budgets_clause(current_user), now, page, search,
                        filters=[filters[key][1](now) for key in chosen] + active, sort=sort)
    rows = found.items
    ids = [row.budget.id for row in rows]
    figures = _account_figures(ids) if accounts else {}
    statements = {bid: f["statement"] for bid, f in figures.items()}
    # The books today, and at the end of each account's last statement to set beside the bank's balance.
    balances, at_statement = book_balances(
        ids, {bid: row["as_of"] for bid, row in statements.items() if row["as_of"]},
        held={row.budget.id: row.held_pence for row in rows}) if accounts else ({}, {})
    return render(
        "homes/budget_list.html", "homes/_budget_table.html",
        title=title, rows=rows, **found.context(), search=search, endpoint=endpoint,
        employment=load_employment(ids, now), caseload=caseload, today=now, chosen=chosen, sort=sort,
        filters=filters, sorts=sorts, open_requests=open_request_counts(ids) if caseload else {},
        contingency=contingency_summary(ids) if caseload else {},
        returns_waiting=returns_waiting(ids) if caseload else {},
        returns_due=returns_due([row.budget for row in rows], now) if caseload else {},
        statements=statements, balances=balances, books_at_statement=at_statement,
        reconciled={bid: f["reconciled"] for bid, f in figures.items() if f["reconciled"]},
        # The longest waiting few, and one more to know whether there are others (a page of their own).
        new_accounts=new_accounts(current_user.organisation_id, NEW_ON_HOME + 1) if accounts else [],
        new_on_home=NEW_ON_HOME, action=ActionForm(),
        questions={bid: f["questions"] for bid, f in figures.items() if f["questions"]},
        queried={bid: f["queried"] for bid, f in figures.items() if f["queried"]},
    )


def _count_column(model, condition):
    """How many of `model` meet `condition` for the budget of the statement's row, as a scalar subquery."""
    return select(func.count()).select_from(model).where(model.budget_id == Budget.id, condition).scalar_subquery()


# Built once (pbportal/extensions.py, prebuilt statements).
_ACCOUNT_FIGURES = select(
    Budget.id, last_reconciled_column(Budget.id),
    _count_column(LineComment, LineComment.status == CommentStatus.OPEN),
    _count_column(MonitoringReturn, MonitoringReturn.status == ReturnStatus.QUERIED),
    *statement_columns(Budget.id)).where(Budget.id.in_(bindparam("ids", expanding=True)))


def _account_figures(ids: list[int]) -> dict[int, dict]:
    """For each of these managed accounts: its statements' summary (banking.services.statement_summary), when
    it was last reconciled, open questions from the person and returns the case manager queried. One
    statement, whatever the number."""
    if not ids:
        return {}
    rows = db.session.execute(_ACCOUNT_FIGURES, {"ids": ids})
    return {budget_id: {"reconciled": reconciled, "questions": questions, "queried": queried,
                        "statement": summary_from(statement)}
            for budget_id, reconciled, questions, queried, *statement in rows}


@bp.route("/budgets/<int:budget_id>")
@login_required
def budget(budget_id: int):
    return render_template("budget/show.html", **budget_page(get_budget_or_404(budget_id), current_user))


@bp.route("/budgets")
@login_required
def budgets():
    return _list_page("Your budgets", (Role.HOLDER, Role.REPRESENTATIVE), "homes.budgets")


@bp.route("/accounts")
@login_required
def accounts():
    return _list_page("Managed accounts", (Role.PROVIDER_STAFF,), "homes.accounts")


@bp.route("/accounts/new")
@login_required
def offered_accounts():
    """Every managed account offered to the provider and not yet accepted or declined, a page at a time."""
    if current_user.role != Role.PROVIDER_STAFF or current_user.organisation_id is None:
        abort(404)
    found = page_of(new_accounts_query(current_user.organisation_id), request.args.get("page", 1, type=int))
    return render_template("homes/offered_accounts.html", new_accounts=found.items, **found.context(),
                           action=ActionForm())


@bp.route("/accounts/former")
@login_required
def former_accounts():
    if current_user.role != Role.PROVIDER_STAFF:
        abort(404)
    found = former_page(current_user, request.args.get("page", 1, type=int))
    return render_template("homes/former_accounts.html", handovers=found.items, **found.context())


@bp.route("/caseload")
@login_required
def caseload():
    return _list_page("Your caseload", (Role.CASE_MANAGER,), "homes.caseload", caseload=True)


@bp.route("/admin")
@login_required
def admin():
    if current_user.role != Role.ADMIN:
        abort(404)
    organisations = db.session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    budget_count = db.session.scalar(select(func.count(Budget.id)))
    return render("homes/admin.html", "homes/admin.html", organisations=organisations,
                  budget_count=budget_count, missing_figures=missing_next_year(today()))
