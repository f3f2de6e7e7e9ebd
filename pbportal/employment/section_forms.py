"""The forms on a PA's page, one per section: checks, training, delegated tasks, pay and absences. Each gives
the values its section saves."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import GovDateField, PoundsField, check_past_and_in_plan_year
from ..money import MoneyError, is_nothing, parse_pounds
from ..timeutil import today
from .forms import parse_hours, stripped
from .models import ABSENCE_KINDS, CHECK_KINDS, DBS_LEVELS, AbsenceKind, CheckKind


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
        if self.kind.data == CheckKind.DBS and field.data not in DBS_LEVELS:
            raise ValidationError("Select the level of the DBS check")

    def values(self) -> dict:
        """The check; the DBS details only for a DBS check."""
        dbs = self.kind.data == CheckKind.DBS
        return {"kind": self.kind.data, "checked_on": self.checked_on.data, "expires_on": self.expires_on.data,
                "evidence": stripped(self.evidence), "dbs_level": self.dbs_level.data if dbs else "",
                "dbs_certificate": stripped(self.dbs_certificate) if dbs else "",
                "dbs_update_service": bool(self.dbs_update_service.data) if dbs else False}


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

    def values(self) -> dict:
        return {"course": stripped(self.course), "completed_on": self.completed_on.data,
                "expires_on": self.expires_on.data, "cost_pence": self.cost_pence}


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

    def values(self) -> dict:
        return {"task": stripped(self.task), "practitioner": stripped(self.practitioner),
                "practitioner_registration": stripped(self.practitioner_registration),
                "trained_on": self.trained_on.data, "signed_off_by": stripped(self.signed_off_by),
                "signed_off_on": self.signed_off_on.data, "review_on": self.review_on.data}


class PayForm(FlaskForm):
    period_start = GovDateField("Pay period start", what="the start of the pay period")
    period_end = GovDateField("Pay period end", what="the end of the pay period")
    hours = StringField("Hours awake and working", widget=GovTextInput(),
                        description="Leave out time asleep on sleep-ins, holiday and sick days")
    sleep_ins = StringField("Sleep-ins (optional)", widget=GovTextInput(),
                            description="Nights the PA slept in, on call. Time asleep is not working time for the "
                                        "minimum wage")
    sleep_in_pay = StringField("Pay for the sleep-ins (optional)", widget=GovTextInput(),
                               description="Included in the gross pay. Enter 0 if none")
    holiday_pay = StringField("Holiday pay (optional)", widget=GovTextInput(),
                              description="Included in the gross pay. Enter 0 if none")
    holiday_rolled_up = BooleanField("This is rolled-up holiday pay, paid with each pay (irregular hours only; "
                                     "shown apart on the payslip)", widget=GovCheckboxInput())
    ssp = StringField("Statutory Sick Pay (optional)", widget=GovTextInput(),
                      description="Included in the gross pay. Enter 0 if none")
    gross = PoundsField("Gross pay", what="the gross pay")
    employer_ni = StringField("Employer National Insurance", widget=GovTextInput(), description="Enter 0 if none")
    employee_pension = StringField("Employee pension contribution (deducted from pay)", widget=GovTextInput(),
                                   description="Enter 0 if none")
    employer_pension = StringField("Employer pension contribution", widget=GovTextInput(),
                                   description="Enter 0 if none")
    net = PoundsField("Net pay (paid to the PA)", what="the net pay")
    paid_on = GovDateField("Date paid", what="the date the pay was paid")
    submit = SubmitField("Record pay", widget=GovSubmitInput())

    def __init__(self, *args, plan_year=None, irregular_hours: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.irregular_hours = irregular_hours
        self.pence: dict[str, int] = {}
        self.sleep_ins_value = 0

    def validate_hours(self, field):
        self.hours_value = parse_hours(field.data, "hours awake and working")
        if self.hours_value is not None and self.hours_value > 744:
            raise ValidationError("Hours awake and working must be 744 or fewer (a month of every hour)")

    def validate_sleep_ins(self, field):
        text = (field.data or "").strip()
        if not text or text == "0":
            self.sleep_ins_value = 0
            return
        if not text.isdigit():
            raise ValidationError("Sleep-ins must be a whole number, like 3")
        self.sleep_ins_value = int(text)
        if self.sleep_ins_value > 31:
            raise ValidationError("Sleep-ins must be 31 or fewer (one a night)")

    def validate_sleep_in_pay(self, field):
        self._optional_pounds(field, "sleep_in_pence")
        if self.pence["sleep_in_pence"] and not self.sleep_ins_value and not self.sleep_ins.errors:
            raise ValidationError("Enter how many sleep-ins this pay is for")

    def validate_holiday_pay(self, field):
        self._optional_pounds(field, "holiday_pay_pence")

    def validate_holiday_rolled_up(self, field):
        if not self.irregular_hours:
            field.data = False  # not offered: rolled-up holiday pay is lawful only for irregular-hours workers
        if field.data and not self.pence.get("holiday_pay_pence") and not self.holiday_pay.errors:
            raise ValidationError("Enter the rolled-up holiday pay included in the gross pay")

    def validate_ssp(self, field):
        self._optional_pounds(field, "ssp_pence")
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

    def validate_gross(self, field):
        parts = sum(self.pence.get(k, 0) for k in ("sleep_in_pence", "holiday_pay_pence", "ssp_pence"))
        if self.gross.pence and parts > self.gross.pence:
            raise ValidationError("Gross pay must include the sleep-in pay, holiday pay and sick pay, so it cannot "
                                  "be less than they add up to")

    def validate_net(self, field):
        if self.net.pence and self.gross.pence and self.net.pence > self.gross.pence:
            raise ValidationError("Net pay cannot be more than gross pay")
        employee_pension = self.pence.get("employee_pension_pence", 0)
        if self.net.pence and self.gross.pence and self.net.pence + employee_pension > self.gross.pence:
            raise ValidationError("Net pay and the employee’s pension contribution cannot add up to more than "
                                  "gross pay")

    def values(self) -> dict:
        return {"period_start": self.period_start.data, "period_end": self.period_end.data, "hours": self.hours_value,
                "gross_pence": self.gross.pence, "net_pence": self.net.pence, "paid_on": self.paid_on.data,
                "sleep_ins": self.sleep_ins_value, "holiday_rolled_up": bool(self.holiday_rolled_up.data),
                **self.pence}


class AbsenceForm(FlaskForm):
    kind = RadioField("Holiday or sick?", widget=GovRadioInput(), choices=list(ABSENCE_KINDS.items()),
                      validators=[DataRequired(message="Select holiday or sick")])
    start_date = GovDateField("First day", what="the first day")
    end_date = GovDateField("Last day", what="the last day")
    hours = StringField("Holiday hours taken (optional)", widget=GovTextInput(),
                        description="For holiday only. Leave blank to count their usual hours on their working days")
    note = TextAreaField("Note (optional)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=500, message="Note must be 500 characters or fewer")])
    submit = SubmitField("Add absence", widget=GovSubmitInput())

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The last day must be on or after the first day")
        if field.data and self.start_date.data and (field.data - self.start_date.data).days > 366:
            raise ValidationError("An absence must be a year or shorter: add a longer one in parts")

    def validate_hours(self, field):
        self.hours_value = None
        if (field.data or "").strip() and self.kind.data == AbsenceKind.HOLIDAY:
            self.hours_value = parse_hours(field.data, "holiday hours taken")
            if self.hours_value > 2000:
                raise ValidationError("Holiday hours taken must be 2,000 or fewer")

    def values(self) -> dict:
        return {"kind": self.kind.data, "start_date": self.start_date.data, "end_date": self.end_date.data,
                "note": stripped(self.note), "hours": self.hours_value}
