from datetime import timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from ..fields import GovDateField
from ..forms import email_field, name_field
from ..timeutil import today
from .models import HELD_AS_LABELS, HeldAs, RepresentativeKind

KIND_LABELS = {RepresentativeKind.NOMINATED: "Nominated: the holder has chosen them to help",
               RepresentativeKind.AUTHORISED: "Authorised: the holder lacks capacity, and they act in the holder’s "
                                              "best interests"}


class NewPersonForm(FlaskForm):
    person_name = name_field("Full name")
    date_of_birth = GovDateField("Date of birth", what="their date of birth", description="For example, 27 3 1958")
    email = email_field("Email address", "We will email them an invitation to pbportal. They will sign in with it.")
    held_as = RadioField("How is the budget held?", widget=GovRadioInput(),
                         choices=[(h.value, HELD_AS_LABELS[h]) for h in HeldAs],
                         validators=[InputRequired(message="Choose how the budget is held")])
    provider = SelectField("Managed-account provider", widget=GovSelect(), validate_choice=False,
                           description="Only for a managed account: the provider who will hold the money")
    plan_year_start = GovDateField("First day of the plan year", what="the first day of the plan year",
                                   description="Later plan years start on its anniversaries")
    copy_from = SelectField("Budget lines", widget=GovSelect(), validate_choice=False,
                            description="Start with no lines and add the agreed plan's, or copy the lines of "
                                        "another person's plan on your caseload to change them")
    submit = SubmitField("Add the person and invite them", widget=GovSubmitInput())

    def __init__(self, *args, providers=(), budgets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [("", "Choose a provider")] + [(str(p.id), p.name) for p in providers]
        self.copy_from.choices = [("", "Start with no lines")] + [(str(b.id), f"Copy {b.person_name}’s lines")
                                                                   for b in budgets]

    def validate_date_of_birth(self, field):
        if field.data and field.data > today():
            raise ValidationError("Date of birth must be in the past")
        if field.data and field.data < today() - timedelta(days=366 * 130):
            raise ValidationError("Date of birth must be within the last 130 years")

    def validate_plan_year_start(self, field):
        if field.data and abs((field.data - today()).days) > 366 * 2:
            raise ValidationError("The plan year must start within 2 years of today")

    def validate_provider(self, field):
        valid = {value for value, _ in field.choices if value}
        if self.held_as.data == HeldAs.MANAGED_ACCOUNT and field.data not in valid:
            raise ValidationError("Choose the provider who will hold the account")
        if field.data and field.data not in valid:
            raise ValidationError("Choose a provider from the list")

    def validate_copy_from(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a budget from the list")


class RepresentativeForm(FlaskForm):
    name = name_field("Full name")
    email = email_field("Email address", "We will email them an invitation, or tell them if they already use pbportal.")
    kind = RadioField("How do they act for the holder?", widget=GovRadioInput(),
                      choices=[(k.value, KIND_LABELS[k]) for k in RepresentativeKind],
                      validators=[InputRequired(message="Choose how they act for the holder")])
    may_record = RadioField("What may they do?", widget=GovRadioInput(),
                            choices=[("no", "See the budget only"), ("yes", "See the budget and record spending")],
                            validators=[InputRequired(message="Choose what they may do")])
    submit = SubmitField("Invite them", widget=GovSubmitInput())


class PermissionForm(FlaskForm):
    may_record = RadioField("What may they do?", widget=GovRadioInput(),
                            choices=[("no", "See the budget only"), ("yes", "See the budget and record spending")],
                            validators=[InputRequired(message="Choose what they may do")])
    submit = SubmitField("Save", widget=GovSubmitInput())
