from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..fields import GovDateField
from ..forms import strip
from .models import END_REASONS


class HandOverForm(FlaskForm):
    from_case_manager = SelectField("Whose caseload", widget=GovSelect(), validate_choice=False)
    to_case_manager = SelectField("Hand it over to", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Hand over the caseload", widget=GovSubmitInput())

    def __init__(self, *args, choices=(), owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_case_manager.choices = [("", "Choose a case manager")] + list(choices if owners is None else owners)
        self.to_case_manager.choices = [("", "Choose a case manager")] + list(choices)


class DeclineForm(FlaskForm):
    reason = TextAreaField("Why can you not hold this account?", widget=GovTextArea(), filters=[strip],
                           description="The case manager will see this, to find another provider",
                           validators=[DataRequired(message="Enter why you cannot hold this account"),
                                       Length(max=1000, message="The reason must be 1,000 characters or fewer")])
    submit = SubmitField("Decline the account", widget=GovSubmitInput())


class ProviderForm(FlaskForm):
    provider = SelectField("Managed-account provider", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Ask this provider", widget=GovSubmitInput())

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [("", "Choose a provider")] + [(str(p.id), p.name) for p in providers]


class EndForm(FlaskForm):
    reason = RadioField("Why is the budget ending?", widget=GovRadioInput(), choices=list(END_REASONS.items()),
                        validators=[InputRequired(message="Choose why the budget is ending")])
    note = TextAreaField("More about why (optional, needed for Other)", widget=GovTextArea(), filters=[strip],
                         validators=[Optional(), Length(max=1000, message="This must be 1,000 characters or fewer")])
    ended_on = GovDateField("Date it ended", what="the date it ended")
    submit = SubmitField("End the budget", widget=GovSubmitInput())


class MoveProviderForm(FlaskForm):
    provider = SelectField("Which provider is taking the account on?", widget=GovSelect(), validate_choice=False,
                           validators=[DataRequired(message="Choose the provider taking the account on")])
    moves_on = GovDateField("The new provider’s first day", what="the new provider’s first day",
                            description="Payments and bank lines before this day stay with the provider holding it "
                                        "now, and can no longer be changed. For example, 1 12 2026")
    reason = TextAreaField("Why is the account moving?", widget=GovTextArea(), filters=[strip],
                           description="The person, both providers and the audit log will keep this",
                           validators=[DataRequired(message="Enter why the account is moving"),
                                       Length(max=1000, message="The reason must be 1,000 characters or fewer")])
    submit = SubmitField("Move the account", widget=GovSubmitInput())

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [("", "Choose a provider")] + [(str(p.id), p.name) for p in providers]
