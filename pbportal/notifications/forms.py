from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from .models import CHANNEL_LABELS, KINDS, Channel, Kind


def settings_form(kinds: list[Kind], current: dict[Kind, Channel]) -> FlaskForm:
    """A form with one question per kind this person can receive: how to hear of it."""

    class SettingsForm(FlaskForm):
        submit = SubmitField("Save your choices", widget=GovSubmitInput())

    for kind in kinds:
        info = KINDS[kind]
        setattr(SettingsForm, kind.value, RadioField(
            info.label, description=info.hint, widget=GovRadioInput(),
            choices=[(c.value, CHANNEL_LABELS[c]) for c in Channel], default=current[kind].value,
            validators=[InputRequired(message=f"Choose how to hear about {info.label.lower()}")]))
    return SettingsForm()
