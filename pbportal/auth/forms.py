from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms import email_field
from .passwords import MIN_LENGTH, NewPassword


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your password"), Length(max=200)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = email_field(description="The address you sign in with", missing="Enter your email address")
    submit = SubmitField("Send the link", widget=GovSubmitInput())


def _new_password(label: str = "New password"):
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=f"At least {MIN_LENGTH} characters. Three random words together make a good password.",
        validators=[DataRequired(message="Enter a new password"), NewPassword(lambda form: form.person)],
    )


def _confirm(label: str = "Confirm the new password"):
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter the new password again"),
                    EqualTo("password", message="The passwords do not match: enter the same password twice")],
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice. `person` is the person's name and email, which it should not be made of."""

    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Change the password", widget=GovSubmitInput())

    def __init__(self, *args, person: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person


class JoinForm(NewPasswordForm):
    """Accepting an invitation: the person's first password."""

    password = _new_password("Choose a password")
    confirm = _confirm("Type the password again")
    submit = SubmitField("Join pbportal", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    """The current password first (a device left signed in cannot be used to take the account over), then the
    new one twice."""

    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your current password"), Length(max=200)],
    )
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Change the password", widget=GovSubmitInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = (user.name, user.email)

    def validate_current(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError("Your current password is not right")


class ChangeEmailForm(FlaskForm):
    """The new address, and the current password (a device left signed in cannot be used to take the account)."""

    email = email_field("New email address", "We will send a link to this address. Your address changes when you "
                        "follow it.", "Enter your new email address")
    current = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your password"), Length(max=200)],
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError("Your password is not right")

    def validate_email(self, field):
        if (field.data or "").strip().lower() == self.user.email.lower():
            raise ValidationError("This is already your email address")
