from decimal import Decimal

import pytest

from pbportal.money import MoneyError, format_pence, multiply_pence, parse_pounds, pence_to_input, percent


@pytest.mark.parametrize("typed, pence", [
    ("12.5", 1250), ("12.50", 1250), ("£1,234.50", 123450), ("1234", 123400), (" £ 3 ", 300),
    ("0.01", 1), (".5", 50), ("100000", 10_000_000), ("100,000.00", 10_000_000), ("7.", 700), ("2.500", 250),
])
def test_parses_what_people_type(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize("typed, message", [
    ("", "Enter an amount"),
    ("   ", "Enter an amount"),
    (None, "Enter an amount"),
    ("0", "Amount must be more than £0"),
    ("0.00", "Amount must be more than £0"),
    ("-5", "Amount must be more than £0"),
    ("£-5", "Amount must be more than £0"),
    ("abc", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("12.3.4", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("1,23", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("1e5", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("NaN", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("12.345", "Amount must not have more than 2 decimal places"),
    ("100000.01", "Amount must be £100,000.00 or less"),
    ("99999999999999999999", "Amount must be £100,000.00 or less"),
])
def test_refuses_what_is_not_money(typed, message):
    with pytest.raises(MoneyError) as err:
        parse_pounds(typed)
    assert str(err.value) == message


def test_formats_pence():
    assert format_pence(123456789) == "£1,234,567.89"
    assert format_pence(5) == "£0.05"
    assert format_pence(-1250) == "−£12.50"
    assert format_pence(1250, sign=True) == "+£12.50"
    assert pence_to_input(123450) == "1234.50"


def test_annual_amounts_round_half_up_to_the_penny():
    # 30 hours a week at £12.71, 52 weeks: the worked example in the domain brief.
    assert multiply_pence(1271, Decimal("30"), 52) == 1_982_760
    assert multiply_pence(1, Decimal("0.5"), 1) == 1  # half a penny rounds up
    assert multiply_pence(1333, Decimal("7.5"), 13) == 129_968  # 1333 * 7.5 * 13 = 129967.5


def test_percent():
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(5, 0) == 0
