from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..auth.models import ORG_KIND_LABELS, OrgKind
from ..forms import EMAIL_FORMAT, email_field, name_field, strip


def _email(label="Email address", hint="We will send the invitation to this address. They will sign in with it."):
    return email_field(label, hint)


class InviteForm(FlaskForm):
    name = name_field()
    email = _email()
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Choose their role")])
    submit = SubmitField("Send the invitation", widget=GovSubmitInput())

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(roles)


class RoleForm(FlaskForm):
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")])
    submit = SubmitField("Change the role", widget=GovSubmitInput())

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(roles)


class OrganisationForm(FlaskForm):
    name = StringField("Name of the organisation", widget=GovTextInput(), filters=[strip], validators=[
        DataRequired(message="Enter the name of the organisation"),
        Length(max=200, message="Name must be 200 characters or fewer")])
    kind = RadioField("What kind of organisation is it?", widget=GovRadioInput(),
                      choices=[(k.value, ORG_KIND_LABELS[k]) for k in OrgKind],
                      validators=[InputRequired(message="Choose what kind of organisation it is")])
    admin_name = name_field("Full name of its first admin")
    admin_email = _email("Their email address",
                         "We will invite them to join as the organisation’s admin. They can then invite their staff.")
    submit = SubmitField("Add the organisation and invite its admin", widget=GovSubmitInput())


class AdminInviteForm(FlaskForm):
    name = name_field()
    email = _email()
    submit = SubmitField("Invite them as an admin", widget=GovSubmitInput())


PHONE_FORMAT = r"^\+?[0-9 ()-]{7,25}$"


class ContactForm(FlaskForm):
    """How the people an organisation funds, or whose accounts it holds, reach it (the help pages, the budget
    page). Each part optional, but a phone number or an email address is expected."""

    contact_phone = StringField("Phone number", widget=GovTextInput(), filters=[strip],
                                description="The number people should ring about their budget, like 0161 496 0000",
                                validators=[Optional(), Length(max=40, message="Phone number must be 40 characters "
                                                                                "or fewer"),
                                            Regexp(PHONE_FORMAT, message="Enter a phone number, like 0161 496 0000 "
                                                                         "or +44 161 496 0000")])
    contact_email = StringField("Email address", widget=GovTextInput(), filters=[strip],
                                description="A shared inbox, not a person's own address",
                                validators=[Optional(), Length(max=254, message="Email address must be 254 "
                                                                                "characters or fewer"),
                                            Regexp(EMAIL_FORMAT, message="Enter an email address in the correct "
                                                                         "format, like name@example.com")])
    contact_hours = StringField("When the lines are open (optional)", widget=GovTextInput(), filters=[strip],
                                description="For example, Monday to Friday, 9am to 5pm",
                                validators=[Optional(), Length(max=200, message="Opening hours must be 200 "
                                                                                "characters or fewer")])
    submit = SubmitField("Save contact details", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.contact_phone.data and not self.contact_email.data:
            self.contact_phone.errors.append("Enter a phone number or an email address, so people can reach you")
            return False
        return True
