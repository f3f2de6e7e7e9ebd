"""The date rules of reviews: months added at month ends, when the next review is due, and the review form's
rule for the next review date."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from pbportal.auth.models import Organisation
from pbportal.reviews.models import Review
from pbportal.reviews.services import add_months, next_review_due
from pbportal.timeutil import today


@pytest.mark.parametrize("day, months, expected", [
    (date(2025, 8, 31), 6, date(2026, 2, 28)),   # a day February lacks becomes its last day
    (date(2023, 8, 31), 6, date(2024, 2, 29)),   # ... which in a leap year is the 29th
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),  # December rolls into the next year
    (date(2025, 12, 31), 2, date(2026, 2, 28)),
    (date(2025, 12, 31), 12, date(2026, 12, 31)),
    (date(2025, 7, 1), 6, date(2026, 1, 1)),
    (date(2025, 6, 30), 18, date(2026, 12, 30)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2025, 5, 17), 0, date(2025, 5, 17)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_add_months_never_goes_past_the_target_month_end():
    day = date(2023, 1, 1)
    while day < date(2025, 1, 1):
        for months in (1, 3, 6, 12):
            moved = add_months(day, months)
            target_month = (day.month - 1 + months) % 12 + 1
            assert moved.month == target_month, (day, months, moved)
            assert moved.day == day.day or (moved + timedelta(days=1)).month != moved.month, (day, months, moved)
        day += timedelta(days=1)


# ---- when the next review is due --------------------------------------------------------------------------

def _funder(kind, first=None, interval=None, weeks=None):
    return Organisation(name=f"A {kind}", kind=kind, first_review_months_setting=first,
                        review_interval_months_setting=interval, contingency_weeks_setting=weeks)


def test_funder_defaults_follow_the_kind_of_funder():
    council, nhs = _funder("council"), _funder("nhs")
    assert council.first_review_months == 6 and nhs.first_review_months == 3
    assert council.review_interval_months == 12 and nhs.review_interval_months == 12
    assert council.contingency_weeks == 4 and nhs.contingency_weeks == 4


def test_a_funders_own_settings_override_the_defaults():
    nhs = _funder("nhs", first=2, interval=9, weeks=6)
    assert (nhs.first_review_months, nhs.review_interval_months, nhs.contingency_weeks) == (2, 9, 6)
    council = _funder("council", first=4)
    assert council.first_review_months == 4 and council.review_interval_months == 12


@pytest.mark.parametrize("kind, first_payment, expected", [
    ("council", date(2026, 3, 14), date(2026, 9, 14)),
    ("nhs", date(2026, 3, 14), date(2026, 6, 14)),
    ("council", date(2025, 8, 31), date(2026, 2, 28)),
    ("nhs", date(2025, 11, 30), date(2026, 2, 28)),
    ("nhs", date(2023, 11, 30), date(2024, 2, 29)),
])
def test_first_review_is_months_after_the_first_payment(kind, first_payment, expected):
    assert next_review_due(first_payment, None, _funder(kind).first_review_months) == expected


def test_a_funders_setting_changes_the_first_review():
    assert next_review_due(date(2026, 1, 10), None, _funder("council", first=2).first_review_months) == \
        date(2026, 3, 10)
    assert next_review_due(date(2026, 1, 10), None, _funder("nhs", first=5).first_review_months) == \
        date(2026, 6, 10)


def test_after_a_review_its_next_review_date_wins():
    review = Review(held_on=date(2026, 5, 1), next_review_on=date(2026, 11, 1))
    assert next_review_due(date(2026, 1, 10), review, 6) == date(2026, 11, 1)
    assert next_review_due(date(2026, 1, 10), review, 3) == date(2026, 11, 1)
    # A review held before any payment arrived still sets the date.
    assert next_review_due(None, review, 6) == date(2026, 11, 1)


def test_no_payment_and_no_review_means_no_date_yet():
    assert next_review_due(None, None, 6) is None
    assert next_review_due(None, None, 3) is None


# ---- the review form's rule for the next review -------------------------------------------------------------

def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _review_form(app, held_on: date, next_on: date, interval: int):
    from pbportal.reviews.forms import ReviewForm

    data = MultiDict([("decision", "maintain")]
                     + [("held_on", p) for p in _parts(held_on)]
                     + [("next_review_on", p) for p in _parts(next_on)])
    with app.test_request_context(method="POST", data=data):
        form = ReviewForm(interval_months=interval)
        form.validate()
        return form.errors


@pytest.mark.parametrize("held_on, next_on, interval, message", [
    (date(2026, 3, 10), date(2027, 3, 10), 12, None),
    (date(2026, 3, 10), date(2026, 3, 11), 12, None),
    (date(2026, 3, 10), date(2027, 3, 11), 12, "The next review must be within 12 months, by 10 March 2027"),
    (date(2026, 3, 10), date(2026, 3, 10), 12, "The next review must be after this one"),
    (date(2026, 3, 10), date(2026, 3, 9), 12, "The next review must be after this one"),
    (date(2026, 3, 10), date(2026, 9, 10), 6, None),
    (date(2026, 3, 10), date(2026, 9, 11), 6, "The next review must be within 6 months, by 10 September 2026"),
    # Month ends: within 6 months of 31 August is 28 February (29th in a leap year).
    (date(2025, 8, 31), date(2026, 2, 28), 6, None),
    (date(2025, 8, 31), date(2026, 3, 1), 6, "The next review must be within 6 months, by 28 February 2026"),
    (date(2023, 8, 31), date(2024, 2, 29), 6, None),
])
def test_next_review_must_follow_the_review_within_the_interval(shared_app, held_on, next_on, interval, message):
    errors = _review_form(shared_app, held_on, next_on, interval)
    assert "held_on" not in errors
    if message is None:
        assert "next_review_on" not in errors
    else:
        assert errors["next_review_on"] == [message]


def test_a_review_cannot_be_dated_in_the_future(shared_app):
    tomorrow = today() + timedelta(days=1)
    errors = _review_form(shared_app, tomorrow, add_months(tomorrow, 6), 12)
    assert errors["held_on"] == ["The date of the review must be today or in the past"]
