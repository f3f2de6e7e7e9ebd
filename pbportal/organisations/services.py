"""An organisation's people: inviting staff, changing their role, deactivating and reactivating them, and the site
administrator adding organisations with their first admin. Each change is audited; an organisation always keeps
at least one active admin (checked with the organisation's row locked, so two admins at once cannot both go)."""
from __future__ import annotations

import enum

from sqlalchemy import func, select

from ..audit import record
from ..auth.invitations import AlreadyHasAccount, cancel_invitation, invite_new, send_invitation
from ..auth.models import ROLE_LABELS, Organisation, OrgKind, Role, User
from ..auth.services import end_sessions
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..pagination import Page, page_of

FUNDER_ROLES = (Role.CASE_MANAGER, Role.ORG_ADMIN)
PROVIDER_ROLES = (Role.PROVIDER_STAFF, Role.ORG_ADMIN)


class StaffError(ValueError):
    """A change that is not allowed; the message is for the admin."""


def roles_for(org: Organisation) -> tuple[Role, ...]:
    """The roles an organisation's staff can have."""
    return PROVIDER_ROLES if org.kind == OrgKind.PROVIDER else FUNDER_ROLES


def role_choices(org: Organisation) -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role]) for role in roles_for(org)]


class StaffFilter(enum.StrEnum):
    JOINED = "joined"
    INVITED = "invited"
    DEACTIVATED = "deactivated"


FILTER_LABELS = {StaffFilter.JOINED: "Joined", StaffFilter.INVITED: "Invited, not joined yet",
                 StaffFilter.DEACTIVATED: "Deactivated"}


def staff_page(org: Organisation, page: int | None, role: str = "", status: str = "") -> Page:
    query = select(User).where(User.organisation_id == org.id).order_by(func.lower(User.name), User.id)
    if role in roles_for(org):
        query = query.where(User.role == role)
    if status == StaffFilter.JOINED:
        query = query.where(User.joined_at.is_not(None), User.is_active_account.is_(True))
    elif status == StaffFilter.INVITED:
        query = query.where(User.joined_at.is_(None))
    elif status == StaffFilter.DEACTIVATED:
        query = query.where(User.joined_at.is_not(None), User.is_active_account.is_(False))
    return page_of(query, page)


def member_or_none(org: Organisation, user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id, User.organisation_id == org.id))


def invite_staff(org: Organisation, name: str, email: str, role: str, by: User) -> User:
    if role not in roles_for(org):
        raise StaffError("Choose a role this organisation has")
    return invite_new(email, name, role, org, by, org.name)


def resend(user: User, by: User) -> None:
    send_invitation(user, by, user.organisation.name if user.organisation else "pbportal")


def cancel(user: User, by: User) -> None:
    cancel_invitation(user, by)


def _locked(org: Organisation) -> Organisation:
    """The organisation's row, locked until the transaction ends: changes to its admins queue behind each other."""
    return db.session.scalar(select(Organisation).where(Organisation.id == org.id).with_for_update())


def _other_active_admins(org: Organisation, user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == org.id, User.role == Role.ORG_ADMIN, User.is_active_account.is_(True),
        User.id != user.id, User.joined_at.is_not(None))) or 0


def change_role(user: User, role: str, by: User) -> None:
    org = _locked(user.organisation)
    if user.id == by.id:
        raise StaffError("You cannot change your own role. Ask another admin.")
    if role not in roles_for(org):
        raise StaffError("Choose a role this organisation has")
    if role == user.role:
        return
    if user.role == Role.ORG_ADMIN and user.is_active_account and _other_active_admins(org, user) == 0:
        raise StaffError(f"{user.name} is the only admin of {org.name}. Make someone else an admin first.")
    before = user.role
    user.role = role
    record("user.role_changed", user, actor=by, budget_id=None, before=before, after=role)
    if user.joined_at is not None:
        queue_email(user.email, "role_changed", name=user.name, organisation=org.name, role=ROLE_LABELS[Role(role)],
                    by=by.name, link=absolute_url("homes.home"))


def deactivate(user: User, by: User) -> None:
    """They can no longer sign in, and every device they are signed in on is signed out now. Their records and
    the audit log keep their name."""
    org = _locked(user.organisation)
    if user.id == by.id:
        raise StaffError("You cannot deactivate yourself. Ask another admin.")
    if not user.is_active_account:
        return
    if user.role == Role.ORG_ADMIN and _other_active_admins(org, user) == 0:
        raise StaffError(f"{user.name} is the only admin of {org.name}. Make someone else an admin first.")
    user.is_active_account = False
    end_sessions(user, actor=by, why="deactivated")
    record("user.deactivated", user, actor=by, budget_id=None)
    if user.joined_at is not None:
        queue_email(user.email, "deactivated", name=user.name, organisation=org.name, by=by.name)


def reactivate(user: User, by: User) -> None:
    if user.is_active_account or user.joined_at is None:
        return
    user.is_active_account = True
    record("user.reactivated", user, actor=by, budget_id=None)
    queue_email(user.email, "reactivated", name=user.name, organisation=user.organisation.name, by=by.name,
                link=absolute_url("auth.sign_in"))


def create_organisation(name: str, kind: str, admin_name: str, admin_email: str, by: User) -> Organisation:
    """A new organisation and the invitation of its first admin, together or not at all."""
    if db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())):
        raise StaffError("There is already an organisation with that name")
    org = Organisation(name=name.strip(), kind=kind)
    db.session.add(org)
    db.session.flush()
    record("organisation.created", org, actor=by, budget_id=None, name=org.name, kind=kind)
    invite_new(admin_email, admin_name, Role.ORG_ADMIN, org, by, org.name)
    return org


def organisations_overview() -> list[tuple[Organisation, int, int]]:
    """Every organisation with its number of staff and of admins (one query)."""
    admins = func.count(User.id).filter(User.role == Role.ORG_ADMIN)
    return [tuple(row) for row in db.session.execute(
        select(Organisation, func.count(User.id), admins)
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.name)).all()]


__all__ = ["AlreadyHasAccount"]
