"""Telling people: a notification in the portal and, as each person chose, an email now or in a daily digest.

`notify` is idempotent per person and occasion (a unique key), so a reminders run repeated on one day, or run
again after a crash halfway, tells nobody anything twice; two runs at once cannot either (the insert skips a
conflicting row instead of failing)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, column, func, select, table, update
from sqlalchemy.dialects import postgresql, sqlite

from ..audit import record
from ..auth.models import User
from ..extensions import db
from ..outbox import absolute_url, queue_email
from ..pagination import Page, page_of
from ..timeutil import utcnow
from .models import KINDS, Channel, Kind, Notification, NotificationSetting

DIGEST_BATCH = 200  # people a digest pass loads at a time


def path_for(endpoint: str, **values) -> str:
    """A link inside the portal, made without a request (as reminders are): the path from the site's root."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def kinds_for(user: User) -> list[Kind]:
    """The kinds this person can receive (their settings page offers these)."""
    return [kind for kind, info in KINDS.items() if user.role in info.audience]


def settings_for(user: User) -> dict[Kind, Channel]:
    chosen = dict(db.session.execute(select(NotificationSetting.kind, NotificationSetting.channel)
                                     .where(NotificationSetting.user_id == user.id)).all())
    return {kind: Channel(chosen.get(kind, KINDS[kind].default)) for kind in kinds_for(user)}


def save_settings(user: User, choices: dict[Kind, Channel]) -> None:
    current = {s.kind: s for s in db.session.scalars(select(NotificationSetting)
                                                     .where(NotificationSetting.user_id == user.id))}
    changed = {}
    for kind, channel in choices.items():
        row = current.get(kind)
        if row is None:
            if channel != KINDS[kind].default:
                db.session.add(NotificationSetting(user_id=user.id, kind=kind, channel=channel))
                changed[kind] = channel
        elif row.channel != channel:
            row.channel = channel
            changed[kind] = channel
    if changed:
        record("user.notification_settings_changed", user, actor=user, budget_id=None, changed=changed)


def _insert(values: dict) -> int | None:
    """Insert unless this person has been told of this occasion already: the new row's id, or None."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(Notification).values(**values)
                 .on_conflict_do_nothing(index_elements=["user_id", "occasion"]).returning(Notification.id))
    return db.session.execute(statement).scalar()


def notify(user: User, kind: Kind, occasion: str, title: str, link: str, budget_id: int | None = None,
           detail: str = "") -> Notification | None:
    """Tell `user` (in this transaction): None if they have been told of this occasion already, or cannot be
    told (deactivated, or not yet joined)."""
    if not user.is_active_account or user.joined_at is None:
        return None
    channel = settings_for_kind(user, kind)
    now = utcnow()
    new_id = _insert({"user_id": user.id, "budget_id": budget_id, "kind": kind, "occasion": occasion[:200],
                      "title": title[:300], "link": link, "channel": channel, "created_at": now,
                      "emailed_at": now if channel == Channel.EMAIL else None})
    if new_id is None:
        return None
    if channel == Channel.EMAIL:
        queue_email(user.email, "notification", name=user.name, title=title, detail=detail,
                    link=_absolute(link), settings=absolute_url("notifications.settings"))
    return db.session.get(Notification, new_id)


def settings_for_kind(user: User, kind: Kind) -> Channel:
    chosen = db.session.scalar(select(NotificationSetting.channel)
                               .where(NotificationSetting.user_id == user.id, NotificationSetting.kind == kind))
    return Channel(chosen or KINDS[kind].default)


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


# The header's count, on every page: built once (pbportal/extensions.py, prebuilt statements).
_UNREAD = (select(func.count()).select_from(Notification)
           .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


def page_for(user: User, page: int | None) -> Page:
    query = (select(Notification).where(Notification.user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return page_of(query, page)


def find(user: User, notification_id: int) -> Notification | None:
    """The person's own notification (anyone else's is not found)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


_BUDGET = table("budget", column("id"), column("ended_on"))


def send_digests(now: datetime | None = None) -> int:
    """One email to each person with notifications waiting for their daily digest, listing them; each is marked
    as emailed in the same transaction, so no notification is in two digests. People are taken a batch at a
    time (memory stays flat however many there are). Returns the number of digests queued."""
    now = now or utcnow()
    sent = 0
    after = 0
    while True:
        people = db.session.scalars(
            select(Notification.user_id).where(Notification.channel == Channel.DIGEST,
                                               Notification.emailed_at.is_(None), Notification.user_id > after)
            .group_by(Notification.user_id).order_by(Notification.user_id).limit(DIGEST_BATCH)).all()
        if not people:
            return sent
        for user_id in people:
            sent += _digest_for(db.session.get(User, user_id), now)
        db.session.commit()
        after = people[-1]


def _digest_for(user: User, now: datetime) -> int:
    waiting = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.channel == Channel.DIGEST,
                                   Notification.emailed_at.is_(None))
        .order_by(Notification.created_at, Notification.id).with_for_update(skip_locked=True)).all()
    if not waiting:
        return 0
    for item in waiting:
        item.emailed_at = now
    # Nothing about a budget that has ended since (this layer knows budgets only by their table).
    ended = set(db.session.scalars(select(_BUDGET.c.id).where(
        _BUDGET.c.id.in_({n.budget_id for n in waiting if n.budget_id}), _BUDGET.c.ended_on.is_not(None))))
    waiting = [n for n in waiting if n.budget_id not in ended]
    if not user.is_active_account or not waiting:
        return 0
    queue_email(user.email, "digest", name=user.name, items=[(n.title, _absolute(n.link)) for n in waiting],
                link=absolute_url("notifications.list_page"), settings=absolute_url("notifications.settings"))
    return 1


def told(users: Iterable[User], kind: Kind, occasion: str, title: str, link: str, budget_id: int | None = None,
         detail: str = "") -> int:
    """notify() each of `users`; how many were told."""
    return sum(notify(u, kind, occasion, title, link, budget_id, detail) is not None for u in users)


def tell_of(event, users: Iterable[User], kind: Kind, title: str, link: str, budget_id: int | None = None,
            detail: str = "", actor: User | None = None) -> int:
    """Tell `users` (not the person who did it) of something that just happened: `event` is its audit record,
    which names the occasion, so each person hears of it once."""
    db.session.flush([event])
    people = [u for u in _unique(users) if actor is None or u.id != actor.id]
    return told(people, kind, f"event:{event.id}", title, link, budget_id, detail)


def _unique(users: Iterable[User]) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            result.append(user)
    return result
