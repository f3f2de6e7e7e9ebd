"""Two-factor sign-in: the code after the password, setting it up (a QR code made here, or the key typed),
recovery codes shown once, turning it off (holders and representatives only)."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..audit import record
from ..extensions import db, limiter
from . import two_factor
from .models import User
from .signin import PENDING, finish_sign_in
from .two_factor_forms import CodeForm, TurnOffForm

bp = Blueprint("two_factor", __name__)

SETUP = "two_factor_setup"
SHOW_CODES = "two_factor_codes"
PENDING_SECONDS = 300
# Pages a person who must set up two-factor sign-in can still reach.
ALLOWED_BEFORE_SETUP = {"two_factor.setup", "two_factor.recovery_codes", "auth.sign_out", "static",
                        "invitations.accept", "auth.sign_in"}


@bp.before_app_request
def staff_set_up_first():
    """Staff without two-factor sign-in (and not exempt) set it up before anything else."""
    if (current_user.is_authenticated and current_user.must_set_up_two_factor
            and request.endpoint not in ALLOWED_BEFORE_SETUP):
        return redirect(url_for("two_factor.setup"))
    return None


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    return user if user is not None and user.is_active_account and user.has_two_factor else None


def _pending_key() -> str:
    pending = session.get(PENDING)
    return f"two-factor:{pending.get('user') if isinstance(pending, dict) else request.remote_addr}"


def _locked_out(_limit) -> None:
    user = _pending_user()
    if user is not None:
        record("user.two_factor_locked", user, actor=None, budget_id=None, address=request.remote_addr or "")
        db.session.commit()


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], key_func=_pending_key,
               deduct_when=_failed, on_breach=_locked_out)
def code():
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Sign in again: the time to enter your code ran out.", "important")
        return redirect(url_for("auth.sign_in"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        entered = form.code.data
        left = None
        ok = two_factor.verify(user, entered)
        if not ok and len("".join(c for c in entered if c.isalnum())) > 6:
            left = two_factor.use_recovery_code(user, entered)
            ok = left is not None
        if ok:
            target = session[PENDING].get("next") or url_for("homes.home")
            finish_sign_in(user)
            if left is not None:
                flash(f"You used a recovery code. You have {left} left: set up two-factor sign-in on your new "
                      "phone, or make new codes, from Your account.", "important")
            return redirect(target, 303)
        record("user.two_factor_failed", user, actor=None, budget_id=None, address=request.remote_addr or "")
        db.session.commit()
        form.code.errors.append("The code is not right, or has been used. Enter the code your app shows now, or a "
                                "recovery code")
    return render_template("auth/two_factor_code.html", form=form)


@bp.route("/your-account/two-factor", methods=["GET", "POST"])
@login_required
def setup():
    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template("auth/two_factor.html", user=user, left=two_factor.codes_left(user),
                               code_form=CodeForm(), off_form=TurnOffForm())
    secret = session.get(SETUP)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP] = two_factor.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        step = two_factor.check_new(secret, form.code.data)
        if step is not None:
            session[SHOW_CODES] = two_factor.enable(user, secret, step)
            session.pop(SETUP, None)
            db.session.commit()
            return redirect(url_for("two_factor.recovery_codes"), 303)
        form.code.errors.append("The code is not right. Enter the 6-digit code your app shows now")
    return render_template("auth/two_factor_setup.html", form=form, qr=two_factor.qr_svg(user, secret),
                           key=two_factor.key_for_typing(secret), required=user.must_set_up_two_factor)


@bp.route("/your-account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    codes = session.pop(SHOW_CODES, None)
    if not codes:
        return redirect(url_for("two_factor.setup"))
    response = current_app.make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/your-account/two-factor/new-codes", methods=["POST"])
@login_required
def new_codes():
    user = current_user._get_current_object()
    form = CodeForm()
    if form.validate_on_submit() and two_factor.verify(user, form.code.data):
        session[SHOW_CODES] = two_factor.new_recovery_codes(user)
        db.session.commit()
        return redirect(url_for("two_factor.recovery_codes"), 303)
    if not form.code.errors:
        form.code.errors.append("The code is not right, or has been used. Enter the code your app shows now")
    return render_template("auth/two_factor.html", user=user, left=two_factor.codes_left(user), code_form=form,
                           off_form=TurnOffForm()), 200


@bp.route("/your-account/two-factor/off", methods=["POST"])
@login_required
def turn_off():
    user = current_user._get_current_object()
    if user.is_staff or not user.has_two_factor:
        abort(404)
    form = TurnOffForm()
    if form.validate_on_submit() and user.check_password(form.password.data):
        two_factor.disable(user, user)
        two_factor.queue_email(user.email, "two_factor_off", name=user.name,
                               link=two_factor.absolute_url("your_account.show"))
        db.session.commit()
        flash("Two-factor sign-in is off. You sign in with your password only.", "success")
        return redirect(url_for("your_account.show"), 303)
    if not form.password.errors:
        form.password.errors.append("Your password is not right")
    return render_template("auth/two_factor.html", user=user, left=two_factor.codes_left(user), code_form=CodeForm(),
                           off_form=form), 200
