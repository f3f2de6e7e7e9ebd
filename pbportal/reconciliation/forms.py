"""Forms for reconciliation periods, monitoring returns, and the notes and questions on an account's lines."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import BalanceField, GovDateField, reason_field
from ..forms import strip
from ..spending.receipts import CheckedReceipt, check_form_receipt
from ..timeutil import today
from .models import ReturnStatus


class OpenPeriodForm(FlaskForm):
    starts_on = GovDateField("First day of the period", what="the first day of the period", optional=True,
                             description="Only for the first period. For example, 1 10 2026")
    ends_on = GovDateField("Last day of the period", what="the last day of the period",
                           description="Usually the last day of a statement or of a month. For example, 31 10 2026")
    opening = BalanceField("Opening balance", what="the opening balance",
                           description="Only for the first period: the balance at the start of its first day")
    statement = BalanceField("Closing balance on the bank statement", what="the closing balance on the statement",
                             description="The balance at the end of the last day, as the bank statement shows it")
    submit = SubmitField("Start the period", widget=GovSubmitInput())

    def validate_starts_on(self, field):
        if field.data is None:
            raise ValidationError("Enter the first day of the period")
        if self.ends_on.data and self.ends_on.data < field.data:
            raise ValidationError("The first day must be on or before the last day")

    def validate_ends_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The last day must be today or in the past")


class ClosePeriodForm(FlaskForm):
    version = HiddenField()
    statement = BalanceField("Closing balance on the bank statement", what="the closing balance on the statement")
    explanation = TextAreaField(
        "Explanation of the difference", widget=GovTextArea(),
        description="Needed only if the books and the bank do not agree: say what causes the difference and what "
                    "is being done about it",
        default="", filters=[strip],
        validators=[Optional(), Length(max=2000, message="Explanation must be 2,000 characters or fewer")])
    submit = SubmitField("Close the period", widget=GovSubmitInput())


class ReopenPeriodForm(FlaskForm):
    version = HiddenField()
    reason = reason_field("Why are you reopening this period?", "Enter why you are reopening this period",
                          "For example, a payment was matched to the wrong line")
    filter_reason = staticmethod(strip)
    submit = SubmitField("Reopen the period", widget=GovSubmitInput())


class SubmitReturnForm(FlaskForm):
    comment = TextAreaField("Note for the case manager (optional)", widget=GovTextArea(), default="",
                            filters=[strip],
                            validators=[Optional(), Length(max=2000, message="Note must be 2,000 characters or fewer")])
    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class ResubmitReturnForm(FlaskForm):
    version = HiddenField()
    comment = TextAreaField("Your answer to the query", widget=GovTextArea(), filters=[strip],
                            validators=[DataRequired(message="Enter your answer to the case manager’s query"),
                                        Length(max=2000, message="Answer must be 2,000 characters or fewer")])
    submit = SubmitField("Submit the return again", widget=GovSubmitInput())


class RespondReturnForm(FlaskForm):
    version = HiddenField()
    decision = RadioField("What do you want to do with this return?", widget=GovRadioInput(),
                          choices=[(ReturnStatus.ACCEPTED, "Accept it"),
                                   (ReturnStatus.QUERIED, "Query it: ask whoever sent it to check something")],
                          validators=[DataRequired(message="Select whether to accept the return or query it")])
    comment = TextAreaField("Comment", widget=GovTextArea(),
                            description="Needed when you query the return: say what should be checked",
                            default="", filters=[strip],
                            # No Optional(): it would stop the chain before validate_comment below.
                            validators=[Length(max=2000, message="Comment must be 2,000 characters or fewer")])
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate_comment(self, field):
        if self.decision.data == ReturnStatus.QUERIED and not field.data:
            raise ValidationError("Enter what you want checked")


class CommentForm(FlaskForm):
    """A note, a receipt or both on a statement line; or a question for the provider, which needs its text. A
    receipt chosen is checked by `validate` (`checked_receipt`)."""

    text = TextAreaField("Note or question", widget=GovTextArea(),
                         description="For example, what the payment was for, or what you want to know about it",
                         default="", filters=[strip],
                         validators=[Length(max=2000, message="Note must be 2,000 characters or fewer")])
    receipt = FileField("Receipt or invoice (optional)", widget=GovFileInput(),
                        description="A photo (JPEG, PNG or WEBP) or a PDF, up to 10 MB")
    question = BooleanField("This is a question for the provider: I would like an answer", widget=GovCheckboxInput())
    submit = SubmitField("Add to this line", widget=GovSubmitInput())

    checked_receipt: CheckedReceipt | None = None

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the receipt (read only once the rest is right), then that something was added."""
        if not super().validate(extra_validators):
            return False
        check_form_receipt(self)
        if not self.text.data and self.checked_receipt is None and not self.receipt.errors:
            self.text.errors.append("Enter a note or a question, or choose a receipt to add")
        elif self.question.data and not self.text.data:
            self.text.errors.append("Enter your question")
        return not (self.text.errors or self.receipt.errors)


class AnswerForm(FlaskForm):
    answer = TextAreaField("Your answer", widget=GovTextArea(), default="", filters=[strip],
                           validators=[Length(max=2000, message="Answer must be 2,000 characters or fewer")])
    submit = SubmitField("Send the answer", widget=GovSubmitInput())

    def validate_answer(self, field):
        # Not DataRequired, which would add `required` to the answer box shown again with this error (the page
        # writes the others itself, without it).
        if not field.data:
            raise ValidationError("Enter your answer")
