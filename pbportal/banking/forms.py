"""Forms for importing statements and matching their lines.

The matching forms sit on each line of the matching list, whose HTML is written by hand (ids carry the line's
id), so they have no widgets: the row shows their `row_errors`, each field's first message by name."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from wtforms import Field, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from ..budget.models import INCOME_SOURCES, BudgetLine
from ..forms import strip
from ..money import MoneyError, format_pence, parse_pounds
from .services import check_readable
from .statement_csv import MAX_BYTES, Layout, StatementError

MAX_PARTS = 8  # a payment split across at most this many budget lines


class UploadForm(FlaskForm):
    file = FileField("Bank statement (CSV, OFX, QIF or text)", widget=GovFileInput(),
                     description="The account’s transactions as the bank’s online banking exports them: CSV, "
                                 "OFX (sometimes called Money or Quicken format), QIF, or Santander’s text file. "
                                 "Up to 10 MB.")
    submit = SubmitField("Check the file", widget=GovSubmitInput())

    def validate_file(self, field):
        """A file chosen, that can be read as OFX or CSV at all (whether its rows make sense, the preview says);
        its bytes are then in `content`."""
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select a CSV file")
        self.content = field.data.stream.read(MAX_BYTES + 1)
        try:
            check_readable(self.content)
        except StatementError as err:
            raise ValidationError(str(err)) from None


class LayoutForm(FlaskForm):
    """Which of the file's columns (`header`) holds what."""

    date = SelectField("Date", widget=GovSelect(), validate_choice=False)
    description = SelectField("Description", widget=GovSelect(), validate_choice=False)
    amount = SelectField("Amount (one column, money out negative)", widget=GovSelect(), validate_choice=False)
    paid_out = SelectField("Paid out (if separate)", widget=GovSelect(), validate_choice=False)
    paid_in = SelectField("Paid in (if separate)", widget=GovSelect(), validate_choice=False)
    balance = SelectField("Balance (optional)", widget=GovSelect(), validate_choice=False)
    indicator = SelectField("Paid in or out (CR or DR, if the amount is never negative)", widget=GovSelect(),
                            validate_choice=False)
    submit = SubmitField("Use these columns", widget=GovSubmitInput())

    def __init__(self, *args, header=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.header = [name for name in header if name]
        choices = [("", "Not in this file")] + [(name, name) for name in self.header]
        for field in self.columns:
            field.choices = choices

    @property
    def columns(self):
        return (self.date, self.description, self.amount, self.paid_out, self.paid_in, self.balance, self.indicator)

    def preselect(self, layout: Layout) -> None:
        """Show a guess (or the layout remembered) chosen already, for the person to check."""
        for field in self.columns:
            value = getattr(layout, field.name, "")
            if value in self.header:
                field.data = value

    @property
    def layout(self) -> Layout:
        return Layout(self.date.data or "", self.description.data or "", self.amount.data or "",
                      self.paid_out.data or "", self.paid_in.data or "", self.balance.data or "",
                      self.indicator.data or "")

    def validate(self, extra_validators=None) -> bool:
        """A column for the date and for the description, and the amount in one column or two."""
        if not super().validate(extra_validators):
            return False
        strangers = [field for field in self.columns if field.data and field.data not in self.header]
        for field in strangers:  # a hand-made POST: only the file's own columns can be chosen
            field.errors.append(f"Choose one of the file’s columns for {field.label.text.split(' (')[0].lower()}")
        if strangers:
            return False
        problems = self.layout.problems()
        for name, problem in problems.items():
            self[name].errors.append(problem)
        return not problems


class _RowForm(FlaskForm):
    """A form on one statement line of the matching list."""

    @property
    def row_errors(self) -> dict[str, str]:
        return {name: messages[0] for name, messages in self.errors.items() if name != "csrf_token"}


class IncomeMatchForm(_RowForm):
    """Money in, recorded as one kind of money in."""

    target = StringField(default="", validators=[AnyOf(INCOME_SOURCES, message="Select where the money came from")])


class LineMatchForm(_RowForm):
    """A payment out, matched to one of `lines` (the plan's lines on the bank's date), with an optional payee."""

    target = StringField(default="")
    payee = StringField(default="", filters=[strip])

    def __init__(self, *args, lines: list[BudgetLine] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_lines = {str(line.id): line for line in lines}

    def validate_target(self, field):
        if field.data not in self.plan_lines:
            raise ValidationError("Select the budget line this payment was for")

    @property
    def chosen_line(self) -> BudgetLine:
        return self.plan_lines[self.target.data]


class _Every(Field):
    """Every value sent under the field's name, in order: a split sends a part_line and a part_amount per part."""

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class SplitForm(_RowForm):
    """A payment out split across budget lines: each part one of `lines` and an amount (a part left empty is
    skipped), at least two parts, adding up to the whole payment (`whole_pence`). Valid, `parts` holds them."""

    part_line = _Every()
    part_amount = _Every()
    payee = StringField(default="", filters=[strip])

    def __init__(self, *args, lines: list[BudgetLine] = (), whole_pence: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_lines = {str(line.id): line for line in lines}
        self.whole_pence = whole_pence
        self.parts: list[tuple[BudgetLine, int]] = []
        self.part_errors: dict[str, str] = {}

    @property
    def entered(self) -> list[tuple[str, str]]:
        """The parts as typed (a line id and an amount each), at most MAX_PARTS."""
        return list(zip(self.part_line.data[:MAX_PARTS], self.part_amount.data[:MAX_PARTS], strict=False))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        errors, parts = {}, []
        for index, (target, amount) in enumerate(self.entered):
            if not target and not amount.strip():
                continue
            if target not in self.plan_lines:
                errors[f"part-{index}-line"] = f"Select the budget line for part {index + 1}"
            try:
                pence = parse_pounds(amount)
            except MoneyError as err:
                errors[f"part-{index}-amount"] = f"Part {index + 1}: {err}"
                continue
            if target in self.plan_lines:
                parts.append((self.plan_lines[target], pence))
        total = sum(pence for _, pence in parts)
        if not errors and len(parts) < 2:
            errors["line"] = "Enter at least two parts, or match the whole payment to one line"
        if not errors and total != self.whole_pence:
            errors["line"] = (f"The parts add up to {format_pence(total)}: they must add up to "
                              f"{format_pence(self.whole_pence)}")
        self.parts, self.part_errors = parts, errors
        return not errors

    @property
    def row_errors(self) -> dict[str, str]:
        return super().row_errors | self.part_errors


class ReasonForm(_RowForm):
    """Why a line is set aside, or its match undone."""

    reason = StringField(default="", filters=[strip],
                         validators=[DataRequired(message="Enter a reason"),
                                     Length(max=500, message="Reason must be 500 characters or fewer")])
