"""Forms for a PA's record, the employer, the payroll import, voiding pay and the statutory figures (the PA
page's section forms are in section_forms.py)."""
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..fields import GovDateField, reason_field
from ..money import MoneyError, is_nothing, parse_pounds, pence_to_input
from ..timeutil import today
from .models import (
    EMPLOYER_DETAILS,
    EMPLOYMENT_TYPES,
    PA_DETAILS,
    RATE_KINDS,
    EmploymentType,
    RateKind,
)
from .payrules import PAY_FREQUENCIES, POSTPONEMENT, WEEKDAYS, PayFrequency, add_months
from .rates import Unit


def parse_hours(text: str, what: str, required: bool = True) -> Decimal | None:
    """Hours typed as a number ("7.5", "1,200"), to 2 decimal places; None if left empty and not required."""
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


def stripped(field) -> str:
    """A text field's value without surrounding spaces ("" if it was not sent)."""
    return (field.data or "").strip()


class PAForm(FlaskForm):
    """A PA's details and hourly rates. `lines` are the budget lines their pay may come from."""

    RATES = (RateKind.DAY, RateKind.NIGHT, RateKind.WEEKEND)  # each has a <kind>_rate and <kind>_hours field

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
        choices=list(EMPLOYMENT_TYPES.items()),
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
    pay_frequency = RadioField("How often are they paid?", widget=GovRadioInput(),
                               choices=list(PAY_FREQUENCIES.items()),
                               validators=[DataRequired(message="Select how often they are paid")])
    pay_weekday = SelectField("Pay day", widget=GovSelect(), coerce=int, choices=list(enumerate(WEEKDAYS)),
                              description="For weekly, 2-weekly and 4-weekly pay. Monthly pay is counted on the "
                                          "month’s last day")
    working_days = SelectMultipleField(
        "Which days do they usually work?", widget=GovCheckboxesInput(),
        choices=[(str(n), day) for n, day in enumerate(WEEKDAYS)],
        description="Sick pay is paid for these days, and holiday is counted in them",
        validators=[DataRequired(message="Select the days they usually work")])
    sleep_ins_per_week = StringField("Sleep-ins a week (optional)", widget=GovTextInput(),
                                     description="Nights they sleep in, on call. Time asleep is not working time "
                                                 "for the minimum wage")
    sleep_in_pay = StringField("Pay for each sleep-in (optional)", widget=GovTextInput(),
                               description="A flat amount for the night")
    apprentice_since = GovDateField("If they are an apprentice, when did the apprenticeship start? (optional)",
                                    what="the day the apprenticeship started", optional=True,
                                    description="The apprentice rate applies to apprentices under 19, or in the "
                                                "first year of their apprenticeship")
    lives_in = BooleanField("They live in, in accommodation you provide", widget=GovCheckboxInput())
    accommodation_charge = StringField(
        "What do you charge them for the accommodation a day? (optional)", widget=GovTextInput(),
        description="Enter 0 if it is free. Free accommodation counts towards the minimum wage up to the "
                    "accommodation offset; a charge above the offset counts against it")
    pension_enrolled_on = GovDateField("Date they joined the workplace pension (optional)",
                                       what="the date they joined the pension", optional=True)
    pension_opted_out_on = GovDateField("Date they opted out of the pension (optional)",
                                        what="the date they opted out", optional=True,
                                        description="Staff who opt out are enrolled again every 3 years")
    pension_postponed_until = GovDateField(
        "Automatic enrolment postponed until (optional)", what="the date enrolment is postponed to", optional=True,
        description="You may postpone for up to 3 months, and must tell them in writing")
    is_relative = BooleanField("They are a relative of the person receiving support", widget=GovCheckboxInput())
    relative_exception = TextAreaField(
        "The funder's recorded exception (if they are a relative)", widget=GovTextArea(),
        description="A spouse, partner or close relative living in the same household can only be paid if the "
                    "funder has agreed. Say who agreed and when.",
        validators=[Optional(), Length(max=1000, message="Exception must be 1,000 characters or fewer")])
    submit = SubmitField("Save PA", widget=GovSubmitInput())

    def __init__(self, *args, lines=(), end_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids = [line.id for line in lines]
        self.line_id.choices = [(0, "Select a budget line")] + [(line.id, line.item) for line in lines]
        self.end_date = end_date
        self.rate_values: list[dict] = []
        self.pence: dict[str, int] = {"sleep_in_pence": 0, "accommodation_charge_pence": 0}
        self.sleep_ins_value = Decimal(0)

    def fill(self, pa=None) -> None:
        """Show a PA's details and rates; for a new PA, employed and paid from the first line offered."""
        if pa is None:
            self.employment_type.data = EmploymentType.EMPLOYED
            self.line_id.data = self.line_ids[0] if self.line_ids else 0
            self.pay_frequency.data = PayFrequency.WEEKLY
            self.pay_weekday.data = 4
            self.working_days.data = list("01234")
            return
        for name in PA_DETAILS:
            if hasattr(self, name):
                getattr(self, name).data = getattr(pa, name)
        self.working_days.data = list(pa.working_days)
        self.sleep_ins_per_week.data = f"{pa.sleep_ins_per_week.normalize():f}" if pa.sleep_ins_per_week else ""
        self.sleep_in_pay.data = pence_to_input(pa.sleep_in_pence) if pa.sleep_in_pence else ""
        self.accommodation_charge.data = pence_to_input(pa.accommodation_charge_pence) if pa.lives_in else ""
        for rate in pa.rates:
            if rate.kind in self.RATES:
                getattr(self, f"{rate.kind}_rate").data = pence_to_input(rate.hourly_pence)
                getattr(self, f"{rate.kind}_hours").data = f"{rate.hours_per_week.normalize():f}"

    def values(self) -> dict:
        """The PA's details (the rates are in rate_values); a relative's exception is kept only for relatives."""
        relative = bool(self.is_relative.data)
        return {"name": stripped(self.name), "phone": stripped(self.phone), "email": stripped(self.email),
                "date_of_birth": self.date_of_birth.data, "start_date": self.start_date.data,
                "employment_type": self.employment_type.data, "irregular_hours": bool(self.irregular_hours.data),
                "is_relative": relative, "relative_exception": stripped(self.relative_exception) if relative else "",
                "line_id": self.line_id.data, "pay_frequency": self.pay_frequency.data,
                "pay_weekday": self.pay_weekday.data, "working_days": "".join(sorted(self.working_days.data)),
                "sleep_ins_per_week": self.sleep_ins_value, "sleep_in_pence": self.pence["sleep_in_pence"],
                "apprentice_since": self.apprentice_since.data, "lives_in": bool(self.lives_in.data),
                "accommodation_charge_pence": self.pence["accommodation_charge_pence"] if self.lives_in.data else 0,
                "pension_enrolled_on": self.pension_enrolled_on.data,
                "pension_opted_out_on": self.pension_opted_out_on.data,
                "pension_postponed_until": self.pension_postponed_until.data}

    def _optional_pounds(self, field, key, what):
        text = (field.data or "").strip()
        self.pence[key] = 0
        if is_nothing(text):
            return
        try:
            self.pence[key] = parse_pounds(text, maximum_pence=1_000_00)
        except MoneyError as err:
            message = str(err)
            if message.startswith("Enter an amount"):
                message = f"Enter {what} in pounds and pence, like 12.50"
            raise ValidationError(message.replace("Amount", what[0].upper() + what[1:])) from None

    def validate_pay_weekday(self, field):
        if field.data not in range(7):
            raise ValidationError("Select the day they are paid")

    def validate_working_days(self, field):
        if any(day not in "0123456" or len(day) != 1 for day in field.data or []):
            raise ValidationError("Select the days they usually work")

    def validate_sleep_ins_per_week(self, field):
        text = (field.data or "").strip()
        self.sleep_ins_value = Decimal(0)
        if not text:
            return
        self.sleep_ins_value = parse_hours(text, "sleep-ins a week")
        if self.sleep_ins_value > 7:
            raise ValidationError("Sleep-ins a week must be 7 or fewer (one a night)")
        if self.sleep_ins_value != self.sleep_ins_value.quantize(Decimal("0.1")):
            raise ValidationError("Sleep-ins a week must be a number like 3 or 2.5")

    def validate_sleep_in_pay(self, field):
        self._optional_pounds(field, "sleep_in_pence", "the pay for each sleep-in")
        if self.sleep_ins_value and not self.pence["sleep_in_pence"]:
            raise ValidationError("Enter the pay for each sleep-in")

    def validate_apprentice_since(self, field):
        if field.data and self.date_of_birth.data and field.data < self.date_of_birth.data:
            raise ValidationError("The apprenticeship must start after their date of birth")

    def validate_accommodation_charge(self, field):
        self.pence["accommodation_charge_pence"] = 0
        if self.lives_in.data:
            self._optional_pounds(field, "accommodation_charge_pence", "the accommodation charge")

    def validate_pension_opted_out_on(self, field):
        if field.data and self.pension_enrolled_on.data and field.data < self.pension_enrolled_on.data:
            raise ValidationError("The date they opted out must be on or after the date they joined")

    def validate_pension_postponed_until(self, field):
        if not field.data or not self.start_date.data:
            return
        latest = max(add_months(self.start_date.data, POSTPONEMENT), add_months(today(), POSTPONEMENT))
        if field.data > latest:
            raise ValidationError(f"Enrolment can be postponed by up to {POSTPONEMENT} months: enter "
                                  f"{latest:%-d %B %Y} or earlier")

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
        for kind in self.RATES:
            label = RATE_KINDS[kind]
            rate_field, hours_field = getattr(self, f"{kind}_rate"), getattr(self, f"{kind}_hours")
            required = kind == RateKind.DAY
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
                hours = parse_hours(hours_field.data, f"{label.lower()} hours a week")
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
    care_duties_only = RadioField(
        "Are all your employees’ duties for the care and support of the person? (optional)", widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No, some work is for something else (a business, for example)")],
        validators=[Optional()],
        description="Asked once for you as an employer: the answer counts for each budget you hold")
    allowance_claimed = BooleanField("Employment Allowance is claimed this tax year", widget=GovCheckboxInput())
    submit = SubmitField("Save employer details", widget=GovSubmitInput())

    def validate_allowance_claimed(self, field):
        if field.data and self.care_duties_only.data != "yes":
            raise ValidationError("Employment Allowance can be claimed by an employer of care and support staff "
                                  "only if every employee’s duties are for the person’s care and support: answer "
                                  "that question yes, or untick the allowance")

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

    def fill(self, employer, allowance_claimed: bool) -> None:
        """Show the employer's details, if recorded, and this tax year's Employment Allowance claim."""
        self.allowance_claimed.data = allowance_claimed
        if employer is None:
            return
        for name in EMPLOYER_DETAILS:
            getattr(self, name).data = getattr(employer, name)
        if employer.care_duties_only is not None:
            self.care_duties_only.data = "yes" if employer.care_duties_only else "no"
        self.insurance_premium.data = pence_to_input(employer.insurance_premium_pence or None)
        self.payroll_fee.data = pence_to_input(employer.payroll_fee_pence_per_year or None)

    def values(self) -> dict:
        """The employer's details (the allowance claim is separate: it is per tax year)."""
        values = {name: getattr(self, name).data for name in EMPLOYER_DETAILS}
        for name in ("paye_reference", "insurer", "policy_number"):
            values[name] = stripped(getattr(self, name))
        values["insurance_covers_delegated_tasks"] = bool(self.insurance_covers_delegated_tasks.data)
        values["insurance_premium_pence"] = self.premium_pence
        values["payroll_fee_pence_per_year"] = self.payroll_pence
        values["care_duties_only"] = {"yes": True, "no": False}.get(self.care_duties_only.data)
        return values


class PayrollImportForm(FlaskForm):
    file = FileField("Payslip summary (CSV)", widget=GovFileInput(),
                     description="One row per PA per pay period, with columns: PA, Period start, Period end, Hours, "
                                 "Gross pay, Employer NI, Employee pension, Employer pension, Net pay, Date paid",
                     validators=[FileRequired(message="Select a CSV file")])
    submit = SubmitField("Import pay", widget=GovSubmitInput())


class VoidPayForm(FlaskForm):
    reason = reason_field("Why are you voiding this pay record?", "Enter why you are voiding this pay record",
                          "Its payments to the PA, HMRC and the pension are voided too")
    submit = SubmitField("Void pay record", widget=GovSubmitInput())


class RemoveForm(FlaskForm):
    """Removing a PA, check, training record, delegated task or absence entered by mistake."""
    reason = reason_field("Why are you removing it?", "Enter why you are removing it",
                          "For example, it was entered for the wrong person or twice. The reason is kept.")
    submit = SubmitField("Remove", widget=GovSubmitInput())


class RateForm(FlaskForm):
    valid_from = GovDateField("Valid from", what="the date the figure applies from")
    value = StringField("Figure", widget=GovTextInput())
    source = TextAreaField("Source", widget=GovTextArea(), description="Where the figure comes from",
                           validators=[DataRequired(message="Enter where the figure comes from"),
                                       Length(max=500)])
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def fill(self, row) -> None:
        self.valid_from.data, self.source.data = row.valid_from, row.source
        self.value.data = f"{Decimal(row.value).normalize():f}"

    def values(self) -> dict:
        return {"valid_from": self.valid_from.data, "value": self.decimal_value, "source": stripped(self.source)}

    def validate_value(self, field):
        text = (field.data or "").strip().replace(",", "")
        if self.unit.in_pence and ("£" in text or "." in text):
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
        if self.unit.in_pence and self.decimal_value != self.decimal_value.to_integral_value():
            raise ValidationError("Enter a whole number of pence")
