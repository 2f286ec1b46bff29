"""The briefing report's settings, its content, and the print view's picture.

Everything here reads or flushes; views commit. The content is assembled once, as plain
data, and the .docx writer only lays it out.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.figures.services import codes, compute, share_codes, stage
from tracker.i18n import lazy as _l
from tracker.models import (
    Organisation,
    Quarter,
    QuarterReport,
    TaskUpdate,
)
from tracker.models.audit import record
from tracker.models.unit import GROUP
from tracker.quarters.rollover import continuations, needs_decision
from tracker.quarters.services import find_quarter
from tracker.reports import briefing, phrases, starting
from tracker.tasks.kinds import AREAS, kind_of
from tracker.tasks.rows import unit_rows as read_units
from tracker.tasks.timeliness import DONE_CLASSES
from tracker.text import fold, to_roman

ORGANISATION_FIELDS = (
    "superior_body", "issuing_body", "issuer_code", "place", "unit_id", "signer_name",
    "recipients",
)
REPORT_FIELDS = (
    "number", "issued_on", "place", "signer_name", "signer_title", "recipients",
    "summary_line", "public_mood", "strengths", "shortcomings", "proposals",
    "lead_in",
)
SIGNATURE_LINES = {
    "head": ("TRƯỞNG BAN",),
    "deputy": ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
}

def _area(task):
    """Return the report area of a task: "Dân vận khéo" movements have their own."""
    if task.kind == "movement" and "dan van kheo" in fold(
        f"{task.campaign_name} {task.title}"
    ):
        return "skilful"
    return kind_of(task.kind).area


# ---- settings -------------------------------------------------------------------


def get_organisation():
    """Return the organisation's settings row, or an unsaved empty one."""
    row = db.session.scalar(
        select(Organisation).order_by(Organisation.id).limit(1)
    )
    if row is None:
        row = Organisation(
            superior_body="", issuing_body="", issuer_code="", place="", unit_id=None,
            signer_name="", recipients="",
        )
    return row


def save_organisation(data, user):
    """Store the organisation's settings and return the row."""
    row = get_organisation()
    changed = sorted(
        name for name in ORGANISATION_FIELDS
        if name in data and getattr(row, name) != data[name]
    )
    for name in ORGANISATION_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    if row.id is None:
        db.session.add(row)
    db.session.flush()
    if changed:
        record(row, "updated", user, changes={"fields": changed})
    return row


def get_report(quarter):
    """Return the quarter's saved report settings, or None."""
    return db.session.scalar(
        select(QuarterReport).where(QuarterReport.quarter_id == quarter.id)
    )


def default_number(org):
    """Return the number and symbol to start from: "-BC/BDVHU" waits for the number."""
    return f"-BC/{org.issuer_code}" if org.issuer_code else ""


def report_defaults(quarter, org):
    """Return the settings a quarter's report starts from before staff change them."""
    next_year, next_number = quarter.next_key()
    return dict(
        number="",
        issued_on=quarter.briefing_on or quarter.ends_on,
        place=org.place,
        signer_name=org.signer_name,
        signer_title="head",
        recipients=org.recipients,
        summary_line=phrases.summary_line(
            quarter.year, quarter.number, next_year, next_number
        ),
        public_mood="", strengths="", shortcomings="", proposals="", lead_in="",
    )


def report_settings(quarter, org):
    """Return the saved settings, or an unsaved row holding the defaults."""
    saved = get_report(quarter)
    if saved is not None:
        return saved
    return QuarterReport(quarter_id=quarter.id, **report_defaults(quarter, org))


def report_date(quarter, settings):
    """Return the date the report carries: the form's date, else the briefing's, else
    the quarter's last day."""
    return settings.issued_on or quarter.briefing_on or quarter.ends_on


def download_cutoff(quarter, as_of=None, settings=None):
    """Return the cut-off of the quarter's downloads.

    A closed quarter is judged at the day after its last day; an open one as of the
    date asked for, else the report's date (the date its .docx prints).
    """
    if quarter.is_closed:
        return quarter.closed_cutoff
    if as_of is not None:
        return as_of
    if settings is None:
        settings = report_settings(quarter, get_organisation())
    return report_date(quarter, settings)


# What a final report needs, with the report form's field that holds it.
REQUIRED_PARTS = (
    ("number", _l("The report's number")),
    ("signer_name", _l("The signer")),
    ("place", _l("The place written before the date")),
)


def missing_parts(quarter, org, settings):
    """Return [(field, label)] of what the report still lacks; "organisation" names
    the issuing body's settings. While anything is missing the report is a draft."""
    missing = []
    if not org.is_complete:
        missing.append(("organisation", _l("The issuing body's names and code")))
    # The written parts (sections I, III, V and the lead-in) are never missing: left
    # empty they print their starting text.
    values = dict(
        number=number_with_zero(settings.number),
        signer_name=settings.signer_name or org.signer_name,
        place=settings.place or org.place,
    )
    for name, label in REQUIRED_PARTS:
        value = values[name]
        if not value:
            missing.append((name, label))
    return missing


def save_report(quarter, data, user):
    """Store the quarter's report settings, noting what changed in the audit log."""
    row = get_report(quarter)
    if row is None:
        row = QuarterReport(quarter_id=quarter.id)
        db.session.add(row)
        changed = sorted(name for name in REPORT_FIELDS if data.get(name))
    else:
        changed = sorted(
            name for name in REPORT_FIELDS
            if name in data and getattr(row, name) != data[name]
        )
    for name in REPORT_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    row.updated_by = user if getattr(user, "is_authenticated", False) else None
    db.session.flush()
    if changed:
        record(quarter, "report", user, changes={"fields": changed})
    return row


def number_with_zero(text):
    """Give a document number below 10 its leading zero: "5-BC/X" -> "05-BC/X"."""
    text = (text or "").strip()
    head, dash, rest = text.partition("-")
    if dash and head.isdigit() and len(head) == 1:
        return f"0{head}-{rest}"
    return text


# ---- the report's content -----------------------------------------------------------


@dataclass
class Block:
    """One piece of a section: a sub-heading, a paragraph, an item, a table."""

    kind: str  # "heading", "para", "item", "table"
    text: str = ""
    rows: list = field(default_factory=list)


@dataclass
class Section:
    """A numbered section of the report (I., II., …)."""

    title: str
    blocks: list


@dataclass
class Report:
    """Everything the briefing report prints, in Vietnamese."""

    quarter: object
    org: object
    settings: object
    figures: dict
    cutoff: object
    missing: list
    superior_body: str
    issuing_body: str
    number_line: str
    date_line: str
    title: str
    summary_line: str
    lead_in: str
    sections: list
    recipients: list
    signature_titles: tuple
    signer_name: str

    @property
    def is_draft(self):
        """Tell whether something the report needs is still missing."""
        return bool(self.missing)

    @property
    def filename(self):
        """Return the download name, e.g. "bao-cao-2023-Q1.docx"."""
        return f"bao-cao-{self.quarter.key}.docx"


def load_tasks(quarter, units=None):
    """Return the quarter's tasks (not archived) in plan order, as plain read-only rows
    with every column, their lead unit and their unit links (tracker.tasks.rows).

    units ({id: unit row}) are read when not given.
    """
    if quarter is None:
        return []
    from tracker.tasks.rows import export_rows

    return list(export_rows(quarter, units))


def latest_notes(tasks):
    """Return {task id: the newest note written about the whole task} in one statement.

    A unit's note on its own share is that unit's, never the task's: shares are
    reported with their units (share_clause).
    """
    ids = [task.id for task in tasks]
    if not ids:
        return {}
    newest = (
        select(func.max(TaskUpdate.id))
        .where(
            TaskUpdate.task_id.in_(ids),
            TaskUpdate.action == "progress",
            TaskUpdate.note != "",
        )
        .group_by(TaskUpdate.task_id)
    )
    rows = db.session.execute(
        select(TaskUpdate.task_id, TaskUpdate.note).where(TaskUpdate.id.in_(newest))
    )
    return dict(rows.all())


def _note_for(task, notes):
    """Return what follows a task's sentence: its result, or where open work stands."""
    if task.result:
        return task.result
    if task.status in ("done", "cancelled"):
        return ""
    return notes.get(task.id, "")


def next_quarter_plan(quarter, tasks, next_quarter, next_tasks, later):
    """Return (carried, new): the next quarter's tasks as (task, due shown) pairs.

    Carried work is what Q+1 already holds from Q, plus what is still open in Q and
    would carry when Q closes (recurring work included).
    """
    own_ids = {task.id for task in tasks}
    if next_quarter is None:
        next_quarter = Quarter(year=quarter.next_key()[0], number=quarter.next_key()[1])
    next_end = next_quarter.ends_on
    carried, new = [], []
    for task in next_tasks:
        due = task.due_on if task.due_on and task.due_on != next_end else None
        if task.carried_from_id in own_ids:
            carried.append((task, due))
        else:
            new.append((task, due))
    for task in tasks:
        if task.id in later or task.closing_reason or not needs_decision(task):
            continue
        due = task.due_on if task.due_on and task.due_on > quarter.ends_on else None
        carried.append((task, due))
    return carried, new


def _lead_note(task, org):
    """Return who does a planned task, unless the issuing board does it alone."""
    if (org.unit_id is not None and task.lead_unit_id == org.unit_id
            and not task.co_lead_units):
        return None
    return phrases.task_doers(task).text


def share_clause(task, shares):
    """Return which units completed their share of the task and which did not.

    shares is {(task id, unit id): timeliness code} at the report's cut-off. Each
    unfinished unit's own note follows, as that unit's.
    """
    links = task.participants_links
    if not links or task.status == "cancelled":
        return ""
    noun, names = phrases.unit_group([link.unit.name for link in links])
    done, pending = 0, []
    for link, name in zip(links, names):
        if shares.get((task.id, link.unit_id)) in DONE_CLASSES:
            done += 1
        else:
            pending.append((name, link.share_note))
    return phrases.shares_sentence(done, len(links), noun, pending)


def _results_section(quarter, tasks, figures, cutoff, notes, carried, meeting=None,
                     meeting_task=None):
    """Return section II: results by area as sentences, the figures, the unit table.

    Unfinished work is reported once, in its area, with what remains and the quarter
    it goes on in; section IV then lists it among the next quarter's tasks.
    """
    classes, shares = codes(figures), share_codes(figures)
    petitions = {entry["id"]: entry.get("petitions") for entry in figures["tasks"]}
    models = {entry["id"]: entry.get("models") for entry in figures["tasks"]}
    carrying = {task.id for task, _ in carried if task.quarter_id == quarter.id}
    next_words = phrases.quarter_words(*quarter.next_key())
    chaired = ""
    if meeting is not None and meeting.chair_name:
        chaired = f"đồng chí {meeting.chair_name}"
        if meeting.chair_title:
            chaired += f", {meeting.chair_title}"
    by_area = {}
    for task in tasks:
        by_area.setdefault(_area(task), []).append(task)
    origin = quarter.previous_key()
    blocks = []
    number = 0
    for area, heading in AREAS:
        items = by_area.get(area, [])
        if not items:
            continue
        number += 1
        blocks.append(Block("heading", f"{number}. {heading}"))
        for task in items:
            is_briefing = meeting_task is not None and task.id == meeting_task.id
            blocks.append(Block("item", phrases.result_sentence(
                task, cutoff, _note_for(task, notes),
                origin=origin if task.carried_from_id else None,
                code=classes[task.id], shares=share_clause(task, shares),
                petitions=petitions.get(task.id), models=models.get(task.id),
                lead=phrases.task_doers(task),
                year=quarter.year,
                carries_to=next_words if task.id in carrying else "",
                chaired=chaired if is_briefing else "",
            )))
    if not tasks:
        blocks.append(Block("para", "Trong quý không có nhiệm vụ nào được giao."))
    number += 1
    # The cut-off the figures are judged at: for a closed quarter the day after its
    # last day, which its date line (the signing day) need not be.
    blocks.append(Block("heading", f"{number}. Kết quả chung (số liệu tính đến ngày "
                                   f"{phrases.date(cutoff)})"))
    for text in phrases.figures_paragraphs(figures):
        blocks.append(Block("para", text))
    if figures["units"]:
        blocks.append(Block(
            "para", "Kết quả thực hiện nhiệm vụ theo đơn vị (nhiệm vụ chủ trì và phần "
            "việc được giao):"))
        blocks.append(Block("table", rows=unit_rows(figures)))
    return blocks


UNIT_TABLE_HEADER = (
    "TT", "Đơn vị", "Chủ trì", "Phần việc", "Phối hợp", "Đã hoàn thành",
    "Quá hạn chưa hoàn thành", "Tỷ lệ hoàn thành",
)


def unit_rows(figures):
    """Return the per-unit table: a header row, then one row per unit that leads
    tasks or takes shares (coordinating alone is not scored)."""
    rows = [UNIT_TABLE_HEADER]
    scored = [unit for unit in figures["units"] if unit["led"] or unit["shares"]]
    for index, unit in enumerate(scored, start=1):
        rows.append((
            str(index), unit["name"], phrases.number(unit["led"]),
            phrases.number(unit["shares"]), phrases.number(unit["coordinated"]),
            phrases.number(unit["done"]), phrases.number(unit["overdue"]),
            phrases.percent(unit["rate"]) or "–",
        ))
    return rows


def _plan_section(quarter, org, carried, new):
    """Return section IV's blocks: the next quarter's tasks by area, as section II
    groups them, carried work first within each."""
    origin = (quarter.year, quarter.number)
    by_area = {}
    for task, due in carried:
        by_area.setdefault(_area(task), []).append(phrases.plan_sentence(
            task, carried=True, origin=origin, due_on=due, who=_lead_note(task, org)))
    for task, due in new:
        by_area.setdefault(_area(task), []).append(phrases.plan_sentence(
            task, due_on=due, who=_lead_note(task, org)))
    blocks = []
    number = 0
    for area, heading in AREAS:
        items = by_area.get(area)
        if not items:
            continue
        number += 1
        blocks.append(Block("heading", f"{number}. {heading}"))
        blocks.extend(Block("item", text) for text in items)
    if not blocks:
        blocks.append(Block("para", "Chưa có nhiệm vụ nào của quý tới."))
    return blocks


def _text_blocks(text):
    return [Block("para", paragraph) for paragraph in phrases.text_paragraphs(text)]


WRITTEN_PARTS = ("lead_in", "public_mood", "strengths", "shortcomings", "proposals")


def starting_texts(quarter, org, settings, figures, meeting=None):
    """Return {part: its starting text}, built from the quarter's data and figures."""
    summary = settings.summary_line or report_defaults(quarter, org)["summary_line"]
    return dict(
        lead_in=starting.lead_in(quarter, org, summary),
        public_mood=starting.public_mood(quarter, figures),
        strengths=starting.strengths(quarter, figures, org),
        shortcomings=starting.shortcomings(quarter, figures),
        proposals=starting.proposals(figures, briefing.proposal_rows(meeting)),
    )


def written_texts(quarter, org, settings, figures, meeting=None):
    """Return {part: the text the report prints}: what staff stored, else the
    starting text (an empty stored text means the starting one)."""
    starts = starting_texts(quarter, org, settings, figures, meeting)
    return {
        name: (getattr(settings, name, "") or "").strip() or starts[name]
        for name in WRITTEN_PARTS
    }


def recipient_lines(text, org):
    """Return the "Nơi nhận" lines, each starting with "- ", ending with "Lưu …"."""
    lines = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        lines.append(line if line.startswith(("-", "+")) else f"- {line}")
    if not any("lưu" in line.lower() for line in lines) and org.issuer_code:
        lines.append(f"- Lưu {org.issuer_code}.")
    return lines


def quarter_starting_texts(quarter, org, settings, as_of=None):
    """Return the starting texts of the quarter's written parts at the downloads'
    cut-off, from the one source of figures (for the settings page)."""
    units = read_units()
    tasks = load_tasks(quarter, units)
    figures = compute(quarter, tasks, download_cutoff(quarter, as_of, settings),
                      units=units)
    meeting = briefing.get_meeting(quarter)
    return starting_texts(quarter, org, settings, figures, meeting)


def build_report(quarter, as_of=None):
    """Assemble the quarter's briefing report from its settings, tasks and figures.

    An open quarter's report is judged at its cut-off (as_of, else the report's
    date) and is dated that day; a closed quarter's at the day after its last day.
    """
    org = get_organisation()
    settings = report_settings(quarter, org)
    units = read_units()
    tasks = load_tasks(quarter, units)
    cutoff = download_cutoff(quarter, as_of, settings)
    figures = compute(quarter, tasks, cutoff, units=units)
    notes = latest_notes(tasks)
    next_quarter = find_quarter(*quarter.next_key())
    next_tasks = load_tasks(next_quarter, units)
    later = continuations(tasks)
    carried, new = next_quarter_plan(quarter, tasks, next_quarter, next_tasks, later)
    next_words = phrases.quarter_words(*quarter.next_key())
    meeting = briefing.get_meeting(quarter)
    texts = written_texts(quarter, org, settings, figures, meeting)

    sections = [
        Section("TÌNH HÌNH NHÂN DÂN", _text_blocks(texts["public_mood"])),
        Section("KẾT QUẢ THỰC HIỆN NHIỆM VỤ", _results_section(
            quarter, tasks, figures, cutoff, notes, carried, meeting,
            briefing.meeting_task(quarter),
        )),
        Section("ĐÁNH GIÁ CHUNG", [
            Block("heading", "1. Ưu điểm"),
            *_text_blocks(texts["strengths"]),
            Block("heading", "2. Hạn chế, nguyên nhân"),
            *_text_blocks(texts["shortcomings"]),
        ]),
        Section(f"PHƯƠNG HƯỚNG, NHIỆM VỤ {next_words.upper()}", _plan_section(
            quarter, org, carried, new
        )),
    ]
    if phrases.text_paragraphs(texts["proposals"]):
        sections.append(Section("ĐỀ XUẤT, KIẾN NGHỊ", _text_blocks(texts["proposals"])))
    for index, section in enumerate(sections, start=1):
        section.title = f"{to_roman(index)}. {section.title}"

    number = number_with_zero(settings.number) or default_number(org)
    issued_on = report_date(quarter, settings) if quarter.is_closed else cutoff
    return Report(
        quarter=quarter, org=org, settings=settings, figures=figures, cutoff=cutoff,
        missing=missing_parts(quarter, org, settings),
        superior_body=org.superior_body.upper(),
        issuing_body=org.issuing_body.upper(),
        number_line=f"Số {number}" if number else "Số",
        date_line=phrases.header_date(settings.place or org.place, issued_on),
        title="BÁO CÁO",
        summary_line=settings.summary_line or report_defaults(quarter, org)[
            "summary_line"],
        lead_in=" ".join(texts["lead_in"].split()),
        sections=sections,
        recipients=recipient_lines(settings.recipients or org.recipients, org),
        signature_titles=SIGNATURE_LINES.get(settings.signer_title, ("TRƯỞNG BAN",)),
        signer_name=settings.signer_name or org.signer_name,
    )


# ---- the print view --------------------------------------------------------------

PRINT_COLUMNS = ("done", "in_progress", "not_started")


def _print_leads(task):
    """Return the units whose rows list a task as led: the lead and its co-leads.

    A group leads through its members, whose share rows carry the work (its name
    marks them): it has no row of its own unless none of its members took a share.
    An outside body has no members and keeps its row.
    """
    via = {link.via_group_id for link in task.participants_links}
    leads = [(task.lead_unit, False)] + [
        (unit, True) for unit in task.co_lead_units]
    return [(unit, co_lead) for unit, co_lead in leads
            if unit is not None and not (unit.kind == GROUP and unit.id in via)]


def print_view(quarter, as_of=None):
    """Return each unit's tasks split into done / in progress / not started.

    A unit's row holds the tasks it leads or co-leads, and its own share of shared
    tasks, each where it stood at the cut-off; stopped work is only counted. A
    group's work is in its members' rows, each share marked with the group's name,
    so that every scored unit's row counts what the figures' scorecard counts.
    """
    units = read_units()
    tasks = load_tasks(quarter, units)
    cutoff = download_cutoff(quarter, as_of)
    figures = compute(quarter, tasks, cutoff, units=units)
    classes, shares = codes(figures), share_codes(figures)
    rows = {}

    def row_for(unit):
        return rows.setdefault(unit.id, dict(
            unit=unit, done=[], in_progress=[], not_started=[],
        ))

    for task in tasks:
        code = classes[task.id]
        column = stage(code, task.status)
        if column == "cancelled":
            continue
        coordinating = [unit.name for unit in task.coordinating_units]
        leads = [unit.name for unit in task.lead_units if unit is not None]
        who = phrases.doers_note(leads, coordinating) if (
            len(leads) > 1 or coordinating) else ""
        for unit, co_lead in _print_leads(task):
            row_for(unit)[column].append(dict(
                task=task, share=None, code=code, co_lead=co_lead, who=who))
        units = {unit.id: unit for unit in task.lead_units if unit is not None}
        units.update((link.unit_id, link.unit) for link in task.unit_links)
        for link in task.participants_links:
            share_code = shares[(task.id, link.unit_id)]
            group = units.get(link.via_group_id)
            row_for(link.unit)[stage(share_code, link.share_status)].append(dict(
                task=task, share=link, code=share_code, co_lead=False, who="",
                group=group.name if group is not None else ""))
    ordered = sorted(
        rows.values(), key=lambda row: (row["unit"].sort_order, row["unit"].name)
    )
    # The meeting and section V as the report prints them (one builder for both).
    org = get_organisation()
    meeting = briefing.get_meeting(quarter)
    texts = written_texts(quarter, org, report_settings(quarter, org), figures,
                          meeting)
    return dict(quarter=quarter, cutoff=cutoff, rows=ordered,
                cancelled=figures["cancelled"], total=figures["total"],
                figures=figures, meeting=meeting,
                proposals=phrases.text_paragraphs(texts["proposals"]))
