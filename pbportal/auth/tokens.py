"""Single-use links sent by email: a password reset, an invitation, an email change. Only a
SHA-256 of each token is stored, so a copy of the database opens nothing; a token works once, until it expires."""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .models import User


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"
    EMAIL_CHANGE = "email_change"


LIFETIME = {TokenPurpose.PASSWORD_RESET: timedelta(hours=1), TokenPurpose.INVITATION: timedelta(days=7),
            TokenPurpose.EMAIL_CHANGE: timedelta(hours=24)}


class AccountToken(db.Model):
    __tablename__ = "account_token"
    __table_args__ = (CheckConstraint(check_in("purpose", TokenPurpose), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An email change: the new address, which the link sent there confirms.
    new_email: Mapped[str | None] = mapped_column(String(254))
    # An invitation: what the person is joining ("Sam Patel's personal budget", "Demo Council"), to show them.
    joining: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_live(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def issue(user: User, purpose: TokenPurpose, token: str | None = None, new_email: str | None = None,
          joining: str | None = None) -> str:
    """A new link token for the user (added to the current transaction); any earlier one for the same purpose
    stops working."""
    token = token or new_token()
    now = utcnow()
    spend_all(user, purpose, now)
    db.session.add(AccountToken(purpose=purpose, user_id=user.id, token_hash=digest(token), created_at=now,
                                expires_at=now + LIFETIME[purpose], new_email=new_email,
                                joining=joining))
    return token


def find(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The token's record (live or not), or None for a token that was never issued."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(AccountToken).where(AccountToken.token_hash == digest(token),
                                                        AccountToken.purpose == purpose))


def spend_all(user: User, purpose: TokenPurpose, now: datetime | None = None) -> None:
    """Every unused token of the user for this purpose stops working (one used, or a newer one issued)."""
    db.session.execute(update(AccountToken)
                       .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                              AccountToken.used_at.is_(None))
                       .values(used_at=now or utcnow())
                       .execution_options(synchronize_session="fetch"))


def redeem(record: AccountToken) -> bool:
    """Use the token: True for the one request that does so while it is live (two at once: one wins)."""
    now = utcnow()
    result = db.session.execute(update(AccountToken)
                                .where(AccountToken.id == record.id, AccountToken.used_at.is_(None),
                                       AccountToken.expires_at > now)
                                .values(used_at=now)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1
