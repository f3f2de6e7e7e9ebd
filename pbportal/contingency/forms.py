from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..fields import GovDateField
from ..money import MoneyError, parse_pounds
from ..timeutil import today
from .models import SCENARIOS


class ArrangementForm(FlaskForm):
    scenario = RadioField("What is this for?", widget=GovRadioInput(), choices=list(SCENARIOS.items()),
                          validators=[DataRequired(message="Select what this arrangement is for")])
    title = StringField("If something else, what?", widget=GovTextInput(),
                        validators=[Length(max=200, message="Keep it to 200 characters or fewer")])
    what_happens = TextAreaField("What happens", widget=GovTextArea(),
                                 validators=[DataRequired(message="Enter what happens"),
                                             Length(max=2000, message="Keep it to 2,000 characters or fewer")])
    who_steps_in = StringField("Who steps in", widget=GovTextInput(),
                               description="A back-up PA, family member or agency",
                               validators=[DataRequired(message="Enter who steps in"), Length(max=200)])
    contact = StringField("How to reach them", widget=GovTextInput(), description="A phone number is best",
                          validators=[DataRequired(message="Enter how to reach them"), Length(max=200)])
    expected_cost = StringField("Expected extra cost a week (optional)", widget=GovTextInput())
    line_id = SelectField("Budget line that pays (optional)", widget=GovSelect(), coerce=int, validate_choice=False)
    submit = SubmitField("Save arrangement", widget=GovSubmitInput())

    def __init__(self, *args, line_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids = set(line_ids)
        self.cost_pence = None

    def validate_title(self, field):
        if self.scenario.data == "own" and not (field.data or "").strip():
            raise ValidationError("Enter what the arrangement is for")

    def validate_expected_cost(self, field):
        if (field.data or "").strip():
            try:
                self.cost_pence = parse_pounds(field.data)
            except MoneyError as err:
                raise ValidationError(str(err).replace("Amount", "Expected cost")) from None

    def validate_line_id(self, field):
        if field.data and field.data not in self.line_ids:
            raise ValidationError("Select a budget line from the plan")


class LastResortForm(FlaskForm):
    last_resort_name = StringField("Who to call if nothing else works", widget=GovTextInput(),
                                   description="For example, the council’s out-of-hours social care team",
                                   validators=[DataRequired(message="Enter who to call if nothing else works"),
                                               Length(max=200)])
    last_resort_phone = StringField("Their phone number", widget=GovTextInput(),
                                    validators=[DataRequired(message="Enter their phone number"), Length(max=50)])
    submit = SubmitField("Save", widget=GovSubmitInput())


class RiskForm(FlaskForm):
    description = TextAreaField("The risk", widget=GovTextArea(),
                                validators=[DataRequired(message="Enter the risk"), Length(max=2000)])
    status = RadioField("How is it handled?", widget=GovRadioInput(),
                        choices=[("mitigated", "Mitigated: something is in place to reduce it"),
                                 ("accepted", "Accepted by the person as their own choice")],
                        validators=[DataRequired(message="Select how the risk is handled")])
    mitigation = TextAreaField("How it is reduced", widget=GovTextArea(), validators=[Length(max=2000)])
    accepted_by = StringField("Who accepted it", widget=GovTextInput(),
                              description="The person themselves, or who decided for them and in what capacity",
                              validators=[Length(max=200)])
    review_on = GovDateField("When to look at it again", what="the date to look at it again")
    submit = SubmitField("Save risk", widget=GovSubmitInput())

    def validate_mitigation(self, field):
        if self.status.data == "mitigated" and not (field.data or "").strip():
            raise ValidationError("Enter how the risk is reduced")

    def validate_accepted_by(self, field):
        if self.status.data == "accepted" and not (field.data or "").strip():
            raise ValidationError("Enter who accepted the risk")

    def validate_review_on(self, field):
        if field.data and field.data < today():
            raise ValidationError("The date to look at it again must be today or later")


class ShareForm(FlaskForm):
    label = StringField("Who is this link for?", widget=GovTextInput(), description="For example, Sam (back-up PA)",
                        validators=[DataRequired(message="Enter who the link is for"), Length(max=200)])
    days = IntegerField("How many days should it work?", widget=GovTextInput(), default=30,
                        validators=[DataRequired(message="Enter how many days the link should work"),
                                    NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365")])
    submit = SubmitField("Create link", widget=GovSubmitInput())
