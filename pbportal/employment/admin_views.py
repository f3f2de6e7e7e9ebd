"""Administrators keep the statutory figures current: each is data with a valid-from date and a source."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..timeutil import today
from .forms import RateForm
from .rates import KINDS, FigureExists, StatutoryRate, Unit, figures_by_kind, missing_next_year, save_figure

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")

UNIT_HINTS = {
    Unit.PENCE_PER_HOUR: "In pence an hour: £12.71 is 1271",
    Unit.PENCE_PER_YEAR: "In pence a year: £5,000 is 500000",
    Unit.PENCE_PER_DAY: "In pence a day: £11.10 is 1110",
    Unit.PENCE_PER_WEEK: "In pence a week: £118.75 is 11875",
    Unit.PENCE_PER_MONTH: "In pence a month: £417 is 41700",
    Unit.PENCE: "In pence: £49.50 is 4950",
    Unit.PERCENT: "As a percentage: 15% is 15",
    Unit.WEEKS: "In weeks: 5.6",
    Unit.YEARS: "An age in whole years: 21",
    Unit.DAYS: "A number of days: 3",
}


@bp.before_request
@login_required
def admins_only():
    if current_user.role != Role.ADMIN:
        abort(404)


@bp.route("")
def index():
    return render_template("employment/rates.html", by_kind=figures_by_kind(), kinds=KINDS,
                           missing_figures=missing_next_year(today()))


@bp.route("/<kind>/new", methods=["GET", "POST"])
def new(kind: str):
    if kind not in KINDS:
        abort(404)
    return _figure_form(kind)


@bp.route("/<int:rate_id>/edit", methods=["GET", "POST"])
def edit(rate_id: int):
    row = db.session.get(StatutoryRate, rate_id) or abort(404)
    return _figure_form(row.kind, row)


def _figure_form(kind: str, row: StatutoryRate | None = None):
    label, unit = KINDS[kind]
    form = RateForm(unit=unit)
    if row is not None and not form.is_submitted():
        form.fill(row)
    if form.validate_on_submit():
        try:
            saved = save_figure(kind, form.values(), current_user, row)
        except FigureExists as err:
            form.valid_from.errors = [str(err)]
        else:
            db.session.commit()
            flash(f"{label} from {saved.valid_from:%-d %B %Y} saved.", "success")
            return redirect(url_for("rates.index", _anchor=kind), 303)
    return render_template("employment/rate_form.html", form=form, kind=kind, label=label, hint=UNIT_HINTS[unit],
                           row=row)
