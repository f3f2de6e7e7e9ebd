from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..fields import reason_field
from ..forms import strip
from ..spending.receipts import ReceiptError, check_upload
from .models import DOCUMENT_KINDS


class DocumentForm(FlaskForm):
    """A document for the budget, or (with `about`/`about_id` set by the page) for one record on it."""

    kind = RadioField("What is it?", widget=GovRadioInput(), choices=[(k.value, v) for k, v in DOCUMENT_KINDS.items()],
                      validators=[InputRequired(message="Choose what the document is")])
    title = StringField("Name it (optional)", widget=GovTextInput(), filters=[strip],
                        description="For example, ‘Support plan agreed March 2026’. Left empty, the file’s own name",
                        validators=[Length(max=200, message="The name must be 200 characters or fewer")])
    file = FileField("The file", widget=GovFileInput(),
                     description="A PDF, or a photo (JPG, PNG or WEBP). Up to 10 MB.")
    about = HiddenField(default="budget", filters=[lambda v: (v or "budget")[:20]])
    about_id = HiddenField(filters=[lambda v: (v or "")[:12]])
    back = HiddenField(filters=[lambda v: (v or "")[:300]])
    submit = SubmitField("Upload the document", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        self.checked = None
        ok = super().validate(extra_validators)
        if ok:
            try:
                self.checked = check_upload(self.file.data, current_app.config["RECEIPT_MAX_BYTES"])
            except ReceiptError as err:
                self.file.errors.append(str(err).replace("The receipt", "The document"))
                return False
            if self.checked is None:
                self.file.errors.append("Choose the file to upload")
                return False
        return ok


class RemoveForm(FlaskForm):
    reason = reason_field("Why are you removing it?", "Enter why you are removing this document",
                          "For example, ‘uploaded to the wrong person’ or ‘replaced by the renewed certificate’")
    submit = SubmitField("Remove the document", widget=GovSubmitInput())
