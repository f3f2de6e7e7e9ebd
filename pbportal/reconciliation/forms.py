"""Forms for reconciliation periods and monitoring returns."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import BalanceField, GovDateField, reason_field


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


class ClosePeriodForm(FlaskForm):
    version = HiddenField()
    statement = BalanceField("Closing balance on the bank statement", what="the closing balance on the statement")
    explanation = TextAreaField(
        "Explanation of the difference", widget=GovTextArea(),
        description="Needed only if the books and the bank do not agree: say what causes the difference and what "
                    "is being done about it",
        validators=[Optional(), Length(max=2000, message="Explanation must be 2,000 characters or fewer")])
    submit = SubmitField("Close the period", widget=GovSubmitInput())


class ReopenPeriodForm(FlaskForm):
    version = HiddenField()
    reason = reason_field("Why are you reopening this period?", "Enter why you are reopening this period",
                          "For example, a payment was matched to the wrong line")
    submit = SubmitField("Reopen the period", widget=GovSubmitInput())


class PrepareReturnForm(FlaskForm):
    first = IntegerField("From the start of", validators=[DataRequired(message="Choose the first period")])
    last = IntegerField("To the end of", validators=[DataRequired(message="Choose the last period")])


class SubmitReturnForm(FlaskForm):
    comment = TextAreaField("Note for the case manager (optional)", widget=GovTextArea(),
                            validators=[Optional(), Length(max=2000, message="Note must be 2,000 characters or fewer")])
    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class ResubmitReturnForm(FlaskForm):
    version = HiddenField()
    comment = TextAreaField("Your answer to the query", widget=GovTextArea(),
                            validators=[DataRequired(message="Enter your answer to the case manager’s query"),
                                        Length(max=2000, message="Answer must be 2,000 characters or fewer")])
    submit = SubmitField("Submit the return again", widget=GovSubmitInput())


class RespondReturnForm(FlaskForm):
    version = HiddenField()
    decision = RadioField("What do you want to do with this return?", widget=GovRadioInput(),
                          choices=[("accepted", "Accept it"),
                                   ("queried", "Query it: ask the provider to check something")],
                          validators=[DataRequired(message="Select whether to accept the return or query it")])
    comment = TextAreaField("Comment", widget=GovTextArea(),
                            description="Needed when you query the return: say what the provider should check",
                            # No Optional(): it would stop the chain before validate_comment below.
                            validators=[Length(max=2000, message="Comment must be 2,000 characters or fewer")])
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate_comment(self, field):
        if self.decision.data == "queried" and not (field.data or "").strip():
            raise ValidationError("Enter what you want the provider to check")
