"""Clock helpers: timestamps are timezone-aware UTC; 'today' is the UK's today."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

UK = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """The date in England now (a payment made at 00:30 BST is that day's)."""
    return datetime.now(UK).date()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every database (SQLite stores no zone, so put it back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value
