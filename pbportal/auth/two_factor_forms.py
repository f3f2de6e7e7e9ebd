from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import strip


class CodeForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(), filters=[strip], validators=[
        DataRequired(message="Enter the 6-digit code from your authenticator app"),
        Length(max=40, message="Enter the 6-digit code from your authenticator app")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TurnOffForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter your password"), Length(max=200)])
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())
