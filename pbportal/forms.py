"""What every area's forms share."""
from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST that is only a button (agree a plan, import the lines checked, revoke a link…): nothing in it but
    the CSRF token. The template writes the button itself."""


def strip(value):
    """A field filter: text as typed, without spaces around it (None stays None)."""
    return value.strip() if isinstance(value, str) else value
