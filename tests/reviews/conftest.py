"""Fixtures of the reviews tests."""
from __future__ import annotations

import pytest

from pbportal.extensions import db

from ..conftest import make_line
from .helpers import OUTCOMES


@pytest.fixture
def outcomes(world):
    world.lines["wages"].outcome = "Stay living at home"
    world.lines["gym"].outcome = "See my friends every week"
    taxi = make_line(world.dp, "Taxi", category="transport", unit="item", quantity="2", unit_cost_pence=1000)
    taxi.outcome = "See my friends every week"  # two lines, one outcome: rated once
    db.session.commit()
    return OUTCOMES
