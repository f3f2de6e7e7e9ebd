"""A forgotten password: the link by email, and choosing a new password with it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from ..audit import record
from ..extensions import db, limiter
from ..outbox import absolute_url, queue_email
from ..security import private_response
from .forms import ForgottenPasswordForm, NewPasswordForm
from .models import User
from .services import set_new_password
from .tokens import TokenPurpose, find, issue, new_token, redeem

bp = Blueprint("passwords", __name__, url_prefix="/password")

RESET = TokenPurpose.PASSWORD_RESET


def _address_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/forgotten", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_address_key)
def forgotten():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email,
                                                    User.is_active_account.is_(True), User.joined_at.is_not(None)))
        token = new_token()  # made either way, so a known address takes no longer to answer than an unknown one
        if user is not None:
            issue(user, RESET, token)
            queue_email(user.email, "password_reset", name=user.name, link=absolute_url("passwords.reset", token=token))
            record("user.password_reset_asked", user, actor=None, budget_id=None)
        db.session.commit()
        session["reset_sent_to"] = email
        return redirect(url_for("passwords.sent"), 303)
    return render_template("auth/forgotten.html", form=form)


@bp.route("/forgotten/sent")
def sent():
    address = session.get("reset_sent_to")
    if not address:
        return redirect(url_for("passwords.forgotten"))
    return render_template("auth/forgotten_sent.html", address=address)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset(token: str):
    found = find(token, RESET)
    if found is None or not found.is_live:
        return private_response(render_template("auth/reset_dead.html", known=found is not None),
                                404 if found is None else 410)
    user = found.user
    form = NewPasswordForm(person=(user.name, user.email))
    if form.validate_on_submit():
        if not redeem(found):  # used by another request a moment ago
            db.session.rollback()
            return private_response(render_template("auth/reset_dead.html", known=True), 410)
        set_new_password(found.user, form.password.data, "user.password_reset")
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    return private_response(render_template("auth/reset.html", form=form, user=user))

