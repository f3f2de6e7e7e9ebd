"""Employing PAs, 5. statutory figures: administrators add and edit them; nobody else can."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pbportal.employment import admin_views
from pbportal.employment.rates import KINDS, YEARLY_KINDS, StatutoryRate, rates_on
from pbportal.extensions import db
from pbportal.homes import views as homes_views

from ..conftest import login
from ..support import parts
from .helpers import assert_error, count, events


@pytest.fixture
def admin(client, world, rates):
    login(client, "admin@example.org")
    return client


def _next_unseeded_april(kind="nlw_21_plus") -> date:
    latest = db.session.scalar(select(func.max(StatutoryRate.valid_from)).where(StatutoryRate.kind == kind))
    return date(latest.year + 1, 4, 1)


def test_admin_adds_a_statutory_figure(admin, world):
    valid_from = _next_unseeded_april()
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(valid_from), "value": "1300",
                                                          "source": "Announced in the Budget"})
    assert r.status_code == 303 and r.location == "/admin/rates#nlw_21_plus"
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus",
                                                         StatutoryRate.valid_from == valid_from)).one()
    assert row.value == Decimal("1300") and row.source == "Announced in the Budget"
    assert row.changed_by_id == world.admin.id
    event = events("statutory_rate.added")[0]
    assert event.object_id == row.id and event.actor_id == world.admin.id and event.data["value"] in ("1300",
                                                                                                      "1300.0000")
    page = admin.get(r.location.split("#")[0]).get_data(as_text=True)
    assert f"National Living Wage from {valid_from:%-d %B %Y} saved." in page
    assert f"From {valid_from:%-d %B %Y}: <strong>£13.00</strong>" in page
    # It is used from that date, not before.
    assert rates_on(valid_from).pence("nlw_21_plus") == 1300
    assert rates_on(valid_from - timedelta(days=1)).pence("nlw_21_plus") != 1300


def test_a_figure_typed_in_pounds_is_not_stored_as_pence(admin):
    """The form asks for pence; '£13.00' must not silently become 13p an hour."""
    valid_from = _next_unseeded_april()
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(valid_from), "value": "£13.00",
                                                          "source": "Announced"})
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus",
                                                         StatutoryRate.valid_from == valid_from)).one_or_none()
    assert row is None or row.value == Decimal("1300"), (r.status_code, row and row.value)


def test_a_second_figure_from_the_same_date_is_refused(admin):
    existing = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus")
                                  .order_by(StatutoryRate.valid_from)).first()
    before = count(StatutoryRate)
    r = admin.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(existing.valid_from), "value": "999",
                                                          "source": "Typed twice"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, "There is already a figure for National Living Wage from this date: "
                       "change that one")
    assert 'value="999"' in page and "Typed twice" in page
    assert count(StatutoryRate) == before and events("statutory_rate.added") == []
    # The same date for a different kind is fine.
    other = admin.post("/admin/rates/nmw_18_20/new", data={"valid_from": parts(_next_unseeded_april("nmw_18_20")),
                                                           "value": "1100", "source": "Announced"})
    assert other.status_code == 303


def test_bad_figures_are_refused(admin):
    before = count(StatutoryRate)
    for data, message in [
        ({"value": "a lot"}, "Enter the figure as a number"),
        ({"value": "-1"}, "Enter the figure as a number"),
        ({"value": ""}, "Enter the figure as a number"),
        ({"source": ""}, "Enter where the figure comes from"),
        ({"valid_from": ["", "", ""]}, "Enter the date the figure applies from"),
    ]:
        form = {"valid_from": parts(_next_unseeded_april()), "value": "1300", "source": "Announced"}
        form.update(data)
        page = admin.post("/admin/rates/nlw_21_plus/new", data=form).get_data(as_text=True)
        assert_error(page, message)
    assert count(StatutoryRate) == before


def test_admin_edits_a_figure_and_it_is_audited(admin, world):
    row = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "dbs_enhanced")).first()
    old_value, old_from = row.value, row.valid_from
    form = admin.get(f"/admin/rates/{row.id}/edit").get_data(as_text=True)
    assert f'value="{Decimal(old_value).normalize():f}"' in form and "Enhanced DBS check" in form
    r = admin.post(f"/admin/rates/{row.id}/edit", data={"valid_from": parts(old_from), "value": "5400",
                                                         "source": "DBS fee update"})
    assert r.status_code == 303 and r.location == "/admin/rates#dbs_enhanced"
    db.session.expire_all()
    row = db.session.get(StatutoryRate, row.id)
    assert row.value == Decimal("5400") and row.source == "DBS fee update"
    event = events("statutory_rate.changed")[0]
    assert event.object_id == row.id and event.actor_id == world.admin.id
    assert Decimal(event.data["before"]["value"]) == Decimal(old_value) and Decimal(event.data["value"]) == 5400
    assert event.budget_id is None
    # Moving it onto another figure's date is refused with the same message.
    other = db.session.scalars(select(StatutoryRate).where(StatutoryRate.kind == "nlw_21_plus")).all()
    assert len(other) >= 2
    r = admin.post(f"/admin/rates/{other[0].id}/edit", data={"valid_from": parts(other[1].valid_from),
                                                              "value": "1", "source": "x"})
    assert "There is already a figure for National Living Wage from this date" in r.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(StatutoryRate, other[0].id).valid_from == other[0].valid_from


def test_non_admins_cannot_add_figures(client, world, rates):
    before = count(StatutoryRate)
    for email in ("holder@example.org", "cm@example.org", "staff@example.org"):
        login(client, email)
        r = client.post("/admin/rates/nlw_21_plus/new", data={"valid_from": parts(_next_unseeded_april()),
                                                               "value": "1", "source": "me"})
        assert r.status_code == 404
        client.post("/sign-out")
    assert count(StatutoryRate) == before


def test_every_kind_of_figure_can_be_added_with_a_hint_for_its_unit(admin):
    for kind, (label, _unit) in KINDS.items():
        page = admin.get(f"/admin/rates/{kind}/new")
        assert page.status_code == 200 and label in page.get_data(as_text=True), kind


def test_in_march_an_admin_is_told_which_of_next_year_s_figures_are_missing(admin, monkeypatch):
    def on(day):
        for module in (admin_views, homes_views):
            monkeypatch.setattr(module, "today", lambda: day)

    on(date(2027, 3, 10))
    page = admin.get("/admin/rates").get_data(as_text=True)
    assert "No figures from 1 April 2027 yet for: National Living Wage, National Minimum Wage, 18 to 20" in page
    assert "No figures from 1 April 2027 yet for" in admin.get("/admin").get_data(as_text=True)
    on(date(2027, 2, 10))  # not yet: the new rates are announced in the autumn and added by March
    assert "No figures from" not in admin.get("/admin/rates").get_data(as_text=True)
    on(date(2027, 3, 10))
    for kind in YEARLY_KINDS:
        april = date(2027, 4, 6) if kind in ("ssp_weekly", "lel_weekly", "lel_monthly") else date(2027, 4, 1)
        db.session.add(StatutoryRate(kind=kind, valid_from=april, value=Decimal(1), source="Announced"))
    db.session.commit()
    assert "No figures from" not in admin.get("/admin/rates").get_data(as_text=True)
