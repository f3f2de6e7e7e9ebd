"""The last step of signing in, shared by the sign-in page and accepting an invitation (and, later, the second
factor)."""
from __future__ import annotations

import time

from flask import request, session
from flask_login import login_user

from ..extensions import db
from .models import User
from .services import start_session


def finish_sign_in(user: User) -> None:
    """The person is who they say: a new session for this device, and a fresh Flask session (so a new CSRF
    token, and nothing carried over from before sign-in)."""
    start_session(user, request.headers.get("User-Agent", ""))
    db.session.commit()
    session.clear()
    login_user(user)


PENDING = "two_factor_pending"


def start_second_step(user: User, target: str) -> None:
    """The password was right and the person has two-factor sign-in: ask for the code before a session starts."""
    session[PENDING] = {"user": user.id, "at": time.time(), "next": target}
