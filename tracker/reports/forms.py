"""Forms: the organisation's settings, a quarter's report settings, a plan upload."""
import re

from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.forms import Form, choices
from tracker.i18n import lazy as _l
from tracker.models import SIGNER_TITLES
from tracker.tasks.forms import DATE_FORMATS, strip

# "15-BC/BDVHU": a number, "-", then the symbol (letters, digits, "/", "-", ".").
# ASCII digits only, and \Z, not $ (which also matches before a final line feed).
NUMBER_PATTERN = re.compile(r"^[0-9]{1,5}-[0-9A-ZĐ][0-9A-ZĐ/.\-]*\Z")
CODE_PATTERN = re.compile(r"^[0-9A-ZĐ][0-9A-ZĐ/.\-]*\Z")
CODE_MAX, NUMBER_MAX = 30, 60


def _text(label, maximum, required_message=None, description=None):
    validators = [Length(max=maximum, message=_l("At most %(max)d characters."))]
    if required_message:
        validators.insert(0, DataRequired(required_message))
    return StringField(label, validators=validators, filters=[strip],
                       description=description)


def _area(label, maximum=20000, description=None):
    return TextAreaField(
        label,
        validators=[Length(max=maximum, message=_l("At most %(max)d characters."))],
        filters=[strip], description=description,
    )


def _number(value):
    """Tidy a typed number: drop "Số", colons and spaces; capitals."""
    if not isinstance(value, str):
        return value or ""
    value = re.sub(r"^\s*s[ốo]\s*:?\s*", "", value.strip(), flags=re.IGNORECASE)
    return value.replace(" ", "").upper()


class OrganisationForm(Form):
    """The body that issues the reports: names, code, place, defaults."""

    superior_body = _text(_l("Superior body"), 200, _l("Enter the superior body."),
                          _l("e.g. HUYỆN ỦY SƠN TỊNH"))
    issuing_body = _text(_l("Issuing body"), 200, _l("Enter the issuing body."),
                         _l("e.g. BAN DÂN VẬN"))
    issuer_code = _text(_l("Issuer code in document symbols"), 30,
                        _l("Enter the issuer code."),
                        _l("e.g. BDVHU, as in 15-BC/BDVHU"))
    place = _text(_l("Place written before the date"), 100, _l("Enter the place."),
                  _l("e.g. Sơn Tịnh"))
    unit_id = SelectField(_l("The board in the unit list"), coerce=int,
                          description=_l("Its own tasks are listed without naming the "
                                         "lead unit."))
    signer_name = _text(_l("Usual signer"), 200)
    recipients = _area(_l("Usual recipients (one per line)"), 5000)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = choices(
            [(0, _("— none —"))] + [(unit.id, unit.name) for unit in units]
        )

    def validate_issuer_code(self, field):
        """Accept capitals, digits, "/", "-" and "." only."""
        field.data = (field.data or "").upper()
        if field.data and not CODE_PATTERN.match(field.data):
            raise ValidationError(_("Use capital letters and digits, e.g. BDVHU."))
        # Capitals can be longer than what was typed ("ß" -> "SS").
        if len(field.data) > CODE_MAX:
            raise ValidationError(_("At most %(max)d characters.", max=CODE_MAX))

    def settings_data(self):
        """Return the fields as a dict for the report services."""
        data = {name: getattr(self, name).data for name in (
            "superior_body", "issuing_body", "issuer_code", "place", "signer_name",
            "recipients",
        )}
        data["unit_id"] = self.unit_id.data or None
        return data


class ReportForm(Form):
    """A quarter's report: number, date, signer, recipients and the written parts."""

    number = StringField(
        _l("Number and symbol"), filters=[_number],
        validators=[Length(max=60, message=_l("At most %(max)d characters."))],
        description=_l("e.g. 15-BC/BDVHU (without “Số”); a number below 10 gets its "
                       "leading zero."),
    )
    issued_on = DateField(_l("Date of the report"), format=DATE_FORMATS,
                          validators=[Optional()])
    place = _text(_l("Place"), 100)
    signer_name = _text(_l("Signer"), 200)
    signer_title = SelectField(_l("Signs as"), choices=choices(SIGNER_TITLES.items()))
    summary_line = _text(_l("Summary line under “BÁO CÁO”"), 500)
    recipients = _area(_l("Recipients (one per line)"), 5000)
    public_mood = _area(_l("The public's mood (section I)"))
    strengths = _area(_l("Strengths (section III.1)"))
    shortcomings = _area(_l("Shortcomings and their causes (section III.2)"))
    proposals = _area(_l("Proposals (section V, optional)"))
    lead_in = _area(_l("Opening paragraph"), 5000)

    def validate_number(self, field):
        """Require "number-symbol", e.g. 15-BC/BDVHU."""
        from tracker.reports.services import number_with_zero

        if field.data and not NUMBER_PATTERN.match(field.data):
            raise ValidationError(
                _("Write the number and symbol like 15-BC/BDVHU.")
            )
        # A number below 10 gains its leading zero when saved.
        if len(number_with_zero(field.data)) > NUMBER_MAX:
            raise ValidationError(_("At most %(max)d characters.", max=NUMBER_MAX))

    def report_data(self):
        """Return the fields as a dict for the report services."""
        from tracker.reports.services import REPORT_FIELDS, number_with_zero

        data = {name: getattr(self, name).data for name in REPORT_FIELDS}
        data["number"] = number_with_zero(data["number"])
        return data


PROPOSALS_MAX = 30  # rows a meeting's record holds
BLANK_PROPOSALS = 3  # empty rows offered for new proposals


class ProposalForm(Form):
    """One proposal raised at the briefing meeting and the body it goes to."""

    class Meta:
        csrf = False  # part of BriefingForm, whose token covers it

    addressee = _text(_l("Addressed to"), 200,
                      description=_l("e.g. Thường trực Huyện ủy"))
    text = _area(_l("Proposal"), 5000)

    def validate_text(self, field):
        """A proposal needs its text once it names whom it goes to."""
        if self.addressee.data and not field.data:
            raise ValidationError(_("Write the proposal, or clear whom it goes to."))


class BriefingForm(Form):
    """The quarter's briefing meeting: date, place, chair, attendees, proposals."""

    briefing_on = DateField(
        _l("Date of the meeting"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date of the meeting (dd/mm/yyyy)."))],
    )
    place = _text(_l("Place"), 200, description=_l("e.g. Hội trường Huyện ủy"))
    chair_name = _text(_l("Chaired by"), 200)
    chair_title = _text(_l("In the capacity of"), 200,
                        description=_l("e.g. Trưởng Ban Dân vận Huyện ủy"))
    attendees = _area(_l("Attended by"), 5000)
    proposals = FieldList(FormField(ProposalForm), max_entries=PROPOSALS_MAX)

    def validate_briefing_on(self, field):
        """Keep the date within a year of the quarter (a typing slip, not a plan)."""
        quarter = getattr(self, "quarter", None)
        if quarter is None or field.data is None:
            return
        import datetime as dt

        earliest = quarter.starts_on
        latest = quarter.ends_on + dt.timedelta(days=366)
        if not earliest <= field.data <= latest:
            raise ValidationError(_(
                "The meeting is held from %(start)s to a year after the quarter.",
                start=earliest.strftime("%d/%m/%Y")))

    def meeting_data(self):
        """Return the fields as a dict for the briefing services."""
        data = {name: getattr(self, name).data for name in (
            "briefing_on", "place", "chair_name", "chair_title", "attendees")}
        data["proposals"] = [
            (entry.form.addressee.data or "", entry.form.text.data or "")
            for entry in self.proposals
        ]
        return data


class ImportForm(Form):
    """The plan file to upload."""

    accepts_files = True

    file = FileField(
        _l("Plan file (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose the file to upload."))],
    )
    shift = BooleanField(
        _l("Shift dates to this quarter and reset statuses"),
        description=_l("For a workbook downloaded from another quarter: its dates "
                       "move to this quarter (31/03 becomes 30/06), every task "
                       "starts as not started, progress, results and completion "
                       "dates are cleared, and tasks already carried here are left "
                       "out."),
    )
