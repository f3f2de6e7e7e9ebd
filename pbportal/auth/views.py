"""Signing in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ..extensions import db, limiter, login_manager
from .forms import SignInForm
from .models import User
from .services import authenticate, end_session, record_sign_in_refusal, user_for_session
from .signin import finish_sign_in, start_second_step

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    user, expired = user_for_session(session_token)
    if expired:
        g.session_expired = True
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Off to sign in, saying why: a session that ran out says so."""
    if g.get("session_expired"):
        flash("You have been signed out because pbportal was not used for a while, or you signed in a long time "
              "ago. Sign in again to carry on.", "important")
    else:
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None))




def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def _locked_out(_limit) -> None:
    """A sign-in refused by a limit: written to the audit log, against the account when there is one."""
    record_sign_in_refusal(request.form.get("email") or "", "user.sign_in_locked", request.remote_addr or "")
    db.session.commit()


def _failed(response) -> bool:
    # Only failed attempts count towards the limit; a successful sign-in redirects.
    return response.status_code != 303


def _safe_next(target: str | None) -> str | None:
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):  # CR/LF would split the header
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed, on_breach=_locked_out)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed, on_breach=_locked_out)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("homes.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            target = _safe_next(request.args.get("next")) or url_for("homes.home")
            if user.has_two_factor:  # the password was right: now the code
                start_second_step(user, target)
                return redirect(url_for("two_factor.code"), 303)
            finish_sign_in(user)
            return redirect(target, 303)
        record_sign_in_refusal(form.email.data, "user.sign_in_failed", request.remote_addr or "")
        db.session.commit()
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)
