"""Template filters for money and dates."""
from __future__ import annotations

from datetime import date, datetime

from .money import format_pence
from .timeutil import UK


def govuk_date(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def short_date(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def uk_datetime(value: datetime | None) -> str:
    """A UTC timestamp as people in England read it: '3 March 2026 at 2:05pm'."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    return f"{local:%-d %B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def register(app) -> None:
    app.add_template_filter(format_pence, "pence")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
