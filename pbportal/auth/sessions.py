"""One server-side session per signed-in device. The cookie carries a random token; the database keeps only its
SHA-256, with when it began, when it was last used and what device it is. A session ends when the person signs
out there (or everywhere), changes their password, or is deactivated; it runs out after SESSION_IDLE_MINUTES
without use and, however busy, SESSION_ABSOLUTE_HOURS after sign-in."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, String, bindparam, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .models import User

TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often (not a write per request)


class UserSession(db.Model):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def expires_at(self) -> datetime:
        config = current_app.config
        return min(self.last_used_at + timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   self.created_at + timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(user: User, user_agent: str) -> str:
    """A new session for this device (in the current transaction): its token, for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, token_hash=digest(token), device=describe_device(user_agent),
                               created_at=now, last_used_at=now))
    return token


# Every request reads this: built once, not per request (see pbportal/extensions.py, prebuilt statements).
_LIVE = (select(UserSession).options(joinedload(UserSession.user))  # one query, not two
         .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None)))


def find_live(token: str) -> tuple[UserSession | None, bool]:
    """The live session with this token (its person active), and whether a session was found but had run out."""
    if not token or len(token) > 100:
        return None, False
    found = db.session.scalar(_LIVE, {"token_hash": digest(token)})
    if found is None or not found.user.is_active_account:
        return None, False
    now = utcnow()
    if found.expires_at() <= now:
        found.ended_at = now
        db.session.commit()
        return None, True
    if now - found.last_used_at >= TOUCH_EVERY:
        db.session.execute(update(UserSession).where(UserSession.id == found.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        set_committed_value(found, "last_used_at", now)  # as stored: nothing left to flush
    return found, False


def end(token: str | None) -> None:
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == digest(token),
                                                     UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow()).execution_options(synchronize_session=False))


def end_all(user: User, keep: str | None = None) -> int:
    """Sign the person out on every device (but the one whose token is `keep`). How many were ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.token_hash != digest(keep))
    return db.session.execute(query.values(ended_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def end_one(user: User, session_id: int) -> bool:
    """End one of the person's own sessions; False if it is not theirs or has ended."""
    return db.session.execute(update(UserSession).where(UserSession.id == session_id,
                                                        UserSession.user_id == user.id,
                                                        UserSession.ended_at.is_(None))
                              .values(ended_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1


def live_sessions(user: User) -> list[UserSession]:
    """The person's signed-in devices, most recently used first (those that have run out left out)."""
    now = utcnow()
    found = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                         UserSession.ended_at.is_(None))
                               .order_by(UserSession.last_used_at.desc(), UserSession.id.desc())).all()
    return [s for s in found if s.expires_at() > now]


_BROWSERS = [("Edg/", "Edge"), ("EdgA/", "Edge"), ("SamsungBrowser/", "Samsung Internet"), ("OPR/", "Opera"),
             ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Macintosh", "Mac"), ("Linux", "Linux")]


def describe_device(user_agent: str) -> str:
    """'Chrome on Android', 'Safari on iPhone'… from the User-Agent header; 'Unknown device' if it says nothing
    we know."""
    agent = (user_agent or "")[:1000]
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    words = re.sub(r"[^\w .-]", "", agent)[:60].strip()
    return words or "Unknown device"
