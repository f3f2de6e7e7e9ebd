"""Your account: who you are signed in as, and changing your password."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from ..extensions import db, limiter
from .forms import ChangePasswordForm
from .services import set_new_password

bp = Blueprint("your_account", __name__, url_prefix="/your-account")


def _person_key() -> str:
    return f"password-change:{current_user.id}"


def _refused(response) -> bool:
    return response.status_code != 303


@bp.route("")
@login_required
def show():
    return render_template("auth/account.html", user=current_user)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_person_key, deduct_when=_refused)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        set_new_password(user, form.password.data, "user.password_changed")
        db.session.commit()
        login_user(user)  # this device carries on, with the new session; every other one is signed out
        flash("Your password has been changed. You have been signed out on every other device.", "success")
        return redirect(url_for("your_account.show"), 303)
    return render_template("auth/change_password.html", form=form)
