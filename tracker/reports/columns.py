"""The columns of a task list, shared by the exports, the template and the import.

One list keeps the workbook, the CSV, the template and the importer in step: what the
tracker writes it can read back. Headers are written in Vietnamese; the importer also
accepts the English header and the column's code.
"""
from dataclasses import dataclass

from flask_babel import force_locale

from tracker.i18n import lazy as _l
from tracker.text import fold


@dataclass(frozen=True)
class Column:
    """One column of a task list."""

    key: str
    label: object  # a lazy string: the English header, translated on use
    # text, int, date, bool, kind, status, unit, units, communes, timeliness
    type: str = "text"
    width: int = 14
    required: bool = False
    export_only: bool = False  # written by the exports, ignored by the importer
    max_length: int = None
    minimum: int = 0
    maximum: int = 1_000_000


COLUMNS = (
    Column("id", _l("Task ID"), "int", 9, export_only=True),
    Column("kind", _l("Kind of work"), "kind", 22, required=True),
    Column("title", _l("Title"), "text", 60, required=True, max_length=500),
    Column("lead_unit", _l("Lead unit"), "unit", 28, required=True),
    Column("co_lead", _l("Co-lead units"), "units", 28),
    Column("coordinating", _l("Coordinating units"), "units", 30),
    Column("participating", _l("Participating units"), "units", 30),
    # The task's scope: commune units, by name or short name.
    Column("scope", _l("Scope (communes)"), "communes", 26),
    Column("due_on", _l("Due date"), "date", 13),
    Column("status", _l("Status"), "status", 16),
    Column("progress", _l("Progress (%)"), "int", 10, maximum=100),
    Column("completed_on", _l("Completed on"), "date", 13),
    Column("timeliness", _l("Timeliness"), "timeliness", 24, export_only=True),
    # The cut-off the timeliness column is judged at: each export states it.
    Column("as_of", _l("Figures as of"), "date", 13, export_only=True),
    Column("result", _l("Result"), "text", 40, max_length=10000),
    Column("target_count", _l("Target (count)"), "int", 10),
    Column("achieved_count", _l("Achieved (count)"), "int", 10),
    Column("target_label", _l("Unit of count"), "text", 10, max_length=100),
    Column("source_document", _l("Source document"), "text", 26, max_length=300),
    Column("is_recurring", _l("Recurring / ongoing work"), "bool", 12),
    Column("description", _l("Description"), "text", 40, max_length=10000),
    Column("campaign_name", _l("Campaign name"), "text", 26, max_length=300),
    Column("organisation", _l("Organisation holding the congress"), "text", 26,
           max_length=300),
    Column("congress_ordinal", _l("Congress number (ordinal)"), "int", 10, minimum=1,
           maximum=100),
    Column("term_start", _l("Term from (year)"), "int", 10, minimum=1945, maximum=2100),
    Column("term_end", _l("Term to (year)"), "int", 10, minimum=1945, maximum=2100),
    Column("held_on", _l("Date held"), "date", 13),
    Column("delegates", _l("Delegates"), "int", 10),
    Column("audience", _l("Audience"), "text", 26, max_length=300),
    Column("sessions", _l("Sessions"), "int", 10, maximum=10_000),
    Column("trainees_planned", _l("Trainees planned"), "int", 10),
    Column("trainees_attended", _l("Trainees attended"), "int", 10),
    Column("chair", _l("Chaired by"), "text", 20, max_length=200),
    Column("commune", _l("Commune / unit"), "text", 20, max_length=200),
    Column("participants", _l("Participants"), "int", 10),
    Column("carried_from", _l("Carried over from"), "text", 14, export_only=True),
    # The file's quarter in a column of its own, not only in the file's name.
    Column("quarter", _l("Quarter"), "text", 12, export_only=True),
)
IMPORT_COLUMNS = tuple(column for column in COLUMNS if not column.export_only)
BY_KEY = {column.key: column for column in COLUMNS}


def header(column, locale="vi"):
    """Return the column's header in a language (Vietnamese unless told; None: the
    current language)."""
    if locale is None:
        return str(column.label)
    with force_locale(locale):
        return str(column.label)


def headers(columns, locale="vi"):
    """Return the headers of several columns in a language."""
    with force_locale(locale):
        return [str(column.label) for column in columns]


def header_lookup():
    """Return {folded header: column} accepting Vietnamese, English and the code."""
    lookup = {}
    for column in COLUMNS:
        for name in (header(column, "vi"), header(column, "en"), column.key):
            lookup.setdefault(fold(name).rstrip(" *:"), column)
    return lookup
