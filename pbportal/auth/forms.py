from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..forms import strip
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
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with",
        filters=[strip],
        validators=[DataRequired(message="Enter your email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer"),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                           message="Enter an email address in the correct format, like name@example.com")],
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    """A new password, typed twice. The view gives the person's name and email, which it should not be made of."""

    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_LENGTH} characters. Three random words together make a good password.",
        validators=[DataRequired(message="Enter a new password"),
                    NewPassword(lambda form: form.person)],
    )
    confirm = PasswordField(
        "Confirm the new password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter the new password again"),
                    EqualTo("password", message="The passwords do not match: enter the same password twice")],
    )
    submit = SubmitField("Change the password", widget=GovSubmitInput())

    def __init__(self, *args, person: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
