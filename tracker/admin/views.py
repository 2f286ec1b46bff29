"""Administration pages: accounts, units and the audit log."""
import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.admin import audit, services
from tracker.admin.forms import (
    GroupForm,
    PasswordForm,
    UnitForm,
    UserEditForm,
    UserForm,
)
from tracker.auth import limits, policy
from tracker.db_setup import in_a_transaction
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import today
from tracker.models import Unit, User
from tracker.models.signin import FAILURE_KINDS
from tracker.text import row_id

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def inject_admin_nav():
    """Tell the layout whether to show the administration menu."""
    return {"nav_admin": policy.can_manage_users(current_user)}


def _require(allowed):
    if not allowed(current_user):
        abort(403)


def _get_or_404(model, object_id):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
def index():
    """Send administrators to the list of accounts."""
    _require(policy.can_manage_users)
    return redirect(url_for("admin.users"))


# Accounts

@bp.route("/users/")
def users():
    """List every account with its role, units and state."""
    _require(policy.can_manage_users)
    return render_template(
        "admin/users.html", users=services.list_users(), action_form=Form(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account."""
    _require(policy.can_manage_users)
    units = services.list_units()
    form = UserForm(units=units)
    if request.method == "GET":
        form.role.data = "staff"
    if not form.validate_on_submit():
        return _render_new_user(form, 400 if form.errors else 200)
    chosen = [unit for unit in units if unit.id in set(form.units.data or ())]
    try:
        user = services.create_user(
            form.username.data, form.full_name.data, form.role.data, chosen,
            form.password.data, current_user,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.username.errors.append(_("This username is already taken."))
        return _render_new_user(form, 400)
    flash(_("The account %(user)s has been created.", user=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _render_new_user(form, status):
    return render_template("admin/user_new.html", form=form), status


def _render_user(user, form=None, password_form=None, error=None, status=200):
    units = services.list_units()
    if form is None:
        form = UserEditForm(formdata=None, obj=user, units=units)
        form.units.data = [unit.id for unit in user.units]
    return render_template(
        "admin/user_edit.html", user=user, form=form,
        password_form=password_form or PasswordForm(formdata=None),
        action_form=Form(), error=error,
        is_self=user.id == current_user.id,
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    """Show an account; change its name, role and units."""
    _require(policy.can_manage_users)
    user = _get_or_404(User, user_id)
    if request.method == "GET":
        return _render_user(user)
    units = services.list_units()
    form = UserEditForm(units=units)
    if not form.validate_on_submit():
        return _render_user(user, form=form, status=400)
    chosen = [unit for unit in units if unit.id in set(form.units.data or ())]
    try:
        changes = services.update_user(
            user, form.full_name.data, form.role.data, chosen, current_user
        )
    except services.AdminError as exc:
        db.session.rollback()
        return _render_user(user, form=form, error=str(exc), status=400)
    db.session.commit()
    if changes:
        flash(_("The account has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id):
    """Set a new password for an account."""
    _require(policy.can_manage_users)
    if request.method == "GET":
        return _back_to_user(user_id, "password-form")
    user = _get_or_404(User, user_id)
    form = PasswordForm(user=user)
    if not form.validate_on_submit():
        return _render_user(user, password_form=form, status=400)
    services.reset_password(user, form.password.data, current_user)
    db.session.commit()
    flash(_("The password of %(user)s has been changed.", user=user.username),
          "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _back_to_user(user_id, section):
    """Go back to the account's page, where the form of a POST-only address lives.

    A refused form is shown again at its own address; that address answers GET by
    coming back here, so reloading it never meets a 405.
    """
    return redirect(url_for("admin.edit_user", user_id=user_id) + f"#{section}")


def _set_active(user_id, active):
    _require(policy.can_manage_users)
    if request.method == "GET":
        return _back_to_user(user_id, "active")
    user = _get_or_404(User, user_id)
    if not Form().validate_on_submit():
        abort(400)
    try:
        changed = services.set_user_active(user, active, current_user)
    except services.AdminError as exc:
        db.session.rollback()
        return _render_user(user, error=str(exc), status=400)
    db.session.commit()
    if changed and active:
        flash(_("The account %(user)s is active again.", user=user.username), "success")
    elif changed:
        flash(_("The account %(user)s has been deactivated: it can no longer sign in.",
                user=user.username), "warning")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate_user(user_id):
    """Stop an account from signing in (nothing it did is removed)."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
def reactivate_user(user_id):
    """Let a deactivated account sign in again."""
    return _set_active(user_id, True)


# Units

@bp.route("/units/")
def units():
    """List every unit with its place in the hierarchy."""
    from tracker.units.services import tree

    _require(policy.can_manage_units)
    return render_template(
        "admin/units.html", tree=tree(services.list_units()), action_form=Form(),
    )


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    """Create a unit."""
    _require(policy.can_manage_units)
    form = UnitForm(units=services.list_units())
    if not form.validate_on_submit():
        return _render_unit(None, form, 400 if form.errors else 200)
    try:
        unit = services.create_unit(form.unit_data(), current_user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors.append(_("Another unit already has this name or short name."))
        return _render_unit(None, form, 400)
    flash(_("The unit %(unit)s has been created.", unit=unit.short_name), "success")
    return redirect(url_for("admin.units"))


def _render_unit(unit, form, status=200, error=None):
    return render_template(
        "admin/unit_form.html", unit=unit, form=form, action_form=Form(), error=error,
    ), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id):
    """Change a unit's names, kind, parent and order."""
    _require(policy.can_manage_units)
    unit = _get_or_404(Unit, unit_id)
    if unit.is_group:  # a group's page keeps its members
        return redirect(url_for("admin.edit_group", group_id=unit.id))
    form = UnitForm(obj=unit, unit=unit, units=services.list_units())
    if request.method == "GET":
        form.parent_id.data = unit.parent_id or 0
    if not form.validate_on_submit():
        return _render_unit(unit, form, 400 if form.errors else 200)
    try:
        changes = services.update_unit(unit, form.unit_data(), current_user)
        db.session.commit()
    except services.AdminError as exc:
        db.session.rollback()
        return _render_unit(unit, form, 400, error=str(exc))
    except IntegrityError:
        db.session.rollback()
        unit = _get_or_404(Unit, unit_id)
        return _render_unit(
            unit, form, 400,
            error=_("Another unit already has this name or short name."),
        )
    if changes:
        flash(_("The unit has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("admin.units"))


def _set_unit_active(unit_id, active):
    _require(policy.can_manage_units)
    unit = _get_or_404(Unit, unit_id)
    if not Form().validate_on_submit():
        abort(400)
    if services.set_unit_active(unit, active, current_user):
        db.session.commit()
        if active:
            flash(_("The unit %(unit)s is active again.", unit=unit.short_name),
                  "success")
        else:
            flash(_("The unit %(unit)s has been deactivated: it is no longer offered "
                    "for new tasks; its tasks and history stay.", unit=unit.short_name),
                  "warning")
    return redirect(url_for("admin.units"))


@bp.route("/units/<int:unit_id>/deactivate", methods=["POST"])
def deactivate_unit(unit_id):
    """Take a unit out of use (its tasks and history stay)."""
    return _set_unit_active(unit_id, False)


@bp.route("/units/<int:unit_id>/reactivate", methods=["POST"])
def reactivate_unit(unit_id):
    """Put a deactivated unit back in use."""
    return _set_unit_active(unit_id, True)


# Groups of units

@bp.route("/groups/")
def groups():
    """List the groups of units with their members."""
    _require(policy.can_manage_units)
    return render_template("admin/groups.html", groups=services.list_groups(),
                           action_form=Form())


def _get_group_or_404(group_id):
    group = _get_or_404(Unit, group_id)
    if not group.is_group:
        abort(404)
    return group


def _render_group(group, form, status=200, error=None):
    open_tasks = services.group_open_task_count(group) if group is not None else 0
    return render_template(
        "admin/group_form.html", group=group, form=form, error=error,
        open_tasks=open_tasks,
    ), status


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    """Create a group of units."""
    _require(policy.can_manage_units)
    form = GroupForm(units=services.list_units())
    if not form.validate_on_submit():
        return _render_group(None, form, 400 if form.errors else 200)
    try:
        group = services.create_group(form.unit_data(), form.members.data,
                                      current_user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors.append(_("Another unit already has this name or short name."))
        return _render_group(None, form, 400)
    flash(_("The group %(unit)s has been created.", unit=group.short_name), "success")
    return redirect(url_for("admin.groups"))


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def edit_group(group_id):
    """Change a group's names, order and members."""
    _require(policy.can_manage_units)
    group = _get_group_or_404(group_id)
    form = GroupForm(obj=group, unit=group, units=services.list_units())
    if request.method == "GET":
        form.members.data = [member.id for member in group.members]
    if not form.validate_on_submit():
        return _render_group(group, form, 400 if form.errors else 200)
    try:
        changes, synced = services.update_group(
            group, form.unit_data(), form.members.data, current_user)
        # Said before the commit, which expires what the tasks were read with.
        updated = len(synced.changed) if synced is not None else 0
        kept = _kept_text(synced.kept) if synced is not None else ""
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        group = _get_group_or_404(group_id)
        return _render_group(
            group, form, 400,
            error=_("Another unit already has this name or short name."),
        )
    if not changes:
        flash(_("Nothing was changed."), "info")
        return redirect(url_for("admin.groups"))
    flash(_("The group has been saved."), "success")
    if updated:
        flash(ngettext("%(num)d task of an open quarter has been updated.",
                       "%(num)d tasks of open quarters have been updated.",
                       updated), "success")
    if kept:
        flash(_("Units that left the group keep their part where they have already "
                "reported on their share: %(tasks)s.", tasks=kept), "warning")
    return redirect(url_for("admin.groups"))


def _kept_text(kept):
    """Return "“Task” (HND, MTTQ); …": the tasks former members keep a share of."""
    return "; ".join(
        "“{}” ({})".format(task.title, ", ".join(unit.short_name for unit in units))
        for task, units in kept
    )


# The audit log

FILTER_KEYS = ("entity", "entity_id", "user", "date_from", "date_to", "q", "per_page")


def _parse_date(value):
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_filters(args):
    """Return the log filters from the query string, and messages about bad values."""
    filters, problems = audit.Filters(), []
    entity = args.get("entity") or ""
    if entity in audit.ENTITY_TYPES:
        filters.entity_type = entity
    elif entity:
        problems.append(_("Unknown type of object; it was ignored."))
    entity_id = args.get("entity_id") or ""
    if row_id(entity_id) is not None:
        filters.entity_id = row_id(entity_id)
    elif entity_id:
        problems.append(_("The object number is not valid; it was ignored."))
    user_id = args.get("user") or ""
    if row_id(user_id) is not None:
        filters.user_id = row_id(user_id)
    elif user_id:
        problems.append(_("Unknown user; the filter was ignored."))
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        value = _parse_date(raw[:20])
        if value is None or not 2000 <= value.year <= 2100:
            problems.append(_("The date “%(value)s” is not valid (dd/mm/yyyy); it was "
                              "ignored.", value=raw[:20]))
        else:
            setattr(filters, name, value)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems.append(_("The start date is after the end date."))
    text = (args.get("q") or "").strip()[:200]
    filters.text = text or None
    return filters, problems


@bp.route("/audit")
def audit_log():
    """Browse the audit log and every task's history, with filters."""
    _require(policy.can_view_audit)
    filters, problems = parse_filters(request.args)
    per_page = request.args.get("per_page", type=int) or audit.PER_PAGE
    per_page = max(1, min(per_page, audit.MAX_PER_PAGE))
    page = max(1, request.args.get("page", type=int) or 1)
    entries, total = audit.page_of_entries(filters, page, per_page)
    pages = max(1, -(-total // per_page))
    query = {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
    return render_template(
        "admin/audit.html", entries=entries, total=total, page=page, pages=pages,
        per_page=per_page, filters=filters, problems=problems, query=query,
        entity_types=audit.ENTITY_TYPES, users=services.usernames(),
    )


@bp.route("/audit.csv")
@in_a_transaction  # the log is streamed from a server-side cursor
def audit_csv():
    """Export the matching log as CSV (UTF-8 with a byte-order mark, for Excel)."""
    _require(policy.can_view_audit)
    filters, _problems = parse_filters(request.args)
    lines = audit.csv_lines(audit.all_entries(filters))
    name = f"nhat-ky-{today().isoformat()}.csv"
    return Response(
        # Flask adds "; charset=utf-8" to a text type itself: name the type alone.
        stream_with_context(lines), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Failed sign-ins

@bp.route("/sign-ins")
def sign_ins():
    """Show the accounts and addresses paused now, and the record of failures."""
    _require(policy.can_manage_sign_in_limits)
    text = (request.args.get("q") or "").strip()[:100] or None
    page = max(1, request.args.get("page", type=int) or 1)
    rows, total = limits.record_page(page, audit.PER_PAGE, text)
    accounts, addresses = limits.paused()
    per_account, per_address, minutes = limits.settings()
    return render_template(
        "admin/sign_ins.html", rows=rows, total=total, page=page, text=text,
        pages=max(1, -(-total // audit.PER_PAGE)), accounts=accounts,
        addresses=addresses, action_form=Form(), kinds=FAILURE_KINDS,
        counted_in_database=limits.uses_database(), limit_account=per_account,
        limit_address=per_address,
        limit_window=ngettext("%(num)d minute", "%(num)d minutes", minutes),
    )


@bp.route("/sign-ins/lift", methods=["POST"])
def lift_sign_in_limit():
    """Let an account or an address sign in again before its pause runs out."""
    _require(policy.can_manage_sign_in_limits)
    if not Form().validate_on_submit():
        abort(400)
    username = (request.form.get("username") or "").strip()[:60]
    address = (request.form.get("address") or "").strip()[:64]
    if not username and not address:
        abort(400)
    limits.lift(username=username or None, address=address or None)
    db.session.commit()
    flash(_("Sign-in for %(who)s is no longer paused.", who=username or address),
          "success")
    return redirect(url_for("admin.sign_ins"))
