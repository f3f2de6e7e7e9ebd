"""The pages every public service needs, readable signed in or out and linked from every page's footer: help
and contact, the accessibility statement, the privacy notice and cookies. What differs between councils (who
runs the service, who controls the data, the Data Protection Officer, how long records are kept) comes from
settings (README, Configuration)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import Role
from ..budget.access import visible_budgets_clause
from ..budget.models import Budget
from ..extensions import db, limiter

bp = Blueprint("pages", __name__)

# When the accessibility statement was prepared and last reviewed (after the last full axe, keyboard and 320 px
# check of every page: README, Testing). Change these when it is reviewed again.
STATEMENT_PREPARED = "3 December 2026"
STATEMENT_REVIEWED = "3 December 2026"


def _settings() -> dict:
    keys = ("SERVICE_OPERATOR", "DATA_CONTROLLER", "DPO_NAME", "DPO_EMAIL", "DPO_ADDRESS", "SUPPORT_EMAIL",
            "SUPPORT_PHONE", "SUPPORT_HOURS", "RETENTION_YEARS")
    return {key.lower(): current_app.config[key] for key in keys}


def my_budgets() -> list[Budget]:
    """The budgets a signed-in holder or representative sees, with who to contact about each; none for others."""
    if not current_user.is_authenticated or current_user.role not in (Role.HOLDER, Role.REPRESENTATIVE):
        return []
    return list(db.session.scalars(
        select(Budget).options(joinedload(Budget.funder), joinedload(Budget.provider),
                               joinedload(Budget.case_manager))
        .where(visible_budgets_clause(current_user)).order_by(Budget.id).limit(20)))


@bp.route("/help")
@limiter.exempt
def help_page():
    return render_template("pages/help.html", budgets=my_budgets(), **_settings())


@bp.route("/accessibility")
@limiter.exempt
def accessibility():
    return render_template("pages/accessibility.html", prepared=STATEMENT_PREPARED, reviewed=STATEMENT_REVIEWED,
                           **_settings())


@bp.route("/privacy")
@limiter.exempt
def privacy():
    return render_template("pages/privacy.html", **_settings())


@bp.route("/cookies")
@limiter.exempt
def cookies():
    return render_template("pages/cookies.html", cookie_name=current_app.config.get("SESSION_COOKIE_NAME", "session"),
                           idle_minutes=current_app.config["SESSION_IDLE_MINUTES"],
                           absolute_hours=current_app.config["SESSION_ABSOLUTE_HOURS"], **_settings())

