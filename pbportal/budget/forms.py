from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import PoundsField
from .models import CATEGORIES, FREQUENCY_LABELS, UNITS


class LineForm(FlaskForm):
    item = StringField(
        "What the money is for",
        widget=GovTextInput(),
        description="For example, personal assistant wages or a shower chair",
        validators=[DataRequired(message="Enter what the money is for"),
                    Length(max=200, message="What the money is for must be 200 characters or fewer")],
    )
    outcome = TextAreaField(
        "Outcome it helps with (optional)",
        widget=GovTextArea(),
        description="The what, not the how: for example, see my friends every week",
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
    quantity = StringField(
        "How many units each time",
        widget=GovTextInput(),
        description="For example, 30 hours a week: enter 30",
        validators=[DataRequired(message="Enter how many units each time")],
    )
    frequency = SelectField(
        "How often",
        widget=GovSelect(),
        choices=[("", "Select how often")] + list(FREQUENCY_LABELS.items()),
        validators=[DataRequired(message="Select how often")],
    )
    submit = SubmitField("Save budget line", widget=GovSubmitInput())

    def validate_quantity(self, field):
        try:
            value = Decimal((field.data or "").strip().replace(",", ""))
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
