"""The case manager's caseload: its columns, filters, sort and search."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbportal.extensions import db
from pbportal.reviews.services import create_request, move_request
from pbportal.timeutil import today

from ..conftest import login, make_budget, make_line, make_user
from ..contingency.helpers import add_arrangement
from ..reviews.helpers import fresh
from ..support import page_of, short


@pytest.fixture
def caseload(world):
    from pbportal.employment.models import PersonalAssistant

    w = world
    w.dp.next_review_due = today() + timedelta(days=30)
    add_arrangement(w.dp, "pa_sick", 9000)
    open_request = create_request(w.dp, "need", "More help", "soon", w.holder)
    closed = create_request(w.dp, "other", "Old", "routine", w.holder)
    move_request(closed, "declined", w.case_manager, today=today(), note="Not needed")
    late_holder = make_user("bea@example.org", "holder", "Bea Late")
    late = make_budget(late_holder, w.council, case_manager=w.case_manager)
    make_line(late, "Support")
    late.next_review_due = today() - timedelta(days=3)
    add_arrangement(late, "emergency", None)
    db.session.add(PersonalAssistant(budget_id=late.id, name="Sol Trader", start_date=today() - timedelta(days=30),
                                     employment_type="self_employed"))
    db.session.commit()
    return {"late": late, "request": open_request}


def rows_of(page: str) -> dict[str, str]:
    body = page[page.index("<tbody"):page.index("</tbody>")]
    rows = body.split('<tr class="govuk-table__row">')[1:]
    return {re.search(r'<a class="govuk-link" href="/budgets/\d+">([^<]+)</a>', row).group(1): row for row in rows}


def names_in(page: str) -> list[str]:
    return list(rows_of(page)) if "<tbody" in page else []


def test_caseload_columns(client, world, caseload):
    login(client, "cm@example.org")
    page = page_of(client.get("/caseload"))
    assert "3 people" in page and names_in(page) == ["Alex Holder", "Bea Late", "Mo Managed"]
    rows = rows_of(page)
    late_due = today() - timedelta(days=3)
    assert short(late_due) in rows["Bea Late"]
    assert re.search(r'</a> <strong class="govuk-tag govuk-tag--red">Overdue</strong>', rows["Bea Late"])
    assert short(today() + timedelta(days=30)) in rows["Alex Holder"] and "Overdue" not in rows["Alex Holder"]
    assert "Not yet due" in rows["Mo Managed"]
    cells = lambda row: re.findall(r'<td [^>]*class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)  # noqa: E731
    assert cells(rows["Alex Holder"])[1] == "1"  # open requests: the declined one does not count
    assert cells(rows["Bea Late"])[1] == "0"
    assert cells(rows["Mo Managed"])[4] == '<strong class="govuk-tag govuk-tag--red">None</strong>'
    assert cells(rows["Alex Holder"])[4].startswith("Yes, updated")
    assert cells(rows["Bea Late"])[5].startswith('<strong class="govuk-tag govuk-tag--red">1</strong>')  # PA warning
    assert cells(rows["Mo Managed"])[5] == "None"


@pytest.mark.parametrize("query, names, summary", [
    ("overdue=1", ["Bea Late"], "1 person. Showing only: review overdue."),
    ("requests=1", ["Alex Holder"], "1 person. Showing only: open review requests."),
    ("no_contingency=1", ["Mo Managed"], "1 person. Showing only: no contingency plan."),
    ("overdue=1&no_contingency=1", [], "0 people. Showing only: review overdue, no contingency plan."),
    ("sort=review", ["Bea Late", "Alex Holder", "Mo Managed"], "3 people."),
    ("sort=name", ["Alex Holder", "Bea Late", "Mo Managed"], "3 people."),
    ("sort=nonsense", ["Alex Holder", "Bea Late", "Mo Managed"], "3 people."),
    ("q=late&sort=review", ["Bea Late"], "1 person matching ‘late’."),
])
def test_caseload_filters_and_sort(client, world, caseload, query, names, summary):
    login(client, "cm@example.org")
    page = page_of(client.get(f"/caseload?{query}"))
    assert names_in(page) == names
    assert summary in page
    for key in ("overdue", "requests", "no_contingency"):
        checked = f'id="filter-{key}" name="{key}" type="checkbox" value="1" checked' in page
        assert checked is (f"{key}=1" in query), key


def test_caseload_requests_filter_counts_only_open_requests(client, world, caseload):
    move_request(caseload["request"], "scheduled", world.case_manager, today=today(),
                 scheduled_for=today() + timedelta(days=3))
    db.session.commit()
    login(client, "cm@example.org")
    assert names_in(page_of(client.get("/caseload?requests=1"))) == ["Alex Holder"]
    move_request(fresh(caseload["request"]), "completed", world.case_manager, today=today())
    db.session.commit()
    assert names_in(page_of(client.get("/caseload?requests=1"))) == []


def test_caseload_search_with_htmx_returns_only_the_table(client, world, caseload):
    login(client, "cm@example.org")
    response = client.get("/caseload?q=Bea&overdue=1", headers={"HX-Request": "true"})
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="budget-table"') and "Search by name" not in page
    assert names_in(page) == ["Bea Late"] and "Alex Holder" not in page
    assert "1 person matching ‘Bea’" in page and "review overdue." in page
