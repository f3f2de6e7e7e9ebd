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


def tel_href(value: str | None) -> str:
    """'07700 900 123' -> 'tel:07700900123'; '' for anything that is not just a phone number."""
    text = (value or "").strip()
    digits = text.replace(" ", "").replace("-", "")
    if digits.startswith("+"):
        digits = "+" + digits[1:]
    if 5 <= len(digits.lstrip("+")) <= 15 and digits.lstrip("+").isdigit():
        return "tel:" + digits
    return ""


def iso_date(value: str | date | None) -> date | None:
    """A date kept as ISO text (in a return's figures) back as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def weeks_held(pence: int, weekly_pence: int) -> str:
    """How many weeks of the plan's cost a balance covers, to one decimal place (rounded down): '8.3'."""
    if weekly_pence <= 0:
        return ""
    tenths = abs(pence) * 10 // weekly_pence
    return f"{'-' if pence < 0 else ''}{tenths // 10}.{tenths % 10}"


def register(app) -> None:
    app.add_template_global(weeks_held, "weeks_held")
    app.add_template_filter(iso_date, "iso_date")
    app.add_template_filter(tel_href, "tel_href")
    app.add_template_filter(format_pence, "pence")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
