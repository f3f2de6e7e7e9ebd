"""Administrators set each funder's review intervals and contingency weeks."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from ..audit import record
from ..auth.models import Organisation, Role
from ..extensions import db
from ..reviews.services import refresh_funder

bp = Blueprint("funders", __name__, url_prefix="/admin/funders")


class FunderForm(FlaskForm):
    first_review_months = IntegerField(
        "First review: months after the first payment", widget=GovTextInput(),
        description="Council direct payments: 6 is the usual rule. NHS personal health budgets: 3.",
        validators=[InputRequired(message="Enter the number of months"),
                    NumberRange(min=1, max=12, message="Enter a number of months from 1 to 12")])
    review_interval_months = IntegerField(
        "Then a review at least every (months)", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the number of months"),
                    NumberRange(min=1, max=12, message="Enter a number of months from 1 to 12")])
    contingency_weeks = IntegerField(
        "Weeks of contingency costs the money held should cover", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the number of weeks"),
                    NumberRange(min=1, max=26, message="Enter a number of weeks from 1 to 26")])
    surplus_weeks = IntegerField(
        "Weeks of funding held above which money counts as surplus", widget=GovTextInput(),
        description="Money held above this many weeks of the plan’s cost may be recovered. 8 is common.",
        validators=[InputRequired(message="Enter the number of weeks"),
                    NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")])
    submit = SubmitField("Save settings", widget=GovSubmitInput())


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    if current_user.role != Role.ADMIN:
        abort(404)
    funder = db.session.get(Organisation, org_id)
    if funder is None or funder.kind == "provider":
        abort(404)
    form = FunderForm()
    if not form.is_submitted():
        form.first_review_months.data = funder.first_review_months
        form.review_interval_months.data = funder.review_interval_months
        form.contingency_weeks.data = funder.contingency_weeks
        form.surplus_weeks.data = funder.surplus_weeks
    if form.validate_on_submit():
        before = [funder.first_review_months, funder.review_interval_months, funder.contingency_weeks,
                  funder.surplus_weeks]
        funder.first_review_months_setting = form.first_review_months.data
        funder.review_interval_months_setting = form.review_interval_months.data
        funder.contingency_weeks_setting = form.contingency_weeks.data
        funder.surplus_weeks_setting = form.surplus_weeks.data
        count = refresh_funder(funder.id)
        record("funder.settings_changed", funder, actor=current_user, budget_id=None, before=before,
               after=[form.first_review_months.data, form.review_interval_months.data, form.contingency_weeks.data,
                      form.surplus_weeks.data])
        db.session.commit()
        flash(f"Settings for {funder.name} saved; review dates of {count} budgets brought up to date.", "success")
        return redirect(url_for("homes.admin"), 303)
    return render_template("homes/funder.html", funder=funder, form=form)
