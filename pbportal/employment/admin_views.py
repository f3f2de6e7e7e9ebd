"""Administrators keep the statutory figures current: each is data with a valid-from date and a source."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import Role
from ..extensions import db
from .forms import RateForm
from .rates import KINDS, StatutoryRate

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")

UNIT_HINTS = {
    "pence_per_hour": "In pence an hour: £12.71 is 1271",
    "pence_per_year": "In pence a year: £5,000 is 500000",
    "pence_per_week": "In pence a week: £118.75 is 11875",
    "pence": "In pence: £49.50 is 4950",
    "percent": "As a percentage: 15% is 15",
    "weeks": "In weeks: 5.6",
}


@bp.before_request
@login_required
def admins_only():
    if current_user.role != Role.ADMIN:
        abort(404)


@bp.route("")
def index():
    rows = db.session.scalars(select(StatutoryRate).order_by(StatutoryRate.kind, StatutoryRate.valid_from.desc()))
    by_kind: dict[str, list] = {kind: [] for kind in KINDS}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    return render_template("employment/rates.html", by_kind=by_kind, kinds=KINDS)


def _save(form: RateForm, kind: str, row: StatutoryRate | None):
    if form.validate_on_submit():
        creating = row is None
        before = None if creating else {"valid_from": row.valid_from, "value": row.value, "source": row.source}
        row = row or StatutoryRate(kind=kind)
        row.valid_from, row.value, row.source = form.valid_from.data, form.decimal_value, form.source.data.strip()
        row.changed_by_id = current_user.id
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            form.valid_from.errors = [f"There is already a figure for {KINDS[kind][0]} from this date: change that one"]
            return None
        record("statutory_rate.added" if creating else "statutory_rate.changed", row, actor=current_user,
               budget_id=None, kind=kind, before=before, valid_from=row.valid_from, value=row.value,
               source=row.source)
        db.session.commit()
        flash(f"{KINDS[kind][0]} from {row.valid_from:%-d %B %Y} saved.", "success")
        return redirect(url_for("rates.index") + f"#{kind}", 303)
    return None


@bp.route("/<kind>/new", methods=["GET", "POST"])
def new(kind: str):
    if kind not in KINDS:
        abort(404)
    form = RateForm(unit=KINDS[kind][1])
    return _save(form, kind, None) or render_template(
        "employment/rate_form.html", form=form, kind=kind, label=KINDS[kind][0], hint=UNIT_HINTS[KINDS[kind][1]])


@bp.route("/<int:rate_id>/edit", methods=["GET", "POST"])
def edit(rate_id: int):
    row = db.session.get(StatutoryRate, rate_id) or abort(404)
    form = RateForm(unit=KINDS.get(row.kind, ("", ""))[1])
    if request.method == "GET":
        form.valid_from.data, form.source.data = row.valid_from, row.source
        form.value.data = f"{Decimal(row.value).normalize():f}"
    return _save(form, row.kind, row) or render_template(
        "employment/rate_form.html", form=form, kind=row.kind, label=KINDS[row.kind][0],
        hint=UNIT_HINTS[KINDS[row.kind][1]], row=row)
