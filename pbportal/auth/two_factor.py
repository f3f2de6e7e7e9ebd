"""Two-factor sign-in with a time-based code (TOTP, RFC 6238) from an authenticator app, and single-use recovery
codes for a lost phone. Required for staff (unless exempt: the demo data only), optional for holders and
representatives. A code is accepted within one 30-second step either side of now, and never twice."""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime

import pyotp
import segno
from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import record
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..timeutil import UTCDateTime, utcnow
from .models import User
from .sessions import end_all

ISSUER = "pbportal"
RECOVERY_CODES = 10


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def new_secret() -> str:
    return pyotp.random_base32()


def key_for_typing(secret: str) -> str:
    """The key in groups of 4, as an app asks for it to be typed."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> str:
    """The setup QR code as inline SVG, made here (nothing is sent to another site)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#0b0c0c", light="#ffffff",
                                                 svgclass="pb-qr", title="QR code to scan with your authenticator app")


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:40]


def _step_of(secret: str, code: str, at: float | None = None) -> int | None:
    """The time-step whose code this is (now, or one step either side), or None."""
    totp = pyotp.TOTP(secret)
    now = int(at if at is not None else time.time())
    for offset in (0, -1, 1):
        step = now // totp.interval + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def check_new(secret: str, code: str) -> int | None:
    """During setup: the step of a right code for the key being set up."""
    code = _clean(code)
    return _step_of(secret, code) if len(code) == 6 and code.isdigit() else None


def verify(user: User, code: str) -> bool:
    """A right code, not used before: the step is remembered (in the caller's transaction) so it cannot be used
    again, even by a second request at the same moment (the update checks the last step it read)."""
    if not user.has_two_factor:
        return False
    step = check_new(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    last = user.totp_last_step
    done = db.session.execute(update(User).where(User.id == user.id, (User.totp_last_step.is_(None) if last is None
                                                                      else User.totp_last_step == last))
                              .values(totp_last_step=step).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def _digest(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _new_codes(user: User) -> list[str]:
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return codes


def enable(user: User, secret: str, step: int) -> list[str]:
    """Two-factor sign-in is on: the key kept, and new recovery codes, returned to be shown once."""
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    codes = _new_codes(user)
    record("user.two_factor_enabled", user, actor=user, budget_id=None)
    queue_email(user.email, "two_factor_on", name=user.name, link=absolute_url("your_account.show"))
    return codes


def new_recovery_codes(user: User) -> list[str]:
    codes = _new_codes(user)
    record("user.recovery_codes_renewed", user, actor=user, budget_id=None)
    return codes


def use_recovery_code(user: User, code: str) -> int | None:
    """Spend a recovery code: how many are left, or None if it is not one of theirs (or was used)."""
    done = db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                         RecoveryCode.code_hash == _digest(code),
                                                         RecoveryCode.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return None
    record("user.recovery_code_used", user, actor=user, budget_id=None)
    return codes_left(user)


def codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def disable(user: User, actor: User, action: str = "user.two_factor_disabled") -> None:
    """Off: the key and recovery codes are gone (a holder turning it off, or an admin resetting a lost phone)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    record(action, user, actor=actor, budget_id=None)


def reset_by_admin(user: User, admin: User) -> None:
    """A lost phone: two-factor sign-in is reset; they set it up again at their next sign-in, and every device
    they are signed in on is signed out now."""
    disable(user, admin, "user.two_factor_reset")
    end_all(user)
    queue_email(user.email, "two_factor_reset", name=user.name, by=admin.name, link=absolute_url("auth.sign_in"))
