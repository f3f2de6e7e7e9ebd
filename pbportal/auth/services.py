"""Signing in and out: finding the person, and the session token that a copied cookie cannot outlive."""
from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..timeutil import UK, utcnow
from . import sessions
from .models import User
from .tokens import TokenPurpose, spend_all


def user_for_session(session_token: str) -> tuple[User | None, bool]:
    """The active person whose live device session this token names (and whether it had just run out)."""
    found, expired = sessions.find_live(session_token)
    if found is None:
        return None, expired
    user = found.user
    user.current_session_token = session_token
    return user, False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email address (in any case) and password, or None. A password is hashed
    whether or not the address is known, so the answer takes as long either way (no account enumeration by
    timing)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_stand_in_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    if user.joined_at is None:  # invited, no password yet: the same cost as a wrong password
        check_password_hash(_stand_in_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    if user.check_password(password) and user.is_active_account:
        return user
    return None


@cache
def _stand_in_hash(method: str) -> str:
    """A hash of a random password, checked when nobody has the address (the same cost as a real check)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def record_sign_in_refusal(email: str, action: str, address: str) -> None:
    """A wrong password or a limit reached, in the audit log against the account it was for. What was typed as
    an address nobody has is not written down (people type passwords into the wrong box), but a lockout still
    is, with the network address it came from only."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()[:254]))
    if user is not None:
        record(action, user, actor=None, budget_id=None, address=address)
    elif action == "user.sign_in_locked":
        record(action, None, actor=None, budget_id=None, address=address, account="unknown")


def start_session(user: User, user_agent: str) -> str:
    """A new session for the device signing in; its token is what the cookie will carry."""
    token = sessions.begin(user, user_agent)
    user.current_session_token = token
    record("user.signed_in", user, actor=user, budget_id=None, device=sessions.describe_device(user_agent))
    return token


def end_session(user: User) -> None:
    """Sign out on this device only."""
    sessions.end(user.current_session_token)
    record("user.signed_out", user, actor=user, budget_id=None)


def end_sessions(user: User, keep: str | None = None, actor: User | None = None, why: str = "") -> int:
    """Sign the person out everywhere (but the device whose token is `keep`)."""
    ended = sessions.end_all(user, keep)
    if ended:
        record("user.sessions_ended", user, actor=actor, budget_id=None, sessions=ended, why=why)
    return ended


def set_new_password(user: User, password: str, action: str, keep: str | None = None) -> None:
    """A new password (after a reset link, or changed by the person): every signed-in device is signed out (but
    `keep`, the device that changed it),
    any reset link still unused stops working, and the person is told by email (if it was not them, they act)."""
    user.set_password(password)
    sessions.end_all(user, keep)
    spend_all(user, TokenPurpose.PASSWORD_RESET)
    spend_all(user, TokenPurpose.EMAIL_CHANGE)  # a change asked for by someone else stops here too
    record(action, user, actor=user, budget_id=None)
    when = utcnow().astimezone(UK)
    queue_email(user.email, "password_changed", name=user.name,
                when=f"{when:%-d %B %Y} at {when:%-I:%M%p}".replace("AM", "am").replace("PM", "pm"),
                link=absolute_url("passwords.forgotten"))
