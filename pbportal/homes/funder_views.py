"""Administrators set each funder's review intervals and contingency weeks."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from .forms import FunderForm
from .funders import SETTINGS, get_funder, save_settings, settings_of

bp = Blueprint("funders", __name__, url_prefix="/admin/funders")


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    if current_user.role != Role.ADMIN:
        abort(404)
    funder = get_funder(org_id) or abort(404)
    form = FunderForm(data=settings_of(funder))
    if form.validate_on_submit():
        count = save_settings(funder, {name: form[name].data for name in SETTINGS}, current_user)
        db.session.commit()
        flash(f"Settings for {funder.name} saved; review dates of {count} budgets brought up to date.", "success")
        return redirect(url_for("homes.admin"), 303)
    return render_template("homes/funder.html", funder=funder, form=form)
