from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from ..fields import GovDateField

LONGEST_DAYS = 366 * 7  # the records a budget keeps: a span longer than this is a mistake


class SpanForm(FlaskForm):
    """The span of a spending download (read from the query string: a GET, so the address can be bookmarked)."""

    class Meta:
        csrf = False

    starts_on = GovDateField("From", what="the first day")
    ends_on = GovDateField("To", what="the last day")
    submit = SubmitField("Show the spending", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.ends_on.data < self.starts_on.data:
            self.ends_on.errors.append("The last day must be the same as or after the first day")
            return False
        if (self.ends_on.data - self.starts_on.data).days > LONGEST_DAYS:
            self.ends_on.errors.append("Choose a span of 7 years or less")
            return False
        return True


class AskForm(FlaskForm):
    submit = SubmitField("Make a download of all the data", widget=GovSubmitInput())
