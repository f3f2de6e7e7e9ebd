from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import GovDateField, PoundsField
from ..forms import strip
from .models import CATEGORIES, FREQUENCY_LABELS, UNITS


class QuantityField(StringField):
    """How many units, typed as a number; a saved quantity shows as people type it ('30', '7.5', not '30.00')."""

    def process_data(self, value):
        self.data = f"{value.normalize():f}" if isinstance(value, Decimal) else value


class LineForm(FlaskForm):
    item = StringField(
        "What the money is for",
        widget=GovTextInput(),
        description="For example, personal assistant wages or a shower chair",
        filters=[strip],
        validators=[DataRequired(message="Enter what the money is for"),
                    Length(max=200, message="What the money is for must be 200 characters or fewer")],
    )
    outcome = TextAreaField(
        "Outcome it helps with (optional)",
        widget=GovTextArea(),
        description="The what, not the how: for example, see my friends every week",
        default="",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="Outcome must be 1,000 characters or fewer")],
    )
    category = SelectField(
        "Category",
        widget=GovSelect(),
        choices=[("", "Select a category")] + list(CATEGORIES.items()),
        validators=[DataRequired(message="Select a category")],
    )
    unit_cost = PoundsField("Cost of one unit", maximum_pence=1_000_000_00)
    unit = SelectField(
        "Unit",
        widget=GovSelect(),
        choices=list(UNITS.items()),
        validators=[DataRequired(message="Select a unit")],
    )
    quantity = QuantityField(
        "How many units each time",
        widget=GovTextInput(),
        description="For example, 30 hours a week: enter 30",
        filters=[strip],
        validators=[DataRequired(message="Enter how many units each time")],
    )
    frequency = SelectField(
        "How often",
        widget=GovSelect(),
        choices=[("", "Select how often")] + list(FREQUENCY_LABELS.items()),
        validators=[DataRequired(message="Select how often")],
    )
    submit = SubmitField("Save budget line", widget=GovSubmitInput())

    def __init__(self, *args, obj=None, **kwargs):
        if obj is not None:
            kwargs.setdefault("unit_cost", obj.unit_cost_pence)  # the line's cost in pence, shown as pounds
        super().__init__(*args, obj=obj, **kwargs)

    def validate_quantity(self, field):
        try:
            value = Decimal(field.data.replace(",", ""))
        except InvalidOperation:
            raise ValidationError("How many units must be a number, like 30 or 7.5") from None
        if not value.is_finite():
            raise ValidationError("How many units must be a number, like 30 or 7.5")
        if value <= 0:
            raise ValidationError("How many units must be more than 0")
        if value > 10000:
            raise ValidationError("How many units must be 10,000 or fewer")
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError("How many units must have no more than 2 decimal places")
        self.quantity_value = value.quantize(Decimal("0.01"))

    def values(self) -> dict:
        """What was entered, as the budget line's columns (services.save_line works out the year's amount)."""
        return {"item": self.item.data, "outcome": self.outcome.data, "category": self.category.data,
                "unit": self.unit.data, "quantity": self.quantity_value, "unit_cost_pence": self.unit_cost.pence,
                "frequency": self.frequency.data}


class NewVersionForm(FlaskForm):
    starts_on = GovDateField("When should the new version start?", what="the date the new version starts",
                             description="Spending from this date follows the new version once it is agreed")
    submit = SubmitField("Start a new version", widget=GovSubmitInput())

    def __init__(self, *args, earliest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def validate_starts_on(self, field):
        if field.data and self.earliest and field.data <= self.earliest:
            raise ValidationError(f"The new version must start after {self.earliest:%-d %B %Y}, when the version "
                                  "in force started")
