"""Invitations: how every new person gets in. Somebody who may (an organisation's admin, a case manager, a holder
for their representatives) makes the account; nobody can sign in to it until its person follows the emailed link,
which works once, for 7 days, and asks them to choose a password."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..timeutil import UK, utcnow
from .models import Organisation, User
from .tokens import LIFETIME, AccountToken, TokenPurpose, issue, spend_all

INVITATION = TokenPurpose.INVITATION


class AlreadyHasAccount(Exception):
    """The address belongs to somebody already: no second account is made for it."""

    def __init__(self, user: User):
        super().__init__(user.email)
        self.user = user


def account_for(email: str) -> User | None:
    """The account with this address, in any case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def invite_new(email: str, name: str, role: str, organisation: Organisation | None, by: User, joining: str) -> User:
    """A new account for someone who has not joined yet, and their invitation (both in this transaction)."""
    existing = account_for(email)
    if existing is not None:
        raise AlreadyHasAccount(existing)
    user = User(email=email.strip().lower(), name=name.strip(), role=role, organisation=organisation,
                password_hash="", invited_by_id=by.id)
    db.session.add(user)
    db.session.flush()
    send_invitation(user, by, joining, action="user.invited")
    return user


def send_invitation(user: User, by: User, joining: str, action: str = "user.invitation_resent") -> None:
    """A new link for someone who has not joined (a resend reopens a cancelled invitation); any earlier link
    stops working."""
    if user.joined_at is not None:
        raise ValueError("this person has joined already")
    user.is_active_account = True
    token = issue(user, INVITATION, joining=joining)
    expires = (utcnow() + LIFETIME[INVITATION]).astimezone(UK)
    queue_email(user.email, "invitation", name=user.name, inviter=by.name, joining=joining,
                link=absolute_url("invitations.accept", token=token), expires=f"{expires:%-d %B %Y}")
    record(action, user, actor=by, budget_id=None, joining=joining, role=user.role)


def cancel_invitation(user: User, by: User) -> None:
    """The link stops working and the account, never used, is closed (a resend opens it again)."""
    if user.joined_at is not None:
        raise ValueError("this person has joined already")
    spend_all(user, INVITATION)
    user.is_active_account = False
    record("user.invitation_cancelled", user, actor=by, budget_id=None)


def accept(record_: AccountToken, password: str) -> User:
    """The person chose their password: they have joined. The caller has redeemed the link."""
    user = record_.user
    user.set_password(password)
    user.is_active_account = True
    record("user.joined", user, actor=user, budget_id=None, joining=record_.joining)
    return user


class InvitationState(enum.StrEnum):
    JOINED = "joined"
    INVITED = "invited"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"


STATE_LABELS = {InvitationState.JOINED: "Joined", InvitationState.INVITED: "Invited",
                InvitationState.EXPIRED: "Invitation expired", InvitationState.CANCELLED: "Invitation cancelled",
                InvitationState.DEACTIVATED: "Deactivated"}
# GOV.UK tag colours: https://design-system.service.gov.uk/components/tag/
STATE_TAGS = {InvitationState.JOINED: "govuk-tag--green", InvitationState.INVITED: "govuk-tag--blue",
              InvitationState.EXPIRED: "govuk-tag--yellow", InvitationState.CANCELLED: "govuk-tag--grey",
              InvitationState.DEACTIVATED: "govuk-tag--grey"}


@dataclass(frozen=True)
class InvitationStatus:
    state: InvitationState
    expires_at: datetime | None = None

    @property
    def label(self) -> str:
        if self.state == InvitationState.INVITED and self.expires_at is not None:
            return f"Invited, link expires {self.expires_at.astimezone(UK):%-d %B}"
        return STATE_LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return STATE_TAGS[self.state]

    @property
    def can_resend(self) -> bool:
        return self.state in (InvitationState.INVITED, InvitationState.EXPIRED, InvitationState.CANCELLED)

    @property
    def can_cancel(self) -> bool:
        return self.state == InvitationState.INVITED


def invitation_status(user: User) -> InvitationStatus:
    """Where someone is: joined, invited (until when), invitation expired or cancelled, or deactivated. One query
    (none for a person who has joined); for lists, use statuses()."""
    return statuses([user])[user.id]


def statuses(users: list[User]) -> dict[int, InvitationStatus]:
    """invitation_status for many people in one query."""
    waiting = [u.id for u in users if u.joined_at is None and u.is_active_account]
    live: dict[int, datetime] = {}
    if waiting:
        now = utcnow()
        rows = db.session.execute(
            select(AccountToken.user_id, func.max(AccountToken.expires_at))
            .where(AccountToken.user_id.in_(waiting), AccountToken.purpose == INVITATION,
                   AccountToken.used_at.is_(None), AccountToken.expires_at > now)
            .group_by(AccountToken.user_id))
        live = dict(rows.all())
    result = {}
    for user in users:
        if user.joined_at is not None:
            state = InvitationState.JOINED if user.is_active_account else InvitationState.DEACTIVATED
            result[user.id] = InvitationStatus(state)
        elif not user.is_active_account:
            result[user.id] = InvitationStatus(InvitationState.CANCELLED)
        elif user.id in live:
            result[user.id] = InvitationStatus(InvitationState.INVITED, live[user.id])
        else:
            result[user.id] = InvitationStatus(InvitationState.EXPIRED)
    return result
