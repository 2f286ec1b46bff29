"""Who may do what: the one place the views ask."""


def can_edit(user):
    """Tell whether the user may change data at all (viewers may not)."""
    return user.is_authenticated and user.role in ("admin", "leader", "staff")


def can_create_task(user, quarter):
    """Tell whether the user may add a task to the quarter."""
    return can_edit(user) and not quarter.is_closed


def can_edit_task(user, task):
    """Tell whether the user may edit the task's plan fields."""
    return can_edit(user) and not task.quarter.is_closed


def can_report_progress(user, task):
    """Tell whether the user may report progress on the task."""
    return can_edit(user) and not task.quarter.is_closed


def can_report_share(user, link):
    """Tell whether the user may report a participating unit's share."""
    return can_edit(user) and not link.task.quarter.is_closed


def can_manage_quarter(user):
    """Tell whether the user may create quarters and change their state."""
    return user.is_authenticated and user.role in ("admin", "leader", "staff")


def can_close_quarter(user):
    """Tell whether the user may close a quarter and roll its work forward."""
    return user.is_authenticated and user.role in ("admin", "leader")


def can_approve_quarter(user):
    """Tell whether the user may approve a closed quarter's summary."""
    return user.is_authenticated and user.role in ("admin", "leader")


def can_reopen_quarter(user):
    """Tell whether the user may reopen a closed quarter (admins only)."""
    return user.is_authenticated and user.role == "admin"


def can_download_report(user):
    """Tell whether the user may download and print a quarter's report and lists."""
    return user.is_authenticated


def can_edit_report(user, quarter):
    """Tell whether the user may change a quarter's report settings."""
    return can_edit(user)


def can_edit_organisation(user):
    """Tell whether the user may change the issuing body's names and code."""
    return user.is_authenticated and user.role in ("admin", "leader")


def can_import_plan(user, quarter):
    """Tell whether the user may import tasks into the quarter (not once closed)."""
    return can_edit(user) and not quarter.is_closed
