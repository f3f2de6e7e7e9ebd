from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..budget.models import INCOME_SOURCES
from ..fields import GovDateField, PoundsField
from ..timeutil import today


class MoneyInForm(FlaskForm):
    received_on = GovDateField("Date received", what="the date the money arrived",
                               description="For example, 27 3 2026")
    amount = PoundsField("Amount")
    source = RadioField(
        "Where the money came from",
        widget=GovRadioInput(),
        choices=list(INCOME_SOURCES.items()),
        validators=[DataRequired(message="Select where the money came from")],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000, message="Note must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Record money received", widget=GovSubmitInput())

    def __init__(self, *args, plan_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year

    def validate_received_on(self, field):
        if field.data is None:
            return
        if field.data > today():
            raise ValidationError("The date the money arrived must be today or in the past")
        if self.plan_year and not self.plan_year.contains(field.data):
            raise ValidationError(f"The date the money arrived must be in this plan year, {self.plan_year.label()}")


class VoidMoneyInForm(FlaskForm):
    reason = TextAreaField(
        "Why are you voiding this record?",
        widget=GovTextArea(),
        description="For example, recorded twice",
        validators=[DataRequired(message="Enter why you are voiding this record"),
                    Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Void record", widget=GovSubmitInput())
