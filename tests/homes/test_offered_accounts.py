"""Accounts offered to a provider and not yet accepted: the provider home lists the ten waiting longest, and the
rest are a page of their own, so a council naming the provider for hundreds of people at once does not make the
home page hundreds of entries long."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbportal.extensions import db
from pbportal.timeutil import utcnow

from ..conftest import make_budget, make_user
from ..support import page_of, signed_in


def _offer(world, provider, n: int, minutes_ago: int):
    holder = make_user(f"offered{provider.id}-{n}@example.org", "holder", f"Offered Person {n:02d}")
    budget = make_budget(holder, world.council, held_as="managed_account", provider=provider,
                         case_manager=world.case_manager)
    budget.provider_accepted_at = None
    budget.created_at = utcnow() - timedelta(minutes=minutes_ago)
    return budget


@pytest.fixture
def offered(app, world):
    budgets = [_offer(world, world.provider_org, n, 100 - n) for n in range(12)]  # 00 has waited longest
    _offer(world, world.other_provider, 99, 500)
    db.session.commit()
    return budgets


def _names(page: str) -> list[str]:
    return re.findall(r"<strong>(Offered Person \d\d)</strong>", page)


def test_the_home_lists_the_ten_waiting_longest_and_links_to_the_rest(app, offered):
    page = page_of(signed_in(app, "staff").get("/accounts"))
    box = page[page.index('id="new-accounts"'):page.index("</section>", page.index('id="new-accounts"'))]
    assert _names(box) == [f"Offered Person {n:02d}" for n in range(10)]
    assert 'href="/accounts/new">See all the new accounts</a> (these are the 10 waiting longest)' in box
    assert "Offered Person 99" not in page  # another provider's


def test_the_new_accounts_page_lists_every_one_a_page_at_a_time(app, offered):
    staff = signed_in(app, "staff")
    page = page_of(staff.get("/accounts/new"))
    assert "(12 in all)" in page
    assert _names(page) == [f"Offered Person {n:02d}" for n in range(12)]
    assert f'action="/budgets/{offered[11].id}/provider/accept"' in page
    app.config["PAGE_SIZE"] = 5
    third = page_of(staff.get("/accounts/new?page=3"))
    assert _names(third) == ["Offered Person 10", "Offered Person 11"]
    assert "Pages of new accounts" in third


def test_with_none_waiting_the_home_has_no_box_and_the_page_says_so(app, world):
    staff = signed_in(app, "staff")
    assert 'id="new-accounts"' not in page_of(staff.get("/accounts"))
    assert "No account is waiting for you to accept or decline it." in page_of(staff.get("/accounts/new"))


def test_a_few_waiting_are_all_on_the_home(app, world):
    for n in range(3):
        _offer(world, world.provider_org, n, 10 - n)
    db.session.commit()
    page = page_of(signed_in(app, "staff").get("/accounts"))
    assert _names(page) == ["Offered Person 00", "Offered Person 01", "Offered Person 02"]
    assert "See all the new accounts" not in page


@pytest.mark.parametrize("role", ["holder", "rep", "ma_holder", "case_manager", "admin"])
def test_only_provider_staff_have_the_page(app, offered, role):
    assert signed_in(app, role).get("/accounts/new").status_code == 404


def test_another_provider_s_staff_see_only_their_own(app, offered):
    page = page_of(signed_in(app, "other_staff").get("/accounts/new"))
    assert _names(page) == ["Offered Person 99"]
