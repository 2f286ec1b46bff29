"""Who may do what: the one place the views (and the templates, through them) ask.

Roles, from least to most:

- viewer: reads everything, changes nothing (but may take part in a task's
  discussion, as anyone who sees the task may);
- staff: creates tasks in open quarters; edits and reports progress on the tasks their
  units lead or coordinate (including recording participating units' shares); staff of
  a participating unit report only their own unit's share, not the whole task. The
  board's own staff (of its unit of kind "party_board", the Ban Dân vận itself) enter
  results for units that do not use the tracker: they answer for every task of their
  board, and what they report for another unit is recorded as on its behalf. The
  forms, the plan import and the API ask the same question (may_report_for);
- leader: everything staff can, on every task, plus opening quarters and moving them
  between planning and in progress, closing and approving quarters, and writing
  directions (ý kiến chỉ đạo) on any task;
- admin: everything a leader can, plus users, units, the audit log and reopening a
  closed quarter.

Roles are per board (tracker.boards.access): a user's role in the request's board,
"viewer" in the boards below theirs; installation administrators also manage boards.

Every predicate takes the user first and the object it is about second, answers for
anonymous users too, and never queries: it reads what the caller has loaded.
A closed quarter is read-only for everyone; an archived task is read-only until it is
restored.
"""

STAFF_ROLES = ("staff", "leader", "admin")
LEADER_ROLES = ("leader", "admin")


def _role(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    # The role in the request's board (tracker.boards.access sets it); outside a
    # request, the role in the user's home board.
    return getattr(user, "board_role", user.role)


def is_admin(user):
    """Tell whether the user is an active administrator."""
    return _role(user) == "admin"


def is_leader(user):
    """Tell whether the user has a leader's powers (leaders and administrators)."""
    return _role(user) in LEADER_ROLES


def can_change_data(user):
    """Tell whether the user may change anything at all (viewers may not)."""
    return _role(user) in STAFF_ROLES


def can_view(user, obj=None):
    """Tell whether the user may read the object (every signed-in user may)."""
    return _role(user) is not None


def unit_ids(user):
    """Return the ids of the units the user works for."""
    if _role(user) is None:
        return set()
    return {unit.id for unit in user.units}


ANSWERING_ROLES = ("co_lead", "coordinating")


def responsible_unit_ids(task):
    """Return the ids of the units answerable for the whole task.

    The lead, its co-leads (đồng chủ trì) and the coordinating units, a coordinating
    group's members among them; a lead group's members answer for their shares.
    """
    ids = {task.lead_unit_id}
    ids.update(link.unit_id for link in task.unit_links
               if link.role in ANSWERING_ROLES)
    return ids


def _is_open(task):
    return not task.quarter.is_closed


# The kind of unit that is the board itself (tracker.models.unit.UNIT_KINDS).
BOARD_UNIT_KIND = "party_board"


def is_board_staff(user, board_id):
    """Tell whether the user is staff of the board's own unit (the Ban Dân vận)."""
    return can_change_data(user) and any(
        unit.kind == BOARD_UNIT_KIND and unit.board_id == board_id
        for unit in user.units
    )


def may_report_for(user, board_id, units):
    """Tell whether the user may report on work of the board the units answer for.

    The one rule of who reports, asked by the forms, the plan import and the API:
    leaders and the board's own staff report on any of the board's work; other staff
    on what their units lead or coordinate (units: those units' ids).
    """
    if is_leader(user) or is_board_staff(user, board_id):
        return True
    return can_change_data(user) and bool(unit_ids(user) & set(units))


def reports_on_behalf(user, task):
    """Return the unit the user reports for when none of theirs answers for the task.

    A leader or the board's staff entering a result for a unit (a commune, a mass
    organisation) is recorded as reporting on behalf of the task's lead unit; None
    when the user works for the lead or a coordinating unit.
    """
    if unit_ids(user) & responsible_unit_ids(task):
        return None
    return task.lead_unit


def _answers_for(user, task):
    """Tell whether the user may change and report on the whole task."""
    return may_report_for(user, task.quarter.board_id, responsible_unit_ids(task))


def why_no_report(user, task):
    """Return why the user may not report on the task, or None if they may."""
    from flask_babel import gettext as _

    if can_report_progress(user, task):
        return None
    if task.quarter.is_closed:
        return _("This quarter is closed: its record no longer changes.")
    if task.is_archived:
        return _("This task is archived: restore it to report on it.")
    if not can_change_data(user):
        return _("Your account may read, not change, the board's work.")
    return _("Only the staff of the lead and coordinating units, the board's own "
             "staff and leaders report on this task.")


# Tasks

def can_create_task(user, quarter):
    """Tell whether the user may add a task to the quarter."""
    return can_change_data(user) and not quarter.is_closed


def can_edit_task(user, task):
    """Tell whether the user may change the task's plan."""
    return _is_open(task) and not task.is_archived and _answers_for(user, task)


def can_report_progress(user, task):
    """Tell whether the user may report the progress of the whole task."""
    return can_edit_task(user, task)


def can_report_share(user, link):
    """Tell whether the user may report this participating unit's share.

    A participating unit reports only its own share; the units answerable for the
    whole task (lead, coordinating) may record any unit's share on its behalf, as the
    board's staff do for communes without accounts.
    """
    task = link.task
    if link.role != "participating" or not _is_open(task) or task.is_archived:
        return False
    if _answers_for(user, task):
        return True
    return can_change_data(user) and link.unit_id in unit_ids(user)


def reportable_links(user, task):
    """Return the participating links whose share the user may report."""
    return [link for link in task.participants_links if can_report_share(user, link)]


def can_direct_task(user, task):
    """Tell whether the user may write a direction (ý kiến chỉ đạo) on the task."""
    return is_leader(user) and _is_open(task) and not task.is_archived


def can_archive_task(user, task):
    """Tell whether the user may archive the task (take it off the board and counts)."""
    return _is_open(task) and not task.is_archived and _answers_for(user, task)


def can_restore_task(user, task):
    """Tell whether the user may bring an archived task back."""
    return _is_open(task) and task.is_archived and _answers_for(user, task)


# Comments

def can_comment(user, task):
    """Tell whether the user may write in the task's discussion.

    Whoever may see a task in their own board may take part in its discussion
    (viewers too: asking is not changing the record), but not someone reading it
    from a board above (tracker.boards.access); not on a closed quarter or an
    archived task.
    """
    if getattr(user, "board_read_only", False):
        return False
    return can_view(user, task) and _is_open(task) and not task.is_archived


def can_edit_comment(user, comment, now):
    """Tell whether the user may correct the comment at the time now.

    Only its author, within the edit window after posting, and only while the
    task may be discussed.
    """
    if _role(user) is None or comment.user_id != user.id:
        return False
    return can_comment(user, comment.task) and now <= comment.editable_until


# Evidence files

def task_unit_ids(task):
    """Return the ids of every unit taking part in the task (lead, any role)."""
    return {task.lead_unit_id} | {link.unit_id for link in task.unit_links}


def can_view_task_files(user, task):
    """Tell whether the user may list and download the task's files.

    Files are evidence (minutes, photos of people, signed reports), so they are
    narrower than the task page: leaders and administrators see every task's; an
    account tied to units of the task's board sees those of the tasks its units take
    part in; a viewer tied to none of that board's units (the board's readers, a
    parent board's people, whose units are the parent's) reads them all.
    """
    role = _role(user)
    if role is None:
        return False
    if is_leader(user):
        return True
    board_id = task.quarter.board_id
    mine = {unit.id for unit in user.units
            if unit.board_id is None or unit.board_id == board_id}
    if not mine:
        return role == "viewer"
    return bool(mine & task_unit_ids(task))


def can_attach_to_comment(user, task):
    """Tell whether the user may post files with a comment in the task's discussion.

    Whoever may write in the discussion and see the task's files: nobody posts a file
    they could not then open.
    """
    return can_comment(user, task) and can_view_task_files(user, task)


def can_change_comment_files(user, comment, now):
    """Tell whether the user may add files to the comment or remove its files.

    Its author, while the comment may be corrected (tracker.models.comment
    EDIT_WINDOW): after that its files stand as written, like its text.
    """
    return (can_edit_comment(user, comment, now)
            and can_view_task_files(user, comment.task))


def can_remove_file(user, stored):
    """Tell whether the user may remove a file: its giver, or who answers for it.

    A comment's files are removed by correcting the comment, never on their own
    (can_change_comment_files).
    """
    task = stored.task
    if not _is_open(task) or task.is_archived or stored.is_removed:
        return False
    if stored.attached_to == "comment":
        return False
    if _answers_for(user, task):
        return True
    return can_change_data(user) and stored.created_by_id == getattr(user, "id", None)


# Quarters

def can_open_quarter(user):
    """Tell whether the user may open a new quarter."""
    return is_leader(user)


def can_change_quarter_state(user, quarter):
    """Tell whether the user may move the quarter between planning and in progress."""
    return is_leader(user) and not quarter.is_closed


def can_close_quarter(user, quarter):
    """Tell whether the user may close the quarter and roll its work forward."""
    return is_leader(user)


def can_approve_quarter(user, quarter):
    """Tell whether the user may approve the quarter's summary."""
    return is_leader(user)


def can_reopen_quarter(user, quarter):
    """Tell whether the user may reopen a closed quarter (administrators only)."""
    return is_admin(user)


# Administration

def can_manage_users(user):
    """Tell whether the user may create, change and deactivate accounts."""
    return is_admin(user)


def can_manage_units(user):
    """Tell whether the user may create, change and deactivate units."""
    return is_admin(user)


def can_manage_boards(user):
    """Tell whether the user may create, change and merge the installation's boards."""
    return _role(user) is not None and bool(getattr(user, "is_installation_admin", False))


def can_view_audit(user):
    """Tell whether the user may browse and export the whole audit log."""
    return is_admin(user)


def can_manage_sign_in_limits(user):
    """Tell whether the user may read the failed sign-ins and lift a pause.

    The record names accounts and addresses of every board (a failed sign-in has no
    board yet), so it is the installation administrators'.
    """
    return is_admin(user) and bool(getattr(user, "is_installation_admin", False))


# Reports and plan import

def can_read_figures(user, quarter):
    """Tell whether the user may read a quarter's figures (figures.json)."""
    return can_view(user, quarter)


def can_download_report(user):
    """Tell whether the user may download and print a quarter's report and lists."""
    return can_view(user)


def can_edit_report(user, quarter):
    """Tell whether the user may change a quarter's report settings."""
    return can_change_data(user)


def can_edit_briefing(user, quarter):
    """Tell whether the user may record the quarter's briefing meeting (not once
    closed: a closed quarter's record never changes)."""
    return can_edit_report(user, quarter) and not quarter.is_closed


def can_edit_organisation(user):
    """Tell whether the user may change the issuing body's names and code."""
    return is_leader(user)


def can_import_plan(user, quarter):
    """Tell whether the user may import tasks into the quarter (not once closed)."""
    return can_change_data(user) and not quarter.is_closed


def can_plan_next(user, target):
    """Tell whether the user may plan the next quarter (target) from this one's tasks.

    The import's rule on that quarter; one not opened yet (None) is opened by the
    plan, so only by those who may open quarters.
    """
    if target is None:
        return can_change_data(user) and can_open_quarter(user)
    return can_import_plan(user, target)


def can_add_outside_unit(user, quarter):
    """Tell whether the user may create an outside body a plan file names.

    An outside body (kind "external") has no accounts and is not scored, so whoever
    may import the plan may add one from the preview, by a click of their own; the
    audit log records it.
    """
    return can_import_plan(user, quarter)


# Petitions raised at dialogues
#
# Staff record and forward the petitions of their own units' dialogues; the body that
# must answer records its answer; leaders do everything. A petition's answer often
# comes after its quarter has closed, so following it up stays possible then; a
# closed quarter's figures count only what was recorded by its cut-off.

def can_record_petition(user, task):
    """Tell whether the user may record a petition raised at the task's meeting."""
    from tracker.models.petition import PETITION_KINDS

    return (task.kind in PETITION_KINDS and _is_open(task) and not task.is_archived
            and _answers_for(user, task))


def can_edit_petition(user, petition):
    """Tell whether the user may correct what the petition says."""
    task = petition.task
    return (petition.is_open and not petition.is_imported and _is_open(task)
            and _answers_for(user, task))


def can_forward_petition(user, petition):
    """Tell whether the user may forward the petition to the body that must answer."""
    return petition.state == "received" and _answers_for(user, petition.task)


def can_answer_petition(user, petition):
    """Tell whether the user may record the answer: the answering body or a leader."""
    if not petition.is_open:
        return False
    if is_leader(user):
        return True
    return (can_change_data(user) and petition.answering_unit_id is not None
            and petition.answering_unit_id in unit_ids(user))


def can_close_petition(user, petition):
    """Tell whether the user may close the petition without an answer."""
    return petition.is_open and _answers_for(user, petition.task)


# Congresses by term
#
# Everyone reads the calendar; the terms themselves (an organisation's last congress
# and its years) are set by leaders. Holding a congress task moves its term forward
# whoever records it.

def can_edit_congress_terms(user):
    """Tell whether the user may record and correct organisations' terms."""
    return is_leader(user)


# Acknowledgement, watching and deadline extensions
#
# A unit given a task (its lead) or a share (a participating unit) acknowledges it
# through its own people; anyone who may read a task or a quarter may watch it; the
# lead unit (or a leader) asks for a later deadline, and a leader decides. A closed
# quarter's tasks are neither acknowledged nor extended.

def acknowledgeable_unit_ids(user, task):
    """Return the ids of the units whose acknowledgement the user may record."""
    if not can_change_data(user) or not _is_open(task) or task.is_archived:
        return []
    if task.status in ("done", "cancelled"):
        return []
    mine = unit_ids(user)
    found = []
    if task.acknowledged_at is None and task.lead_unit_id in mine:
        found.append(task.lead_unit_id)
    found += [link.unit_id for link in task.participants_links
              if link.acknowledged_at is None and link.share_status != "done"
              and link.unit_id in mine]
    return found


def can_watch(user, obj):
    """Tell whether the user may watch a task or a quarter.

    Anyone who reads it in a board of their own (home or membership) may; a parent
    board's people read their children's records and change nothing there.
    """
    if not can_view(user, obj):
        return False
    quarter = getattr(obj, "quarter", obj)
    if quarter.board_id == user.board_id or getattr(
            user, "is_installation_admin", False):
        return True
    return any(member.board_id == quarter.board_id for member in user.memberships)


def can_request_extension(user, task):
    """Tell whether the user may ask for a later deadline: a lead unit, a leader."""
    if not _is_open(task) or task.is_archived or task.status in ("done", "cancelled"):
        return False
    if is_leader(user):
        return True
    leads = {task.lead_unit_id} | {link.unit_id for link in task.unit_links
                                   if link.role == "co_lead"}
    return can_change_data(user) and bool(leads & unit_ids(user))


def can_decide_extension(user, extension):
    """Tell whether the user may approve or refuse the request (leaders)."""
    return (is_leader(user) and extension.is_pending and _is_open(extension.task)
            and not extension.task.is_archived)


# The "Dân vận khéo" registry
#
# Staff register and follow the models of their own units; leaders see and manage
# every model. Imported counts (typed before the registry) are history, not records
# to change; a recognised or dropped model is settled.

def can_record_initiative(user):
    """Tell whether the user may register a model (for a unit they may record for)."""
    return is_leader(user) or (can_change_data(user) and bool(unit_ids(user)))


def can_record_for_unit(user, unit_id):
    """Tell whether the user may record a model for the unit."""
    if is_leader(user):
        return True
    return can_change_data(user) and unit_id in unit_ids(user)


def can_edit_initiative(user, initiative):
    """Tell whether the user may correct the model's details or move it on."""
    return (not initiative.is_imported and not initiative.is_final
            and can_record_for_unit(user, initiative.unit_id))


def can_save_search(user, board):
    """Tell whether the user may keep named searches in the board.

    Anyone signed in to a board of their own (home or membership) may; a parent
    board's people read their children's records and keep nothing there.
    """
    if board is None or _role(user) is None:
        return False
    if board.id == user.board_id or getattr(user, "is_installation_admin", False):
        return True
    return any(member.board_id == board.id for member in user.memberships)
