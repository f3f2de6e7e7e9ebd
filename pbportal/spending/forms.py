"""Recording, correcting and voiding payments."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import GovDateField, PoundsField, check_past_and_in_plan_year, reason_field
from ..timeutil import today


def _line_id(value) -> int:
    """A submitted line id; anything that is not one becomes 0, which no line has."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


class PaymentForm(FlaskForm):
    """A payment out of the budget. The view sets line choices and the plan year before validating."""

    paid_on = GovDateField("Date paid", what="the date the payment was made",
                           description="For example, 27 3 2026")
    amount = PoundsField("Amount", validators=[])
    payee = StringField(
        "Paid to",
        widget=GovTextInput(),
        description="The person or company you paid",
        validators=[DataRequired(message="Enter who the payment was made to"),
                    Length(max=200, message="Paid to must be 200 characters or fewer")],
    )
    line_id = SelectField(
        "Budget line",
        widget=GovSelect(),
        coerce=_line_id,
        validate_choice=False,
        validators=[DataRequired(message="Select the budget line this payment is for")],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000, message="Note must be 1,000 characters or fewer")],
    )
    receipt = FileField(
        "Receipt (optional)",
        widget=GovFileInput(),
        description="A photo of the receipt, or a PDF of the invoice or payslip. Up to 10 MB.",
    )
    submit = SubmitField("Record payment", widget=GovSubmitInput())

    def __init__(self, *args, plan_year=None, line_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.line_ids = set(line_ids)

    def validate_line_id(self, field):
        if field.data not in self.line_ids:
            raise ValidationError("Select the budget line this payment is for")

    def validate_paid_on(self, field):
        check_past_and_in_plan_year(field.data, self.plan_year, "the date the payment was made")


def payment_form_for(plan_year, lines, submitted: bool = False) -> PaymentForm:
    """A blank payment form (dated today), or one bound to the submitted request (form fields and files)."""
    kwargs = {} if submitted else {"formdata": None}
    form = PaymentForm(plan_year=plan_year, line_ids=[line.id for line in lines], **kwargs)
    form.line_id.choices = [(0, "Select a budget line")] + [(line.id, line.item) for line in lines]
    if not submitted:
        form.paid_on.data = today()
    return form


class CorrectionForm(PaymentForm):
    reason = reason_field("Why are you correcting this payment?", "Enter why you are correcting this payment")
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class VoidForm(FlaskForm):
    reason = reason_field("Why are you voiding this payment?", "Enter why you are voiding this payment",
                          "For example, recorded twice, or the payment was refunded")
    submit = SubmitField("Void payment", widget=GovSubmitInput())
