from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import FieldList, FormField, HiddenField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..fields import GovDateField
from ..timeutil import today
from .models import DECISIONS, RATINGS, REASONS, URGENCY
from .services import add_months


class RequestForm(FlaskForm):
    reason = RadioField("Why do you want a review?", widget=GovRadioInput(), choices=list(REASONS.items()),
                        validators=[DataRequired(message="Select why you want a review")])
    details = TextAreaField("Tell us more", widget=GovTextArea(),
                            description="What has changed, and what you would like to happen",
                            validators=[DataRequired(message="Enter what has changed"),
                                        Length(max=3000, message="Keep it to 3,000 characters or fewer")])
    urgency = RadioField("How soon is it needed?", widget=GovRadioInput(), choices=list(URGENCY.items()),
                         validators=[DataRequired(message="Select how soon the review is needed")])
    submit = SubmitField("Ask for a review", widget=GovSubmitInput())


class StatusForm(FlaskForm):
    action = RadioField("What happens next?", widget=GovRadioInput(),
                        choices=[("acknowledged", "Acknowledge the request"),
                                 ("scheduled", "Schedule the review"),
                                 ("completed", "Mark it completed"),
                                 ("declined", "Decline the request")],
                        validators=[DataRequired(message="Select what happens next")])
    scheduled_for = GovDateField("Date of the review (if scheduling)", what="the date of the review", optional=True)
    note = TextAreaField("Note or reason (a reason is needed to decline)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=2000)])
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    class Meta:
        csrf = False

    outcome = HiddenField()
    rating = SelectField("Is it being met?", widget=GovSelect(),
                         choices=[("", "Select")] + list(RATINGS.items()),
                         validators=[DataRequired(message="Select whether the outcome is being met")])
    comment = TextAreaField("Comment", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    held_on = GovDateField("Date of the review", what="the date of the review")
    outcomes = FieldList(FormField(OutcomeForm))
    money_notes = TextAreaField("About the money (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=3000)])
    decision = RadioField("Decision", widget=GovRadioInput(), choices=list(DECISIONS.items()),
                          validators=[DataRequired(message="Select the decision")])
    decision_notes = TextAreaField("Details of the decision", widget=GovTextArea(),
                                   validators=[Optional(), Length(max=3000)])
    next_review_on = GovDateField("Next review", what="the date of the next review")
    request_id = IntegerField(widget=None, validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField("Record the review", widget=GovSubmitInput())

    def __init__(self, *args, interval_months=12, **kwargs):
        super().__init__(*args, **kwargs)
        self.interval_months = interval_months

    def validate_held_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date of the review must be today or in the past")

    def validate_next_review_on(self, field):
        if not (field.data and self.held_on.data):
            return
        if field.data <= self.held_on.data:
            raise ValidationError("The next review must be after this one")
        latest = add_months(self.held_on.data, self.interval_months)
        if field.data > latest:
            raise ValidationError(f"The next review must be within {self.interval_months} months, by "
                                  f"{latest:%-d %B %Y}")
