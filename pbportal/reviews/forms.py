from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import FieldList, FormField, HiddenField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..fields import GovDateField
from ..forms import strip
from ..timeutil import today
from .models import DECISIONS, RATINGS, REASONS, STATUS_ACTIONS, URGENCY
from .services import add_months


class RequestForm(FlaskForm):
    reason = RadioField("Why do you want a review?", widget=GovRadioInput(), choices=list(REASONS.items()),
                        validators=[DataRequired(message="Select why you want a review")])
    details = TextAreaField("Tell us more", widget=GovTextArea(),
                            description="What has changed, and what you would like to happen", filters=[strip],
                            validators=[DataRequired(message="Enter what has changed"),
                                        Length(max=3000, message="Keep it to 3,000 characters or fewer")])
    urgency = RadioField("How soon is it needed?", widget=GovRadioInput(), choices=list(URGENCY.items()),
                         validators=[DataRequired(message="Select how soon the review is needed")])
    submit = SubmitField("Ask for a review", widget=GovSubmitInput())


class StatusForm(FlaskForm):
    action = RadioField("What happens next?", widget=GovRadioInput(), choices=list(STATUS_ACTIONS.items()),
                        validators=[DataRequired(message="Select what happens next")])
    scheduled_for = GovDateField("Date of the review (if scheduling)", what="the date of the review", optional=True)
    note = TextAreaField("Note or reason (a reason is needed to decline)", widget=GovTextArea(), default="",
                         filters=[strip], validators=[Optional(), Length(max=2000)])
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    class Meta:
        csrf = False

    outcome = HiddenField()
    rating = SelectField("Is it being met?", widget=GovSelect(),
                         choices=[("", "Select")] + list(RATINGS.items()),
                         validators=[DataRequired(message="Select whether the outcome is being met")])
    comment = TextAreaField("Comment", widget=GovTextArea(), default="", filters=[strip],
                            validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    held_on = GovDateField("Date of the review", what="the date of the review")
    outcomes = FieldList(FormField(OutcomeForm))
    money_notes = TextAreaField("About the money (optional)", widget=GovTextArea(), default="", filters=[strip],
                                validators=[Optional(), Length(max=3000)])
    decision = RadioField("Decision", widget=GovRadioInput(), choices=list(DECISIONS.items()),
                          validators=[DataRequired(message="Select the decision")])
    decision_notes = TextAreaField("Details of the decision", widget=GovTextArea(), default="", filters=[strip],
                                   validators=[Optional(), Length(max=3000)])
    next_review_on = GovDateField("Next review", what="the date of the next review")
    request_id = IntegerField(widget=None, validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField("Record the review", widget=GovSubmitInput())

    def __init__(self, *args, interval_months=12, requests=(), plan_outcomes=(), **kwargs):
        """`requests`: the person's review requests, one of which this review may answer; `plan_outcomes`: the
        outcomes the plan names, each to be rated once."""
        super().__init__(*args, **kwargs)
        self.interval_months = interval_months
        self.requests = list(requests)
        self.plan_outcomes = list(plan_outcomes)

    @property
    def linked(self):
        """The request this review answers, if one of the person's was chosen."""
        return next((r for r in self.requests if r.id == self.request_id.data), None)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # These replace any message the field already has: each is the one thing to put right.
        if self.request_id.data and self.linked is None:
            self.request_id.errors = ["Choose one of this person’s review requests, or none"]
            valid = False
        if [entry.form.outcome.data for entry in self.outcomes.entries] != self.plan_outcomes:
            self.outcomes.errors = ["The plan’s outcomes changed while you were writing: check them and save again"]
            valid = False
        return valid

    def values(self) -> dict:
        """The review's own columns, as entered."""
        return {"held_on": self.held_on.data, "money_notes": self.money_notes.data, "decision": self.decision.data,
                "decision_notes": self.decision_notes.data, "next_review_on": self.next_review_on.data}

    def ratings(self) -> list[tuple[str, str, str]]:
        """Each outcome with its rating and comment."""
        return [(entry.form.outcome.data, entry.form.rating.data, entry.form.comment.data)
                for entry in self.outcomes.entries]

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
