"""Money as integer pence: parsing what people type, and showing it."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_PAYMENT_PENCE = 100_000_00  # £100,000: larger is almost certainly a typing slip

_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


class MoneyError(ValueError):
    """A typed amount that is not a usable sum of money; the message is for the user."""


def parse_pounds(text: str | None, *, maximum_pence: int | None = MAX_PAYMENT_PENCE) -> int:
    """Turn '12.5', '£1,234.50' or ' 3 ' into pence, or raise MoneyError with a GOV.UK message."""
    raw = (text or "").strip().replace(" ", "")
    if not raw:
        raise MoneyError("Enter an amount")
    negative = False
    while raw and raw[0] in "-−£":
        negative = negative or raw[0] != "£"
        raw = raw[1:]
    if "," in raw:
        if not _GROUPED.match(raw):
            raise MoneyError("Enter an amount in pounds and pence, like 12.50 or £1,234.50")
        raw = raw.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", raw):
        raise MoneyError("Enter an amount in pounds and pence, like 12.50 or £1,234.50")
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern above already rules this out
        raise MoneyError("Enter an amount in pounds and pence, like 12.50 or £1,234.50") from None
    if "." in raw and len(raw.split(".", 1)[1].rstrip("0")) > 2:
        raise MoneyError("Amount must not have more than 2 decimal places")
    if negative:
        raise MoneyError("Amount must be more than £0")
    pence = int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if pence <= 0:
        raise MoneyError("Amount must be more than £0")
    if maximum_pence is not None and pence > maximum_pence:
        raise MoneyError(f"Amount must be {format_pence(maximum_pence)} or less")
    return pence


def parse_balance(text: str | None) -> int:
    """A bank balance: like an amount, but it may be £0 or overdrawn ('-12.50', '(12.50)', '12.50 DR')."""
    raw = (text or "").strip().replace(" ", "")
    if not raw:
        raise MoneyError("Enter the balance")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        raw, negative = raw[1:-1], True
    if raw.upper().endswith("DR"):
        raw, negative = raw[:-2], True
    elif raw.upper().endswith("CR"):
        raw = raw[:-2]
    if raw[:1] in "-−":
        raw, negative = raw[1:], True
    elif raw[:2] in ("£-", "£−"):
        raw, negative = "£" + raw[2:], True
    if is_nothing(raw) and raw:
        return 0
    try:
        pence = parse_pounds(raw, maximum_pence=100_000_000_00)
    except MoneyError as err:
        raise MoneyError("Enter the balance in pounds and pence, like 1,234.56 or -12.50"
                         if "Enter an amount" in str(err) or "pounds and pence" in str(err) else str(err)) from None
    return -pence if negative else pence


def is_nothing(text: str | None) -> bool:
    """An optional amount left empty or typed as nothing at all ('0', '£0.00'): zero, not an error."""
    return re.fullmatch(r"£?0*(\.0*)?", (text or "").replace(" ", "")) is not None


def format_pence(pence: int | None, *, sign: bool = False) -> str:
    """1234567 -> '£12,345.67'; negative figures get a minus sign."""
    if pence is None:
        return ""
    minus = "−" if pence < 0 else ("+" if sign and pence > 0 else "")
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{minus}£{pounds:,}.{pennies:02d}"


def pence_to_input(pence: int | None) -> str:
    """Pence as a form would show it for editing: '1234.50'."""
    if pence is None:
        return ""
    pounds, pennies = divmod(int(pence), 100)
    return f"{pounds}.{pennies:02d}"


def multiply_pence(unit_pence: int, quantity: Decimal, times: int) -> int:
    """unit cost × quantity × occurrences a year, rounded half-up to a whole penny."""
    exact = Decimal(unit_pence) * Decimal(quantity) * times
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> int:
    """Whole percent of part in whole (0 when whole is 0), rounded half-up."""
    if whole <= 0:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).to_integral_value(rounding=ROUND_HALF_UP))
