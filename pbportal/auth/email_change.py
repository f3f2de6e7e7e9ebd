"""Changing the address a person signs in with: a link to the new address confirms it (so a typing slip cannot
lock anyone out), the old address is told when the change is asked for and when it is done, and every other
device is signed out.

An address that already belongs to someone gets the same answer as any other ("check your new inbox") and no
email, so the form cannot be used to find out who has an account."""
from __future__ import annotations

from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from ..outbox import absolute_url, queue_email
from .models import User
from .sessions import end_all
from .tokens import AccountToken, TokenPurpose, issue

CHANGE = TokenPurpose.EMAIL_CHANGE


def taken(email: str, by: User | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if by is not None:
        query = query.where(User.id != by.id)
    return db.session.scalar(query) is not None


def ask(user: User, new_email: str) -> None:
    new_email = new_email.strip().lower()
    record("user.email_change_asked", user, actor=user, budget_id=None, new_email=new_email)
    if taken(new_email, user):
        return
    token = issue(user, CHANGE, new_email=new_email)
    queue_email(new_email, "email_change_confirm", name=user.name,
                link=absolute_url("your_account.confirm_email", token=token))
    queue_email(user.email, "email_change_asked", name=user.name, new_email=new_email,
                link=absolute_url("passwords.forgotten"))


def confirm(found: AccountToken, keep: str | None) -> bool:
    """Make the change the link was sent for; False if the address was taken meanwhile."""
    user, new_email = found.user, found.new_email
    if taken(new_email, user):
        return False
    old = user.email
    user.email = new_email
    db.session.flush()  # the unique index has the last word if two people race for one address
    end_all(user, keep)
    record("user.email_changed", user, actor=user, budget_id=None, old=old, new=new_email)
    queue_email(old, "email_changed", name=user.name, new_email=new_email, link=absolute_url("passwords.forgotten"))
    return True
