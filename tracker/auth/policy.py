"""Who may do what: the one place the views (and the templates, through them) ask.

Roles, from least to most:

- viewer: reads everything, changes nothing;
- staff: creates tasks in open quarters; edits and reports progress on the tasks their
  units lead or coordinate (including recording participating units' shares); staff of
  a participating unit report only their own unit's share, not the whole task;
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


def responsible_unit_ids(task):
    """Return the ids of the units answerable for the whole task: lead, coordinating."""
    ids = {task.lead_unit_id}
    ids.update(link.unit_id for link in task.unit_links if link.role == "coordinating")
    return ids


def _is_open(task):
    return not task.quarter.is_closed


def _answers_for(user, task):
    """Tell whether the user is a leader or works for a unit answerable for the task."""
    if is_leader(user):
        return True
    return can_change_data(user) and bool(unit_ids(user) & responsible_unit_ids(task))


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


def can_edit_organisation(user):
    """Tell whether the user may change the issuing body's names and code."""
    return is_leader(user)


def can_import_plan(user, quarter):
    """Tell whether the user may import tasks into the quarter (not once closed)."""
    return can_change_data(user) and not quarter.is_closed


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
