from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from ..auth.models import ORG_KIND_LABELS, OrgKind
from ..forms import email_field, name_field, strip


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
