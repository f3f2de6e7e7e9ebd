"""The budget page's latest payments are in the order they were paid, not the order they were typed in."""
from __future__ import annotations

from datetime import timedelta

from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import make_entry
from ..support import page_of, signed_in


def test_latest_payments_follow_the_date_paid(app, world):
    make_entry(world.dp, world.lines["gym"], 1500, paid_on=today(), payee="Paid Today")
    make_entry(world.dp, world.lines["gym"], 2500, paid_on=today() - timedelta(days=40), payee="Paid Last Month")
    db.session.commit()
    page = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}"))
    recent = page[page.index("Latest payments"):]
    assert recent.index("Paid Today") < recent.index("Paid Last Month")


def test_the_spending_sentence_counts_voided_payments_when_they_are_shown(app, world):
    make_entry(world.dp, world.lines["gym"], 1500, payee="Voided One", status="voided")
    db.session.commit()
    client = signed_in(app, "holder")
    shown = page_of(client.get(f"/budgets/{world.dp.id}/spending", query_string={"show": "all"}))
    assert "1 payment totalling <strong>£120.00</strong>" in shown
    assert ", and 1 voided or corrected, shown below but not counted." in shown and "Voided One" in shown
    counted = page_of(client.get(f"/budgets/{world.dp.id}/spending"))
    assert "voided or corrected" not in counted and "Voided One" not in counted
