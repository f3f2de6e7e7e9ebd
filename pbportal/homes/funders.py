"""Each funder's settings: when its budgets are reviewed, and the weeks of money held it counts as contingency
and as surplus. A setting left empty is its kind's default (see auth.models.Organisation)."""
from __future__ import annotations

from ..audit import record
from ..auth.models import Organisation
from ..extensions import db
from ..reviews.services import refresh_funder

SETTINGS = ("first_review_months", "review_interval_months", "contingency_weeks", "surplus_weeks",
            "return_interval_months")


def get_funder(org_id: int) -> Organisation | None:
    """The council or NHS body with this id; None for a provider or an id that does not exist."""
    org = db.session.get(Organisation, org_id)
    return org if org is not None and org.is_funder else None


def settings_of(funder: Organisation) -> dict[str, int]:
    """The settings in force, defaults included."""
    return {name: getattr(funder, name) for name in SETTINGS}


def save_settings(funder: Organisation, settings: dict[str, int], actor) -> int:
    """Change a funder's settings and bring its budgets' next review dates up to date, audited. Returns how many
    budgets it funds."""
    before = settings_of(funder)
    for name in SETTINGS:
        setattr(funder, f"{name}_setting", settings[name])
    count = refresh_funder(funder.id)
    record("funder.settings_changed", funder, actor=actor, budget_id=None, before=list(before.values()),
           after=[settings[name] for name in SETTINGS])
    return count
