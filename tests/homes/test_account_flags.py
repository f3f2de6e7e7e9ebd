"""The provider's accounts list flags an open question from the person and a queried return (issue 12, item 8)."""
from __future__ import annotations

from pbportal.banking.models import LineComment
from pbportal.extensions import db
from pbportal.reconciliation import returns as rsvc

from ..banking.helpers import add_lines
from ..reconciliation.helpers import closed_period
from ..support import page_of, signed_in


def test_open_questions_and_queried_returns_are_flagged(app, world):
    staff = signed_in(app, "staff")
    before = page_of(staff.get("/accounts"))
    assert "1 question</strong>" not in before and "Return queried</strong>" not in before
    (line,) = add_lines(world.ma, world.staff, [(2, "MIXED SHOP", -4400)])
    db.session.add(LineComment(budget_id=world.ma.id, statement_line_id=line.id, text="What was this?",
                               status="open", created_by_id=world.ma_holder.id))
    period = closed_period(world.ma, world.staff, 10, -4400)
    ret = rsvc.submit_return(world.ma, period.starts_on, period.ends_on, world.staff)
    db.session.flush()
    rsvc.respond(ret, ret.version, "queried", "What was the shop?", world.case_manager)
    db.session.commit()
    page = page_of(staff.get("/accounts"))
    assert '1 question</strong><span class="govuk-visually-hidden"> from Mo Managed' in page
    assert 'Return queried</strong><span class="govuk-visually-hidden"> for Mo Managed' in page
