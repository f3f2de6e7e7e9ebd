"""Recording, correcting and voiding payments."""
import secrets

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import GovDateField, PoundsField, check_past_and_in_plan_year, reason_field
from ..forms import strip
from ..timeutil import today
from .models import SpendingEntry
from .receipts import CheckedReceipt, check_form_receipt


def _line_id(value) -> int:
    """A submitted line id; anything that is not one becomes 0, which no line has."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


class PaymentForm(FlaskForm):
    """A payment out of the budget, on one of `lines` (the plan in force today), dated in `plan_year`, with a
    receipt if one is chosen (checked by `validate`: `checked_receipt`)."""

    paid_on = GovDateField("Date paid", what="the date the payment was made",
                           description="For example, 27 3 2026")
    amount = PoundsField("Amount", validators=[])
    payee = StringField(
        "Paid to",
        widget=GovTextInput(),
        description="The person or company you paid",
        filters=[strip],
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
        default="",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="Note must be 1,000 characters or fewer")],
    )
    receipt = FileField(
        "Receipt (optional)",
        widget=GovFileInput(),
        description="A photo of the receipt, or a PDF of the invoice or payslip. Up to 10 MB.",
    )
    submit = SubmitField("Record payment", widget=GovSubmitInput())
    # One payment per form shown: a double click or a re-sent form brings the same key, and records nothing more.
    idempotency_key = HiddenField(filters=[lambda v: (v or "")[:64]])
    # What the person has confirmed after a warning ("duplicate", "large").
    confirmed = HiddenField(filters=[lambda v: (v or "")[:40]])

    def __init__(self, *args, plan_year=None, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.plan_lines = {line.id: line for line in lines}
        self.line_id.choices = [(0, "Select a budget line")] + [(line.id, line.item) for line in lines]
        self.checked_receipt: CheckedReceipt | None = None

    @property
    def chosen_line(self):
        """The budget line chosen (once the form is valid)."""
        return self.plan_lines[self.line_id.data]

    def validate_line_id(self, field):
        if field.data not in self.plan_lines:
            raise ValidationError("Select the budget line this payment is for")

    def validate_paid_on(self, field):
        check_past_and_in_plan_year(field.data, self.plan_year, "the date the payment was made")

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the receipt: the file is read only once everything else is right."""
        if not super().validate(extra_validators):
            return False
        return check_form_receipt(self)


def payment_form_for(plan_year, lines, submitted: bool = False, line_id: int | None = None) -> PaymentForm:
    """The payment form as submitted (form fields and files), or blank: dated today, on the line asked for."""
    if submitted:
        return PaymentForm(plan_year=plan_year, lines=lines)
    form = PaymentForm(formdata=None, plan_year=plan_year, lines=lines, paid_on=today(), line_id=line_id,
                       idempotency_key=secrets.token_urlsafe(24))
    form.blank = True  # rendered by spending/_payment_form_blank.html, without the form macros
    return form


class CorrectionForm(PaymentForm):
    reason = reason_field("Why are you correcting this payment?", "Enter why you are correcting this payment")
    filter_reason = staticmethod(strip)
    submit = SubmitField("Save correction", widget=GovSubmitInput())


def correction_form_for(entry: SpendingEntry, plan_year, lines, submitted: bool = False) -> CorrectionForm:
    """The correction form as submitted, or filled from the entry: its amount (pence) shown in pounds, and its
    line as the same line in today's plan."""
    if submitted:
        return CorrectionForm(plan_year=plan_year, lines=lines)
    form = CorrectionForm(formdata=None, obj=entry, amount=entry.amount_pence, plan_year=plan_year, lines=lines)
    # The entry's own line_id is the line as it was in the plan of its day; each plan version gives a line a new
    # id, so the choice is that line's version in today's plan (its lineage), if today's plan still has it.
    same = next((line for line in lines if entry.line and line.lineage == entry.line.lineage), None)
    form.line_id.data = same.id if same else entry.line_id
    return form


class VoidForm(FlaskForm):
    reason = reason_field("Why are you voiding this payment?", "Enter why you are voiding this payment",
                          "For example, recorded twice, or the payment was refunded")
    filter_reason = staticmethod(strip)
    submit = SubmitField("Void payment", widget=GovSubmitInput())
