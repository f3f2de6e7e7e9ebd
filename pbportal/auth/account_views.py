"""Your account: who you are signed in as, changing your password, and the devices you are signed in on."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..audit import record, refuse
from ..extensions import db, limiter
from ..forms import ActionForm
from ..partials import render, wants_partial
from ..security import private_response
from . import email_change
from .forms import ChangeEmailForm, ChangePasswordForm
from .services import end_sessions, set_new_password
from .sessions import digest, end_one, live_sessions
from .tokens import TokenPurpose, find, redeem

bp = Blueprint("your_account", __name__, url_prefix="/your-account")


def _person_key() -> str:
    return f"password-change:{current_user.id}"


def _refused(response) -> bool:
    return response.status_code != 303


@bp.route("")
@login_required
def show():
    return render_template("auth/account.html", user=current_user, devices=len(live_sessions(current_user)))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_person_key, deduct_when=_refused)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        set_new_password(user, form.password.data, "user.password_changed", keep=user.current_session_token)
        db.session.commit()  # this device carries on; every other one is signed out
        flash("Your password has been changed. You have been signed out on every other device.", "success")
        return redirect(url_for("your_account.show"), 303)
    return render_template("auth/change_password.html", form=form)


@bp.route("/devices")
@login_required
def devices():
    user = current_user._get_current_object()
    return render("auth/devices.html", "auth/_devices.html", devices=live_sessions(user),
                  this_device=digest(user.current_session_token or ""), form=ActionForm())


@bp.route("/devices/<int:session_id>/sign-out", methods=["POST"])
@login_required
def sign_out_device(session_id: int):
    user = current_user._get_current_object()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    mine = next((s for s in live_sessions(user) if s.id == session_id), None)
    if mine is None:
        refuse("UserSession", session_id)  # not theirs, or gone already
    if mine.token_hash == digest(user.current_session_token or ""):
        abort(404)  # this device, which signs out with the header's button
    end_one(user, session_id)
    record("user.device_signed_out", user, actor=user, budget_id=None, device=mine.device)
    db.session.commit()
    return _after(f"You have signed out on {mine.device}.")


@bp.route("/devices/sign-out-others", methods=["POST"])
@login_required
def sign_out_others():
    user = current_user._get_current_object()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ended = end_sessions(user, keep=user.current_session_token, actor=user, why="signed out of other devices")
    db.session.commit()
    return _after("You have signed out on every other device." if ended else "You were not signed in anywhere else.")


def _after(message: str):
    if wants_partial():
        user = current_user._get_current_object()
        return render_template("auth/_devices.html", devices=live_sessions(user), message=message,
                               this_device=digest(user.current_session_token or ""), form=ActionForm())
    flash(message, "success")
    return redirect(url_for("your_account.devices"), 303)


def _email_key() -> str:
    return f"email-change:{current_user.id}"


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"], key_func=_email_key, deduct_when=_refused)
def change_email():
    user = current_user._get_current_object()
    form = ChangeEmailForm(user=user)
    if form.validate_on_submit():
        email_change.ask(user, form.email.data)
        db.session.commit()
        session["email_change_sent_to"] = form.email.data.strip().lower()
        return redirect(url_for("your_account.email_sent"), 303)
    return render_template("auth/change_email.html", form=form)


@bp.route("/email/sent")
@login_required
def email_sent():
    address = session.get("email_change_sent_to")
    if not address:
        return redirect(url_for("your_account.change_email"))
    return render_template("auth/change_email_sent.html", address=address)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def confirm_email(token: str):
    found = find(token, TokenPurpose.EMAIL_CHANGE)
    if found is None or not found.is_live:
        return private_response(render_template("auth/email_link_dead.html", known=found is not None),
                                404 if found is None else 410)
    form = ActionForm()
    if form.validate_on_submit():
        if not redeem(found):
            db.session.rollback()
            return private_response(render_template("auth/email_link_dead.html", known=True), 410)
        mine = current_user.is_authenticated and current_user.id == found.user_id
        try:
            changed = email_change.confirm(found, current_user.current_session_token if mine else None)
        except IntegrityError:
            changed = False
        if not changed:
            db.session.rollback()
            return private_response(render_template("auth/email_link_dead.html", known=True, taken=True), 409)
        db.session.commit()
        flash("Your email address has changed. Use it to sign in from now on.", "success")
        return redirect(url_for("your_account.show" if mine else "auth.sign_in"), 303)
    return private_response(render_template("auth/confirm_email.html", form=form, found=found))
