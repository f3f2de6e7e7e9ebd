from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..budget.models import INCOME_SOURCES
from ..fields import GovDateField, PoundsField, check_past_and_in_plan_year, reason_field
from ..forms import strip


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
        default="",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="Note must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Record money received", widget=GovSubmitInput())

    def __init__(self, *args, plan_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year

    def validate_received_on(self, field):
        check_past_and_in_plan_year(field.data, self.plan_year, "the date the money arrived")


class VoidMoneyInForm(FlaskForm):
    reason = reason_field("Why are you voiding this record?", "Enter why you are voiding this record",
                          "For example, recorded twice")
    filter_reason = staticmethod(strip)
    submit = SubmitField("Void record", widget=GovSubmitInput())
