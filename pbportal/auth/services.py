"""Signing in and out: finding the person, and the session token that a copied cookie cannot outlive."""
from __future__ import annotations

from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from .models import User


def user_for_session(session_token: str) -> User | None:
    """The active user whose current session this is (the token rotates at sign-in and sign-out)."""
    return db.session.scalar(
        select(User).where(User.session_token == session_token, User.is_active_account.is_(True))
    )


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email address (in any case) and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is not None and user.is_active_account and user.check_password(password):
        return user
    return None


def start_session(user: User) -> None:
    user.rotate_session()
    record("user.signed_in", user, actor=user, budget_id=None)


def end_session(user: User) -> None:
    user.rotate_session()
    record("user.signed_out", user, actor=user, budget_id=None)
