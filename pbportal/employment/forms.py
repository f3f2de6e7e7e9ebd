from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..fields import GovDateField, PoundsField, check_past_and_in_plan_year, reason_field
from ..money import MoneyError, is_nothing, parse_pounds
from ..timeutil import today
from .models import ABSENCE_KINDS, CHECK_KINDS, DBS_LEVELS


def _hours(text: str, what: str, required: bool = True) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        if required:
            raise ValidationError(f"Enter {what}")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{what[0].upper()}{what[1:]} must be a number, like 30 or 7.5") from None
    if not value.is_finite():
        raise ValidationError(f"{what[0].upper()}{what[1:]} must be a number, like 30 or 7.5")
    if value < 0:
        raise ValidationError(f"{what[0].upper()}{what[1:]} cannot be negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"{what[0].upper()}{what[1:]} must have no more than 2 decimal places")
    return value


class PAForm(FlaskForm):
    RATES = (("day", "Day"), ("night", "Night"), ("weekend", "Weekend"))

    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired(message="Enter the PA's full name"),
                                   Length(max=200, message="Name must be 200 characters or fewer")])
    phone = StringField("Phone number (optional)", widget=GovTextInput(),
                        validators=[Optional(), Length(max=50, message="Phone number must be 50 characters or fewer")])
    email = StringField("Email address (optional)", widget=GovTextInput(),
                        validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                       message="Enter an email address like name@example.com"),
                                    Length(max=254)])
    date_of_birth = GovDateField("Date of birth (optional)", what="the PA's date of birth", optional=True,
                                 description="Used only to check pay against the minimum wage for their age")
    start_date = GovDateField("Start date", what="the date they started working for you")
    employment_type = RadioField(
        "How are they paid?", widget=GovRadioInput(),
        choices=[("employed", "Employed: I pay them through payroll"),
                 ("self_employed", "Self-employed: they send me invoices")],
        validators=[DataRequired(message="Select how they are paid")])
    irregular_hours = BooleanField("Their hours change from week to week (holiday is 12.07% of hours worked)",
                                   widget=GovCheckboxInput())
    day_rate = StringField("Day rate", widget=GovTextInput())
    day_hours = StringField("Day hours a week", widget=GovTextInput())
    night_rate = StringField("Night rate (optional)", widget=GovTextInput())
    night_hours = StringField("Night hours a week", widget=GovTextInput())
    weekend_rate = StringField("Weekend rate (optional)", widget=GovTextInput())
    weekend_hours = StringField("Weekend hours a week", widget=GovTextInput())
    line_id = SelectField("Budget line their pay comes from", widget=GovSelect(), coerce=int,
                          validate_choice=False)
    is_relative = BooleanField("They are a relative of the person receiving support", widget=GovCheckboxInput())
    relative_exception = TextAreaField(
        "The funder's recorded exception (if they are a relative)", widget=GovTextArea(),
        description="A spouse, partner or close relative living in the same household can only be paid if the "
                    "funder has agreed. Say who agreed and when.",
        validators=[Optional(), Length(max=1000, message="Exception must be 1,000 characters or fewer")])
    submit = SubmitField("Save PA", widget=GovSubmitInput())

    def __init__(self, *args, line_ids=(), end_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids = set(line_ids)
        self.end_date = end_date
        self.rate_values: list[dict] = []

    def validate_start_date(self, field):
        if field.data and self.end_date and field.data > self.end_date:
            raise ValidationError(f"The start date must be on or before their last day, {self.end_date:%-d %B %Y}")

    def validate_line_id(self, field):
        if field.data not in self.line_ids:
            raise ValidationError("Select the budget line their pay comes from")

    def validate_date_of_birth(self, field):
        if field.data and field.data >= today():
            raise ValidationError("Date of birth must be in the past")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.rate_values = []
        for kind, label in self.RATES:
            rate_field, hours_field = getattr(self, f"{kind}_rate"), getattr(self, f"{kind}_hours")
            required = kind == "day"
            text = (rate_field.data or "").strip()
            if not text and not required and not (hours_field.data or "").strip():
                continue
            try:
                pence = parse_pounds(text, maximum_pence=100_00)
            except MoneyError as err:
                message = str(err).replace("Amount", f"{label} rate")
                if str(err) == "Enter an amount":
                    message = f"Enter the {label.lower()} rate"
                elif "or less" in str(err):
                    message = f"{label} rate must be £100.00 an hour or less"
                rate_field.errors = list(rate_field.errors) + [message]
                ok = False
                continue
            try:
                hours = _hours(hours_field.data, f"{label.lower()} hours a week")
                if hours is not None and hours > 168:
                    raise ValidationError(f"{label} hours must be 168 a week or fewer")
            except ValidationError as err:
                hours_field.errors = list(hours_field.errors) + [str(err)]
                ok = False
                continue
            self.rate_values.append({"kind": kind, "hourly_pence": pence, "hours_per_week": hours})
        return ok


class EndEmploymentForm(FlaskForm):
    end_date = GovDateField("Last day of employment", what="the last day of employment")
    reason = reason_field("Why did their employment end?", "Enter why their employment ended")
    submit = SubmitField("End employment", widget=GovSubmitInput())

    def __init__(self, *args, start_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_date = start_date

    def validate_end_date(self, field):
        if field.data and self.start_date and field.data < self.start_date:
            raise ValidationError(f"The last day must be on or after their start date, {self.start_date:%-d %B %Y}")


class CheckForm(FlaskForm):
    kind = RadioField("Which check?", widget=GovRadioInput(), choices=list(CHECK_KINDS.items()),
                      validators=[DataRequired(message="Select which check")])
    checked_on = GovDateField("Date of the check", what="the date of the check")
    expires_on = GovDateField("Expiry or renewal date (optional)", what="the expiry date", optional=True,
                              description="For a time-limited right to work, or when a DBS check is to be renewed")
    dbs_level = SelectField("DBS level", widget=GovSelect(),
                            choices=[("", "Not a DBS check")] + list(DBS_LEVELS.items()), validate_choice=False)
    dbs_certificate = StringField("DBS certificate number (optional)", widget=GovTextInput(),
                                  validators=[Optional(), Length(max=40, message="Certificate number is too long")])
    dbs_update_service = BooleanField("They are on the DBS Update Service", widget=GovCheckboxInput())
    evidence = TextAreaField("Evidence", widget=GovTextArea(),
                             description="What you saw or keep: for example, passport seen and copied",
                             validators=[DataRequired(message="Enter the evidence for this check"),
                                         Length(max=1000, message="Evidence must be 1,000 characters or fewer")])
    submit = SubmitField("Add check", widget=GovSubmitInput())

    def validate_checked_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date of the check must be today or in the past")

    def validate_expires_on(self, field):
        if field.data and self.checked_on.data and field.data < self.checked_on.data:
            raise ValidationError("The expiry date must be after the date of the check")

    def validate_dbs_level(self, field):
        if self.kind.data == "dbs" and field.data not in DBS_LEVELS:
            raise ValidationError("Select the level of the DBS check")


class TrainingForm(FlaskForm):
    course = StringField("Course", widget=GovTextInput(),
                         validators=[DataRequired(message="Enter the name of the course"),
                                     Length(max=200, message="Course must be 200 characters or fewer")])
    completed_on = GovDateField("Date completed", what="the date the course was completed")
    expires_on = GovDateField("Expiry date (optional)", what="the expiry date", optional=True)
    cost = StringField("Cost (optional)", widget=GovTextInput())
    submit = SubmitField("Add training", widget=GovSubmitInput())

    def validate_completed_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date completed must be today or in the past")

    def validate_expires_on(self, field):
        if field.data and self.completed_on.data and field.data < self.completed_on.data:
            raise ValidationError("The expiry date must be after the date completed")

    def validate_cost(self, field):
        self.cost_pence = 0
        if not is_nothing(field.data):
            try:
                self.cost_pence = parse_pounds(field.data, maximum_pence=10_000_00)
            except MoneyError as err:
                raise ValidationError(str(err).replace("Amount", "Cost")) from None


class TaskForm(FlaskForm):
    task = StringField("Task", widget=GovTextInput(), description="For example, PEG feeding or catheter care",
                       validators=[DataRequired(message="Enter the task"), Length(max=200)])
    practitioner = StringField("Registered practitioner who delegated it", widget=GovTextInput(),
                               validators=[DataRequired(message="Enter who delegated the task"), Length(max=200)])
    practitioner_registration = StringField(
        "Their professional registration", widget=GovTextInput(), description="For example, NMC PIN 12A3456E",
        validators=[DataRequired(message="Enter the practitioner's professional registration"), Length(max=60)])
    trained_on = GovDateField("Date the PA was trained", what="the training date", optional=True)
    signed_off_by = StringField("Competence signed off by (optional)", widget=GovTextInput(),
                                validators=[Optional(), Length(max=200)])
    signed_off_on = GovDateField("Date competence was signed off (optional)", what="the sign-off date", optional=True)
    review_on = GovDateField("Review date", what="the review date")
    submit = SubmitField("Add delegated task", widget=GovSubmitInput())

    def validate_signed_off_on(self, field):
        if field.data and not (self.signed_off_by.data or "").strip():
            self.signed_off_by.errors = list(self.signed_off_by.errors) + ["Enter who signed off competence"]
            raise ValidationError("Enter who signed off competence as well as the date")
        if field.data and field.data > today():
            raise ValidationError("The sign-off date must be today or in the past")
        if field.data and self.trained_on.data and field.data < self.trained_on.data:
            raise ValidationError("Competence can only be signed off after the training")


class PayForm(FlaskForm):
    period_start = GovDateField("Pay period start", what="the start of the pay period")
    period_end = GovDateField("Pay period end", what="the end of the pay period")
    hours = StringField("Hours worked", widget=GovTextInput())
    gross = PoundsField("Gross pay", what="the gross pay")
    employer_ni = StringField("Employer National Insurance", widget=GovTextInput(), description="Enter 0 if none")
    employee_pension = StringField("Employee pension contribution (deducted from pay)", widget=GovTextInput(),
                                   description="Enter 0 if none")
    employer_pension = StringField("Employer pension contribution", widget=GovTextInput(),
                                   description="Enter 0 if none")
    net = PoundsField("Net pay (paid to the PA)", what="the net pay")
    paid_on = GovDateField("Date paid", what="the date the pay was paid")
    submit = SubmitField("Record pay", widget=GovSubmitInput())

    def __init__(self, *args, plan_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.pence: dict[str, int] = {}

    def validate_hours(self, field):
        self.hours_value = _hours(field.data, "hours worked")
        if self.hours_value is not None and self.hours_value > 744:
            raise ValidationError("Hours worked must be 744 or fewer (a month of every hour)")

    def _optional_pounds(self, field, key):
        text = (field.data or "").strip()
        if is_nothing(text):
            self.pence[key] = 0
            return
        try:
            self.pence[key] = parse_pounds(text)
        except MoneyError as err:
            raise ValidationError(str(err).replace("Amount", field.label.text)) from None

    def validate_employer_ni(self, field):
        self._optional_pounds(field, "employer_ni_pence")

    def validate_employee_pension(self, field):
        self._optional_pounds(field, "employee_pension_pence")

    def validate_employer_pension(self, field):
        self._optional_pounds(field, "employer_pension_pence")

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("The end of the pay period must be on or after its start")
        if field.data and self.period_start.data and (field.data - self.period_start.data).days > 31:
            raise ValidationError("A pay period must be a month or shorter")

    def validate_paid_on(self, field):
        check_past_and_in_plan_year(field.data, self.plan_year, "the date the pay was paid")

    def validate_net(self, field):
        if self.net.pence and self.gross.pence and self.net.pence > self.gross.pence:
            raise ValidationError("Net pay cannot be more than gross pay")
        employee_pension = self.pence.get("employee_pension_pence", 0)
        if self.net.pence and self.gross.pence and self.net.pence + employee_pension > self.gross.pence:
            raise ValidationError("Net pay and the employee’s pension contribution cannot add up to more than "
                                  "gross pay")


class AbsenceForm(FlaskForm):
    kind = RadioField("Holiday or sick?", widget=GovRadioInput(), choices=list(ABSENCE_KINDS.items()),
                      validators=[DataRequired(message="Select holiday or sick")])
    start_date = GovDateField("First day", what="the first day")
    end_date = GovDateField("Last day", what="the last day")
    note = TextAreaField("Note (optional)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=500, message="Note must be 500 characters or fewer")])
    submit = SubmitField("Add absence", widget=GovSubmitInput())

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The last day must be on or after the first day")


class EmployerForm(FlaskForm):
    paye_reference = StringField("PAYE reference (optional)", widget=GovTextInput(),
                                 description="From HMRC: 3 numbers, a slash, then letters and numbers, "
                                             "like 123/AB45678",
                                 validators=[Optional(), Length(max=20)])
    hmrc_registered_on = GovDateField("Date registered with HMRC as an employer (optional)",
                                      what="the date registered with HMRC", optional=True)
    insurer = StringField("Employer's liability insurer", widget=GovTextInput(),
                          validators=[Optional(), Length(max=200)])
    policy_number = StringField("Policy number", widget=GovTextInput(), validators=[Optional(), Length(max=60)])
    insurance_renews_on = GovDateField("Insurance renewal date", what="the renewal date", optional=True)
    insurance_covers_delegated_tasks = BooleanField("The policy covers delegated healthcare tasks",
                                                    widget=GovCheckboxInput())
    insurance_premium = StringField("Insurance premium a year (optional)", widget=GovTextInput())
    payroll_fee = StringField("Payroll service fee a year (optional)", widget=GovTextInput())
    allowance_claimed = BooleanField("Employment Allowance is claimed this tax year", widget=GovCheckboxInput())
    submit = SubmitField("Save employer details", widget=GovSubmitInput())

    def _money(self, field):
        text = (field.data or "").strip()
        if is_nothing(text):
            return 0
        try:
            return parse_pounds(text, maximum_pence=100_000_00)
        except MoneyError as err:
            raise ValidationError(str(err).replace("Amount", field.label.text.replace(" (optional)", ""))) from None

    def validate_insurance_premium(self, field):
        self.premium_pence = self._money(field)

    def validate_payroll_fee(self, field):
        self.payroll_pence = self._money(field)


class PayrollImportForm(FlaskForm):
    file = FileField("Payslip summary (CSV)", widget=GovFileInput(),
                     description="One row per PA per pay period, with columns: PA, Period start, Period end, Hours, "
                                 "Gross pay, Employer NI, Employee pension, Employer pension, Net pay, Date paid")
    submit = SubmitField("Import pay", widget=GovSubmitInput())


class VoidPayForm(FlaskForm):
    reason = reason_field("Why are you voiding this pay record?", "Enter why you are voiding this pay record",
                          "Its payments to the PA, HMRC and the pension are voided too")
    submit = SubmitField("Void pay record", widget=GovSubmitInput())


class RateForm(FlaskForm):
    valid_from = GovDateField("Valid from", what="the date the figure applies from")
    value = StringField("Figure", widget=GovTextInput())
    source = TextAreaField("Source", widget=GovTextArea(), description="Where the figure comes from",
                           validators=[DataRequired(message="Enter where the figure comes from"),
                                       Length(max=500)])
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def validate_value(self, field):
        text = (field.data or "").strip().replace(",", "")
        if self.unit.startswith("pence") and ("£" in text or "." in text):
            # Typed in pounds ("£12.71"): store pence, never 12.71p.
            try:
                self.decimal_value = Decimal(parse_pounds(text, maximum_pence=None))
            except MoneyError as err:
                raise ValidationError(str(err).replace("Amount", "The figure")) from None
            return
        try:
            self.decimal_value = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Enter the figure as a number") from None
        if not self.decimal_value.is_finite() or self.decimal_value < 0:
            raise ValidationError("Enter the figure as a number")
        if self.unit.startswith("pence") and self.decimal_value != self.decimal_value.to_integral_value():
            raise ValidationError("Enter a whole number of pence")
