"""Accepting an invitation: the emailed link, choosing a password, and in."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from ..extensions import db, limiter
from ..security import private_response
from .forms import JoinForm
from .invitations import INVITATION, accept
from .models import User
from .services import end_session
from .signin import finish_sign_in
from .tokens import find, redeem

bp = Blueprint("invitations", __name__, url_prefix="/invitation")


@bp.route("/<token>", methods=["GET", "POST"], endpoint="accept")
@limiter.limit("30 per hour", methods=["POST"])
def accept_page(token: str):
    found = find(token, INVITATION)
    if found is None or not found.is_live or found.user.joined_at is not None or not found.user.is_active_account:
        return _dead(found)
    user = found.user
    form = JoinForm(person=(user.name, user.email))
    if form.validate_on_submit():
        if not redeem(found):  # used by another request a moment ago
            db.session.rollback()
            return _dead(found)
        accept(found, form.password.data)
        if current_user.is_authenticated:  # someone else was signed in on this device: they are signed out
            end_session(current_user._get_current_object())
            logout_user()
        finish_sign_in(user)
        flash("Welcome to pbportal. You have joined and are signed in.", "success")
        return redirect(url_for("homes.home"), 303)
    inviter = db.session.get(User, user.invited_by_id) if user.invited_by_id else None
    return private_response(render_template("auth/invitation.html", form=form, user=user, invitation=found,
                                            inviter=inviter))


def _dead(found):
    inviter = None
    if found is not None and found.user.invited_by_id:
        inviter = db.session.get(User, found.user.invited_by_id)
    joined = found is not None and found.user.joined_at is not None
    status = 404 if found is None else 410
    return private_response(render_template("auth/invitation_dead.html", known=found is not None, joined=joined,
                                    inviter=inviter), status)

