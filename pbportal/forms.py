"""What every area's forms share."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class ActionForm(FlaskForm):
    """A POST that is only a button (agree a plan, import the lines checked, revoke a link…): nothing in it but
    the CSRF token. The template writes the button itself."""


def strip(value):
    """A field filter: text as typed, without spaces around it (None stays None)."""
    return value.strip() if isinstance(value, str) else value


EMAIL_FORMAT = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def email_field(label: str = "Email address", description: str = "", missing: str = "Enter their email address"):
    """A required email address: trimmed, at most 254 characters, in the shape name@example.com."""
    return StringField(label, widget=GovTextInput(), description=description, filters=[strip], validators=[
        DataRequired(message=missing), Length(max=254, message="Email address must be 254 characters or fewer"),
        Regexp(EMAIL_FORMAT, message="Enter an email address in the correct format, like name@example.com")])


def name_field(label: str = "Full name"):
    """A person's required full name, at most 200 characters."""
    return StringField(label, widget=GovTextInput(), filters=[strip], validators=[
        DataRequired(message="Enter their full name"), Length(max=200, message="Name must be 200 characters or fewer")])
