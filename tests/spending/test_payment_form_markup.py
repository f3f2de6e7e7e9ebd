"""The blank payment form is written out by hand for speed (spending/_payment_form_blank.html): it must be the
GOV.UK macros' markup exactly, whatever the plan's lines are called and whichever line is chosen."""
from __future__ import annotations

import re

import pytest
from flask import render_template

from pbportal.budget.services import current_plan, plan_lines
from pbportal.dates import plan_year_for
from pbportal.spending.forms import payment_form_for
from pbportal.timeutil import today

from ..conftest import make_line


def _normalised(html: str) -> str:
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("chosen", [None, "first", "last"])
def test_the_blank_form_is_the_macros_markup(app, world, chosen):
    make_line(world.dp, 'Tom & Jerry\'s "club" <fees>', category="day_activities")
    plan = current_plan(world.dp, today())
    lines = plan_lines(plan)
    line_id = {None: None, "first": lines[0].id, "last": lines[-1].id}[chosen]
    form = payment_form_for(plan_year_for(world.dp.plan_year_start, today()), lines, line_id=line_id)
    with app.test_request_context(f"/budgets/{world.dp.id}"):
        fast = render_template("spending/_payment_form.html", form=form, budget=world.dp)
        form.blank = False
        slow = render_template("spending/_payment_form.html", form=form, budget=world.dp)
    assert _normalised(fast) == _normalised(slow)
    assert "Tom &amp; Jerry&#39;s &#34;club&#34; &lt;fees&gt;" in fast
    if line_id:
        assert re.search(rf'<option value="{line_id}" selected>', fast)
    assert f'value="{today().day}"' in fast and form.idempotency_key.data in fast
