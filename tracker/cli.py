"""Flask commands: demo data, user accounts, rollover, backup and restore."""
import functools
import os

import click
from flask import current_app
from sqlalchemy import select

from tracker.auth.passwords import password_problem
from tracker.extensions import db
from tracker.models import USER_ROLES, Unit, User
from tracker.models.audit import record
from tracker.models.revision import data_tables


def in_board(command):
    """Give a command a --board CODE option and run it in that board's scope.

    It may be left out with one board in the installation, or when the command
    acts as a user (--user): their home board is meant.
    """

    @click.option("--board", "board_code", metavar="CODE",
                  help="The board (its code, e.g. son-tinh); needed when the "
                  "installation has several.")
    @functools.wraps(command)
    def wrapper(*args, board_code=None, **kwargs):
        from tracker.boards import scope
        from tracker.boards.services import all_boards, get_board

        actor = kwargs.get("username") and db.session.scalar(
            select(User).where(User.username == kwargs["username"]),
            execution_options={"all_boards": True})
        if board_code:
            board = get_board(board_code)
            if board is None:
                raise click.ClickException(f"No board {board_code!r}.")
        elif actor is not None:
            board = actor.board
        else:
            boards = all_boards()
            if len(boards) != 1:
                codes = ", ".join(board.code for board in boards) or "none"
                raise click.ClickException(
                    f"Name the board with --board CODE (boards: {codes}).")
            board = boards[0]
        with scope.boards([board.id]):
            return command(*args, **kwargs)

    return wrapper


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete all data first (asks to confirm).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the demo's recent quarters are built around "
              "(YYYY-MM-DD; today if left out).")
def demo_command(reset, as_of):
    """Load the Sơn Tịnh demo data into an empty database."""
    from tracker.demo import has_data, load_demo
    from tracker.i18n import today

    if reset:
        click.confirm("Delete ALL data in the database and load the demo?", abort=True)
        for table in reversed(data_tables(db.metadata)):
            db.session.execute(table.delete())
        db.session.commit()
    if has_data():
        click.echo("The database already holds data; the demo was not loaded.")
        return
    summary = load_demo(as_of=as_of.date() if as_of else today())
    db.session.commit()
    click.echo(
        "Demo loaded: {units} units, {users} accounts (password 'demo'), "
        "{quarters} quarters, {tasks} tasks.".format(**summary)
    )


@click.command("create-user")
@click.argument("username")
@click.option("--full-name", default="", help="The person's full name.")
@click.option(
    "--role", type=click.Choice(list(USER_ROLES)), default="staff", show_default=True
)
@click.option(
    "--unit", "units", multiple=True,
    help="Short name of a unit the user reports for (repeatable).",
)
@click.password_option(help="The password (prompted for if not given).")
@in_board
def create_user_command(username, full_name, role, units, password):
    """Create a user account."""
    username = username.strip()
    if not username or len(username) > 60:
        raise click.BadParameter("must be 1 to 60 characters", param_hint="USERNAME")
    if db.session.scalar(select(User).where(User.username == username),
                         execution_options={"all_boards": True}):
        raise click.ClickException(f"User {username!r} already exists.")
    found = []
    for short in units:
        unit = db.session.scalar(select(Unit).where(Unit.short_name == short))
        if unit is None:
            raise click.ClickException(f"Unknown unit {short!r}.")
        found.append(unit)
    # The same rules as every form: the first administrator of a fresh install
    # cannot start with a password a guesser would try first.
    problem = password_problem(password, username=username, full_name=full_name,
                               units=found)
    if problem:
        raise click.ClickException(problem)
    user = User(username=username, full_name=full_name, role=role, units=found)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(user, "created", None, note="flask create-user", changes={
        "username": [None, username], "role": [None, role],
        "units": [[], sorted(unit.short_name for unit in found)],
    })
    db.session.commit()
    click.echo(f"Created {role} {username}.")


def init_app(app):
    """Register the commands with the application."""
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(rollover_command)
    app.cli.add_command(import_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(generate_command)
    from tracker.notifications.cli import remind_command

    app.cli.add_command(remind_command)


def _known_revisions():
    """Return the schema revisions this code's migrations know, and the newest."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    known = {rev.revision for rev in scripts.walk_revisions()}
    return known, scripts.get_current_head()


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the SQLite database, while the app runs, to PATH, and the stored files.

    PATH defaults to instance/backups/tracker-YYYYmmdd-HHMMSS.sqlite; the evidence
    files go to the folder beside it (tracker-YYYYmmdd-HHMMSS-files/). For PostgreSQL
    the command prints the pg_dump command to use instead.
    """
    from tracker import backup
    from tracker.files.storage import files_dir

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    database = backup.sqlite_path(uri)
    if database is None:
        click.echo(backup.postgres_instructions(uri, "backup", path))
        click.echo(f"Copy the stored files too (the folder {files_dir()}).")
        raise SystemExit(1)
    target = path or backup.default_backup_path(current_app.instance_path)
    try:
        info = backup.backup(database, target)
        folder = backup.files_backup_path(target)
        count = backup.backup_files(files_dir(), folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(
        f"Backed up {database} to {info.path} ({info.size:,} bytes, "
        f"schema revision {info.revision})."
    )
    click.echo(f"Copied {count} stored files to {folder}.")
    missing = backup.missing_files(info.path, folder)
    if missing:
        click.echo(f"{len(missing)} files the copy names were removed while it ran: "
                   + ", ".join(missing[:5]))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the SQLite database with the backup at PATH, after checking it.

    The current database is first backed up to instance/backups/. For PostgreSQL the
    command prints the pg_restore command to use instead.
    """
    from tracker import backup
    from tracker.files.storage import files_dir

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    database = backup.sqlite_path(uri)
    if database is None:
        click.echo(backup.postgres_instructions(uri, "restore", path))
        click.echo(f"Put the stored files back too (into the folder {files_dir()}).")
        raise SystemExit(1)
    stored_files = backup.files_backup_path(path)
    try:
        info = backup.verify(path)
        # Checked before anything is replaced: a damaged copy restores nothing.
        if os.path.isdir(stored_files):
            backup.verify_files(stored_files)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc))
    known, head = _known_revisions()
    if info.revision not in known:
        raise click.ClickException(
            f"{path} has schema revision {info.revision}, which this version of the "
            "tracker does not know (is the backup newer than the code?)."
        )
    click.echo(f"Backup {path}: {info.size:,} bytes, schema revision {info.revision}.")
    if not yes:
        click.confirm(
            f"Replace ALL data in {database} with this backup?", abort=True
        )
    db.session.remove()
    db.engine.dispose()
    safety = None
    if os.path.exists(database):
        safety = backup.default_backup_path(current_app.instance_path).replace(
            "tracker-", "before-restore-"
        )
        try:
            backup.backup(database, safety)
            backup.backup_files(files_dir(), backup.files_backup_path(safety))
        except backup.BackupError as exc:
            raise click.ClickException(f"Could not save the current database: {exc}")
    try:
        backup.restore(path, database)
        restored = None
        if os.path.isdir(stored_files):
            restored = backup.restore_files(stored_files, files_dir())
    except backup.BackupError as exc:
        raise click.ClickException(str(exc))
    if safety:
        click.echo(f"The data it replaced is kept in {safety}.")
    click.echo(f"Restored {database} from {path}.")
    if restored is not None:
        click.echo(f"Put back {restored} stored files from {stored_files}.")
    missing = backup.missing_files(database, files_dir())
    if missing:
        click.echo(f"Warning: {len(missing)} files the restored data names are not in "
                   f"{files_dir()}: " + ", ".join(missing[:5]))
    if info.revision != head:
        click.echo(
            "The backup has an older schema: run `flask --app tracker db upgrade`."
        )


@click.command("rollover")
@click.argument("key")
@click.option(
    "--close", "closings", multiple=True, metavar="TASK_ID=REASON",
    help="Close a task here instead of carrying it; REASON is cancelled or not_needed.",
)
@click.option("--user", "username", help="Record the close as done by this user.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@in_board
def rollover_command(key, closings, username, dry_run):
    """Close quarter KEY (e.g. 2023-Q1), carrying its unfinished tasks forward."""
    from tracker.models import parse_key
    from tracker.quarters.rollover import RolloverError, close_plan, close_quarter
    from tracker.quarters.services import find_quarter

    parsed = parse_key(key)
    quarter = find_quarter(*parsed) if parsed else None
    if quarter is None:
        raise click.ClickException(f"No quarter {key!r} (expected e.g. 2023-Q1).")
    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username),
                                 execution_options={"all_boards": True})
        if user is None:
            raise click.ClickException(f"Unknown user {username!r}.")
    decisions = {}
    for item in closings:
        task_id, _, reason = item.partition("=")
        if not task_id.strip().isdigit() or not reason:
            raise click.ClickException(f"Expected TASK_ID=REASON, got {item!r}.")
        decisions[int(task_id)] = reason.strip()
    plan = [] if quarter.is_closed else close_plan(quarter)
    for entry in plan:
        action = "already carried" if entry.is_carried else decisions.get(
            entry.task.id, "carry")
        click.echo(f"#{entry.task.id} [{action}] {entry.task.title}")
    try:
        result = close_quarter(quarter, decisions, user)
    except RolloverError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
        return
    db.session.commit()
    click.echo(
        f"Closed {quarter.key}: {len(result.carried)} carried to "
        f"{result.next_quarter.key}, {len(result.closed)} closed here."
    )


@click.command("import")
@click.argument("key")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", help="Record the import as done by this user.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be "
              "imported; change nothing.")
@click.option("--shift", is_flag=True, help="The file is another quarter's (e.g. its "
              "downloaded workbook): shift its dates to KEY and reset statuses.")
@in_board
def import_command(key, path, username, dry_run, shift):
    """Import quarter KEY's plan (e.g. 2023-Q3) from an .xlsx or .csv file at PATH."""
    import os

    from tracker.models import parse_key
    from tracker.quarters.services import find_quarter
    from tracker.reports.imports import apply_plan, read_plan

    parsed = parse_key(key)
    quarter = find_quarter(*parsed) if parsed else None
    if quarter is None:
        raise click.ClickException(f"No quarter {key!r} (expected e.g. 2023-Q3).")
    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username),
                                 execution_options={"all_boards": True})
        if user is None:
            raise click.ClickException(f"Unknown user {username!r}.")
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and os.path.getsize(path) > limit:
        raise click.ClickException(
            f"The file is larger than {limit // (1024 * 1024)} MB.")
    with open(path, "rb") as handle:
        content = handle.read()
    plan = read_plan(quarter, content, os.path.basename(path), shift=shift)
    if plan.shifted_from:
        click.echo("Dates shifted from {}-Q{} to {}.".format(*plan.shifted_from,
                                                            quarter.key))
    for row in plan.carried:
        click.echo(f"row {row.row}: already carried into {quarter.key}, left out")
    for row in plan.rows:
        units = ", ".join(unit.short_name for unit in row.coordinating_units)
        lead = row.lead.short_name if row.lead else "?"
        click.echo(f"row {row.row}: [{row.data.get('kind', '?')}] "
                   f"{row.data.get('title', '')} — {lead}"
                   + (f" (+ {units})" if units else ""))
    if plan.problems:
        for problem in plan.shown_problems:
            click.echo(f"  ! {problem}", err=True)
        if plan.hidden_problems:
            click.echo(f"  ! … and {plan.hidden_problems} more", err=True)
        raise click.ClickException(
            f"{len(plan.problems)} problem(s) in {path}; nothing was imported.")
    if dry_run:
        click.echo(f"Dry run: {len(plan.rows)} tasks would be imported into {key}; "
                   "nothing was changed.")
        return
    apply_plan(plan, user)
    db.session.commit()
    click.echo(f"Imported {len(plan.rows)} tasks into {quarter.key}.")
@click.command("generate")
@click.option(
    "--preset",
    type=click.Choice(["district", "province", "national", "province-boards"]),
    help="Sizes of a district (50 tasks a quarter, 30 units), a province (1,000, 300) "
    "or the nation (10,000, 3,000) on one board; province-boards: a province's board "
    "with 10 district boards below it (100 tasks a quarter and 60 units each, 12 "
    "quarters). The default is province.",
)
@click.option("--quarters", type=click.IntRange(1, 400),
              help="Quarters of history, the newest one open (default 40, or the "
              "preset's).")
@click.option("--districts", type=click.IntRange(0, 200),
              help="District boards below a province's board, each of the sizes "
              "given (default 0: one board, or the preset's).")
@click.option("--tasks-per-quarter", type=click.IntRange(1, 100_000),
              help="Tasks in each quarter (overrides the preset).")
@click.option("--units", type=click.IntRange(8, 20_000),
              help="Responsible units (overrides the preset).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed gives the same data.")
@click.option("--last-quarter", metavar="KEY",
              help="The newest (open) quarter, e.g. 2025-Q2; today's by default.")
@click.option("--reset", is_flag=True, help="Delete all data first (asks to confirm).")
@click.option("--yes", "-y", is_flag=True,
              help="Delete any data already there without asking.")
def generate_command(preset, quarters, districts, tasks_per_quarter, units, seed,
                     last_quarter, reset, yes):
    """Fill the database with synthetic quarters, tasks and history, fast."""
    import sys
    import time

    from tracker.generate import generate, has_data, resolve_sizes, schema_ready, wipe
    from tracker.i18n import today
    from tracker.models import parse_key

    last = None
    if last_quarter:
        last = parse_key(last_quarter)
        if last is None:
            raise click.BadParameter(
                "expected e.g. 2025-Q2", param_hint="--last-quarter")
    if not schema_ready():
        raise click.ClickException(
            "The database has no tracker tables: run `flask --app tracker db upgrade`.")
    if has_data():
        if not (reset or yes):
            raise click.ClickException(
                "The database already holds data; nothing was generated. "
                "Use --reset to replace it.")
        if not yes:
            click.confirm("Delete ALL data in the database and generate anew?",
                          abort=True)
        wipe()
    sizes = resolve_sizes(preset, quarters, tasks_per_quarter, units, seed, last,
                          districts)
    started = time.perf_counter()
    with click.progressbar(length=sizes.total_tasks,
                           label="Generating tasks", file=sys.stderr) as bar:
        counts = generate(sizes, today(), progress=bar.update)
    click.echo(
        f"Generated {counts.quarters} quarters, {counts.tasks} tasks "
        f"({counts.carried} carried over), {counts.links} unit links, "
        f"{counts.updates} history rows, {counts.units} units, {counts.users} "
        f"accounts (password 'demo') in {time.perf_counter() - started:.1f} s."
        + (f" Boards: the province's (quang-ngai) and {sizes.districts} districts "
           f"below it (huyen-01 ..., accounts lanhdao_h01 ...)."
           if sizes.districts else "")
    )
