"""The provider home reads a fixed number of statements, however many accounts (with statements, reconciled
periods, questions and PAs) the provider holds: the N+1 guard of issue 16 for the third page it times."""
from __future__ import annotations

from sqlalchemy import event

from pbportal.banking.models import LineComment
from pbportal.extensions import db

from ..banking.helpers import add_lines
from ..conftest import days_ago, make_budget, make_entry, make_line, make_user
from ..employment.helpers import make_pa
from ..reconciliation.helpers import closed_period
from ..support import page_of, signed_in

# With no PAs: the signed-in person; one page of accounts with the count of them all; their plans, plan totals,
# spending this year and money held; statements, last reconciled, questions and queried returns (one statement);
# their holders' PAs; accounts offered and not yet accepted; unread notifications.
QUERIES = 10


def _statements_for(client, path: str) -> int:
    count = 0

    def counted(_conn, _cursor, statement, *_args):
        nonlocal count
        # Each request's session works on a savepoint of the test's transaction (conftest): not the page's.
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert response.status_code == 200
    return count


def _another_account(world, n: int) -> None:
    holder = make_user(f"managed{n}@example.org", "holder", f"Managed Person {n:02d}")
    budget = make_budget(holder, world.council, held_as="managed_account", provider=world.provider_org,
                         case_manager=world.case_manager)
    line = make_line(budget, "Agency care", category="agency_care")
    for day in (3, 10, 17):
        make_entry(budget, line, 2500 + day, payee="Agency Ltd", by=world.staff, paid_on=days_ago(day))
    (statement_line,) = add_lines(budget, world.staff, [(2, "AGENCY LTD", -2503)])
    db.session.add(LineComment(budget_id=budget.id, statement_line_id=statement_line.id, text="What was this?",
                               status="open", created_by_id=holder.id))
    make_pa(budget, f"PA {n}")
    closed_period(budget, world.staff, 10, -2503)


def test_the_provider_home_reads_the_same_statements_for_one_account_or_many(app, world):
    staff = signed_in(app, "staff")
    assert _statements_for(staff, "/accounts") <= QUERIES  # world.ma: no statements, PAs or questions
    _another_account(world, 0)
    db.session.commit()
    one = _statements_for(staff, "/accounts")
    for n in range(1, 25):  # more than a page (20)
        _another_account(world, n)
    db.session.commit()
    many = _statements_for(staff, "/accounts")
    second_page = _statements_for(staff, "/accounts?page=2")
    assert one == many == second_page, (one, many, second_page)
    page = page_of(staff.get("/accounts"))
    assert "Managed Person 00" in page and "1 question</strong>" in page
