from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..fields import GovDateField, PoundsField
from ..forms import strip
from ..timeutil import today
from .models import RISK_HANDLING, SCENARIOS, RiskStatus, Scenario


class OptionalPoundsField(PoundsField):
    """Money typed as pounds that may be left empty (.pence is then None)."""

    def pre_validate(self, form):
        if self.data:
            super().pre_validate(form)
        else:
            self.pence = None


class ArrangementForm(FlaskForm):
    scenario = RadioField("What is this for?", widget=GovRadioInput(), choices=list(SCENARIOS.items()),
                          validators=[DataRequired(message="Select what this arrangement is for")])
    title = StringField("If something else, what?", widget=GovTextInput(), default="", filters=[strip],
                        validators=[Length(max=200, message="Keep it to 200 characters or fewer")])
    what_happens = TextAreaField("What happens", widget=GovTextArea(), filters=[strip],
                                 validators=[DataRequired(message="Enter what happens"),
                                             Length(max=2000, message="Keep it to 2,000 characters or fewer")])
    who_steps_in = StringField("Who steps in", widget=GovTextInput(),
                               description="A back-up PA, family member or agency", filters=[strip],
                               validators=[DataRequired(message="Enter who steps in"), Length(max=200)])
    contact = StringField("How to reach them", widget=GovTextInput(), description="A phone number is best",
                          filters=[strip],
                          validators=[DataRequired(message="Enter how to reach them"), Length(max=200)])
    expected_cost = OptionalPoundsField("Expected extra cost a week (optional)", what="the expected cost",
                                        filters=[strip])
    line_id = SelectField("Budget line that pays (optional)", widget=GovSelect(), coerce=int, validate_choice=False)
    submit = SubmitField("Save arrangement", widget=GovSubmitInput())

    def __init__(self, *args, lines=(), obj=None, **kwargs):
        """`lines`: the budget lines of the plan in force, one of which may pay for the arrangement."""
        if obj is not None:
            kwargs.setdefault("expected_cost", obj.expected_cost_pence)  # pence, shown as pounds
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None:
            self.line_id.data = obj.line_id or 0  # no line pays: the "None" option
        self.line_id.choices = [(0, "None")] + [(line.id, line.item) for line in lines]
        self.line_ids = {line.id for line in lines}

    def validate_title(self, field):
        if self.scenario.data == Scenario.OWN and not field.data:
            raise ValidationError("Enter what the arrangement is for")

    def validate_line_id(self, field):
        if field.data and field.data not in self.line_ids:
            raise ValidationError("Select a budget line from the plan")

    def values(self) -> dict:
        """What was entered, as the arrangement's columns."""
        return {"scenario": self.scenario.data, "title": self.title.data, "what_happens": self.what_happens.data,
                "who_steps_in": self.who_steps_in.data, "contact": self.contact.data,
                "expected_cost_pence": self.expected_cost.pence, "line_id": self.line_id.data or None}


class LastResortForm(FlaskForm):
    last_resort_name = StringField("Who to call if nothing else works", widget=GovTextInput(),
                                   description="For example, the council’s out-of-hours social care team",
                                   filters=[strip],
                                   validators=[DataRequired(message="Enter who to call if nothing else works"),
                                               Length(max=200)])
    last_resort_phone = StringField("Their phone number", widget=GovTextInput(), filters=[strip],
                                    validators=[DataRequired(message="Enter their phone number"), Length(max=50)])
    submit = SubmitField("Save", widget=GovSubmitInput())


class RiskForm(FlaskForm):
    description = TextAreaField("The risk", widget=GovTextArea(), filters=[strip],
                                validators=[DataRequired(message="Enter the risk"), Length(max=2000)])
    status = RadioField("How is it handled?", widget=GovRadioInput(), choices=list(RISK_HANDLING.items()),
                        validators=[DataRequired(message="Select how the risk is handled")])
    mitigation = TextAreaField("How it is reduced", widget=GovTextArea(), default="", filters=[strip],
                               validators=[Length(max=2000)])
    accepted_by = StringField("Who accepted it", widget=GovTextInput(),
                              description="The person themselves, or who decided for them and in what capacity",
                              default="", filters=[strip], validators=[Length(max=200)])
    review_on = GovDateField("When to look at it again", what="the date to look at it again")
    submit = SubmitField("Save risk", widget=GovSubmitInput())

    def validate_mitigation(self, field):
        if self.status.data == RiskStatus.MITIGATED and not field.data:
            raise ValidationError("Enter how the risk is reduced")

    def validate_accepted_by(self, field):
        if self.status.data == RiskStatus.ACCEPTED and not field.data:
            raise ValidationError("Enter who accepted the risk")

    def validate_review_on(self, field):
        if field.data and field.data < today():
            raise ValidationError("The date to look at it again must be today or later")

    def values(self) -> dict:
        """What was entered, as the risk's columns (services.save_risk keeps what its status needs)."""
        return {"description": self.description.data, "status": self.status.data,
                "mitigation": self.mitigation.data, "accepted_by": self.accepted_by.data,
                "review_on": self.review_on.data}


class ShareForm(FlaskForm):
    label = StringField("Who is this link for?", widget=GovTextInput(), description="For example, Sam (back-up PA)",
                        filters=[strip],
                        validators=[DataRequired(message="Enter who the link is for"), Length(max=200)])
    days = IntegerField("How many days should it work?", widget=GovTextInput(), default=30,
                        validators=[DataRequired(message="Enter how many days the link should work"),
                                    NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365")])
    submit = SubmitField("Create link", widget=GovSubmitInput())
