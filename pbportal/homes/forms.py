"""Forms for the pages homes keeps: a funder's settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange


def _months(label: str, description: str | None = None) -> IntegerField:
    return IntegerField(label, widget=GovTextInput(), description=description,
                        validators=[InputRequired(message="Enter the number of months"),
                                    NumberRange(min=1, max=12, message="Enter a number of months from 1 to 12")])


def _weeks(label: str, most: int, description: str | None = None) -> IntegerField:
    return IntegerField(label, widget=GovTextInput(), description=description,
                        validators=[InputRequired(message="Enter the number of weeks"),
                                    NumberRange(min=1, max=most, message=f"Enter a number of weeks from 1 to {most}")])


class FunderForm(FlaskForm):
    """A funder's settings; the field names are those of funders.SETTINGS."""

    first_review_months = _months(
        "First review: months after the first payment",
        "Council direct payments: 6 is the usual rule. NHS personal health budgets: 3.")
    review_interval_months = _months("Then a review at least every (months)")
    contingency_weeks = _weeks("Weeks of contingency costs the money held should cover", 26)
    surplus_weeks = _weeks(
        "Weeks of funding held above which money counts as surplus", 52,
        "Money held above this many weeks of the plan’s cost may be recovered. 8 is common.")
    return_interval_months = _months(
        "A monitoring return every (months)",
        "For direct payments and managed accounts alike, counted from the plan year’s start. 3 or 6 is usual.")
    submit = SubmitField("Save settings", widget=GovSubmitInput())
