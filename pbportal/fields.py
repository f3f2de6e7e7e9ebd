"""Form fields shared by every area, with GOV.UK widgets and messages."""
from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea, GovTextInput
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from .money import MoneyError, parse_balance, parse_pounds, pence_to_input
from .timeutil import today


class _DateInput(GovDateInput):
    """GOV.UK's date input, showing a saved date as people type it ('1 3 2026', not '01 03 2026')."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if field.raw_data is None and field.data:
            for item, part in zip(params["items"], (field.data.day, field.data.month, field.data.year), strict=True):
                item["value"] = str(part)
        return params


class GovDateField(Field):
    """A GOV.UK date input (day, month, year boxes sharing one name).

    Missing boxes are normalised so GovDateInput always gets three values (a hand-made POST with one
    box would otherwise raise), and each way a date can be wrong gets its GOV.UK message.
    """

    widget = _DateInput()

    def __init__(self, label=None, validators=None, what="the date", optional=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.optional = optional

    def process_formdata(self, valuelist):
        if valuelist is None:
            return
        parts = [(v or "").strip() for v in list(valuelist)[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        day, month, year = parts
        self.data = None
        if not any(parts):
            if self.optional:
                return
            raise ValueError(f"Enter {self.what}")
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.what[0].upper()}{self.what[1:]} must include a {' and '.join(missing)}")
        try:
            if len(year) != 4 or len(month) > 2 or len(day) > 2 or not (day + month + year).isdecimal():
                raise ValueError  # also keeps numbers too big for date() (OverflowError) and '١' out
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.what[0].upper()}{self.what[1:]} must be a real date") from None

    def process_data(self, value):
        self.data = value

    def _value(self):
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def post_validate(self, form, validation_stopped):
        # Not submitted at all (a hand-made POST): required dates still need a value.
        if self.raw_data is None and self.data is None and not self.optional and not self.errors:
            self.errors.append(f"Enter {self.what}")


class PoundsField(StringField):
    """Money typed as pounds ("12.5", "£1,234.50"); .pence holds the parsed value in pence.

    `what` names the amount in messages ("Enter the net pay", "Net pay must be more than £0")."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, maximum_pence=None, what=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum_pence = maximum_pence
        self.what = what
        self.pence: int | None = None

    def process_data(self, value):
        # The form is filled from pence (editing); show it as pounds.
        self.data = pence_to_input(value) if isinstance(value, int) else value

    def pre_validate(self, form):
        self.pence = None
        try:
            kwargs = {} if self.maximum_pence is None else {"maximum_pence": self.maximum_pence}
            self.pence = parse_pounds(self.data, **kwargs)
        except MoneyError as err:
            message = str(err)
            if self.what:
                message = f"Enter {self.what}" if message == "Enter an amount" else \
                    message.replace("Amount", _capital(self.what))
            raise StopValidation(message) from None


class BalanceField(PoundsField):
    """A bank balance: £0 and overdrawn balances are allowed."""

    def process_data(self, value):
        if isinstance(value, int):
            self.data = ("-" if value < 0 else "") + pence_to_input(abs(value))
        else:
            self.data = value

    def pre_validate(self, form):
        self.pence = None
        try:
            self.pence = parse_balance(self.data)
        except MoneyError as err:
            message = str(err)
            if self.what and message == "Enter the balance":
                message = f"Enter {self.what}"
            raise StopValidation(message) from None


def reason_field(label: str, required_message: str, description: str | None = None) -> TextAreaField:
    """Why a money record is being voided or corrected: required, kept with the record."""
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=description,
        validators=[DataRequired(message=required_message),
                    Length(max=500, message="Reason must be 500 characters or fewer")],
    )


def check_past_and_in_plan_year(day: date | None, plan_year, what: str) -> None:
    """Money moves on a day that has happened, within the plan year being recorded."""
    if day is None:
        return
    if day > today():
        raise ValidationError(f"{what[0].upper()}{what[1:]} must be today or in the past")
    if plan_year and not plan_year.contains(day):
        raise ValidationError(f"{what[0].upper()}{what[1:]} must be in this plan year, {plan_year.label()}")


def _capital(what: str) -> str:
    """'the net pay' -> 'Net pay' (for 'Net pay must be more than £0')."""
    bare = what.removeprefix("the ")
    return bare[0].upper() + bare[1:]


def error_list(form) -> list[dict]:
    """The error summary's items, linking a date field's error to its first box (a link to the wrapper
    would not move focus), like govuk-frontend-wtf's wtforms_errors otherwise."""
    params = wtforms_errors(form)
    dates = {field.id: field for field in form if isinstance(field, GovDateField)}
    for item in params["errorList"]:
        field = dates.get(item["href"].lstrip("#"))
        if field is not None:
            parts = field.raw_data or ["", "", ""]
            first_empty = next((i for i, part in enumerate(parts[:3]) if not part), 0)
            item["href"] = f"#{field.id}-{('day', 'month', 'year')[first_empty]}"
    return params
